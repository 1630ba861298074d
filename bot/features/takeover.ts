import type { ActorContext, Deps } from '../../domain/ports';
import { getPurchaseDetail } from '../../domain/admin/get-purchase-detail';
import { listCentralTargets } from '../../domain/takeover/list-central-targets';
import { takeOverCancel } from '../../domain/takeover/take-over-cancel';
import { takeOverMoveUsers } from '../../domain/takeover/take-over-move-users';
import { centralizeLicenses } from '../../domain/takeover/centralize-licenses';
import { centralizeConfirmCard, takeOverConfirmCard } from '../../cards/admin-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { plural } from '../../cards/format';
import { cardReply, command, done, str, type BannerInput, type Feature } from './feature';
import { purchaserSubscription } from './targets';
import { purchaseView } from './purchases';

/** R8–R10: take over a self-service subscription (cancel it, or move its users to a central one) and centralize its licenses. */

const takeOverConfirmView = async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, banner?: BannerInput): Promise<AdaptiveCard> => {
  const targets = await listCentralTargets(deps, ctx, { subscriptionId });
  return takeOverConfirmCard({ detail: await getPurchaseDetail(deps, ctx, { subscriptionId }), targets, ...banner });
};

const centralizeConfirmView = async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, banner?: BannerInput): Promise<AdaptiveCard> => {
  const targets = await listCentralTargets(deps, ctx, { subscriptionId });
  return centralizeConfirmCard({ detail: await getPurchaseDetail(deps, ctx, { subscriptionId }), targets, ...banner });
};

interface TargetWords {
  product: string;
  purchaser?: string;
}

const targetWords = (m: RegExpExecArray | null): TargetWords | null => (m ? { product: m[1], ...(m[2] ? { purchaser: m[2] } : {}) } : null);

export const takeover: Feature = {
  name: 'takeover',
  commands: [
    command<TargetWords>({
      name: 'take over', usage: 'take over <product> [from <purchaser>]', example: 'take over Power BI Pro from Megan Bowen', scope: 'admin', keywords: ['take over', 'takeover'],
      parse: (text) => targetWords(/^take\s*over\s+(?:the\s+)?(.+?)(?:\s+(?:subscription\s+)?(?:from|of|bought by)\s+(.+))?$/i.exec(text)),
      canonical: (a) => [`take over ${a.product}${a.purchaser ? ` from ${a.purchaser}` : ''}`],
      run: async (a, { deps, ctx, pc }) => {
        const row = await purchaserSubscription(deps, ctx, pc, a, { doing: 'take over', action: (r) => ({ title: 'Take over…', verb: VERBS.takeOverConfirm, data: { subscriptionId: r.subscription.id } }) });
        return cardReply(takeOverConfirmView(deps, ctx, row.subscription.id));
      },
    }),
    command<TargetWords>({
      name: 'centralize', usage: 'centralize <product> [from <purchaser>]', example: 'centralize Power BI Pro from Megan Bowen', scope: 'admin', keywords: ['centralize', 'centralise'],
      parse: (text) => targetWords(/^centrali[sz]e\s+(?:the\s+)?(.+?)(?:\s+(?:licen[sc]es\s+)?(?:from|of|bought by)\s+(.+))?$/i.exec(text)),
      canonical: (a) => [`centralize ${a.product}${a.purchaser ? ` from ${a.purchaser}` : ''}`],
      run: async (a, { deps, ctx, pc }) => {
        const row = await purchaserSubscription(deps, ctx, pc, a, { doing: 'centralize', action: (r) => ({ title: 'Centralize…', verb: VERBS.centralizeConfirm, data: { subscriptionId: r.subscription.id } }) });
        return cardReply(centralizeConfirmView(deps, ctx, row.subscription.id));
      },
    }),
  ],
  verbs: {
    [VERBS.takeOverConfirm]: { run: ({ deps, ctx, data }) => takeOverConfirmView(deps, ctx, data.subscriptionId) },
    [VERBS.takeOver]: {
      run: async ({ deps, ctx, data }) => {
        const mode = str(data.mode) || 'cancel';
        if (mode === 'cancel') {
          await takeOverCancel(deps, ctx, { subscriptionId: data.subscriptionId, reason: data.reason });
          return purchaseView(deps, ctx, data.subscriptionId, done('Taken over: the subscription is cancelled and its purchaser has been told why.'));
        }
        const r = await takeOverMoveUsers(deps, ctx, { subscriptionId: data.subscriptionId, targetSubscriptionId: mode, reason: data.reason } as Parameters<typeof takeOverMoveUsers>[2]);
        return purchaseView(deps, ctx, data.subscriptionId, done(`Taken over: ${plural(r.moved, 'user')} moved to the central subscription; the purchaser has been told why.`));
      },
      recover: (a, banner) => takeOverConfirmView(a.deps, a.ctx, a.data.subscriptionId, banner).catch(() => purchaseView(a.deps, a.ctx, a.data.subscriptionId, banner)),
    },
    [VERBS.centralizeConfirm]: { run: ({ deps, ctx, data }) => centralizeConfirmView(deps, ctx, data.subscriptionId) },
    [VERBS.centralize]: {
      run: async ({ deps, ctx, data }) => {
        const target = str(data.target);
        const r = await centralizeLicenses(deps, ctx, { subscriptionId: data.subscriptionId, targetSubscriptionId: target && target !== 'new' ? target : undefined });
        const told = 'the purchaser has been asked to cancel';
        return purchaseView(deps, ctx, data.subscriptionId, done(r.assigned ? `Centralized: ${plural(r.assigned, 'person has', 'people have')} a central license now; ${told}.` : `Centralized: nobody held a license on it; ${told}.`));
      },
      recover: (a, banner) => centralizeConfirmView(a.deps, a.ctx, a.data.subscriptionId, banner).catch(() => purchaseView(a.deps, a.ctx, a.data.subscriptionId, banner)),
    },
  },
};
