import type { ActorContext, Deps } from '../../domain/ports';
import { getPurchaseActions, getPurchaseDetail } from '../../domain/admin/get-purchase-detail';
import { listCentralTargets } from '../../domain/takeover/list-central-targets';
import { takeOverCancel } from '../../domain/takeover/take-over-cancel';
import { takeOverMoveUsers } from '../../domain/takeover/take-over-move-users';
import { centralizeLicenses } from '../../domain/takeover/centralize-licenses';
import { centralizeConfirmCard, takeOverConfirmCard } from '../../cards/admin-cards';
import { CARD_HOLDERS_READ, type AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { count, plural } from '../../cards/format';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { requireAbility } from '../../domain/shared/abilities';
import { adminWriteAbility, checkAdminWrite } from '../../domain/access';
import { addLicenses } from '../../domain/purchasing/change-license-count';
import { buyCentralSubscription } from '../../domain/admin/buy-central-subscription';
import { cardReply, command, done, str, type BannerInput, type Feature } from './feature';
import { purchaserSubscription } from './targets';
import { findProductWords } from './words';
import { purchaseView } from './purchases';

/** R8–R10: take over a self-service subscription (cancel it, or move its users to a central one) and centralize its licenses. */

/** The purchase detail gives no admin actions to someone who isn't an admin: the domain's refusal for a change, in its words. */
const NOT_AN_ADMIN = adminWriteAbility([]);

const takeOverConfirmView = async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, banner?: BannerInput): Promise<AdaptiveCard> => {
  const detail = await getPurchaseDetail(deps, ctx, { subscriptionId, assigneeLimit: CARD_HOLDERS_READ });
  if (!detail.adminActions) requireAbility(NOT_AN_ADMIN);
  const actions = detail.adminActions!;
  // Nothing on this card can be done (a Global reader, an ended purchase): say why instead of offering it.
  if (!actions.takeOverCancel.ok && !actions.moveUsers.ok) throw new DomainError(actions.takeOverCancel.code, actions.takeOverCancel.reason);
  return takeOverConfirmCard({ detail, actions, targets: detail.moveTargets, formId: randomUUID(), ...banner });
};

const centralizeConfirmView = async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, banner?: BannerInput): Promise<AdaptiveCard> => {
  const detail = await getPurchaseDetail(deps, ctx, { subscriptionId, assigneeLimit: CARD_HOLDERS_READ });
  const can = detail.adminActions?.centralize ?? NOT_AN_ADMIN;
  // Nothing on this card can be done (a Global reader, an ended purchase): say why instead of offering it.
  requireAbility(can);
  const targets = await listCentralTargets(deps, ctx, { subscriptionId });
  return centralizeConfirmCard({ detail, targets, ...banner });
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
      name: 'take over',
      usage: 'take over <product> [from <purchaser>]',
      example: 'take over Power BI Pro from Megan Bowen',
      scope: 'admin',
      needs: 'adminWrite',
      keywords: ['take over', 'takeover'],
      parse: (text) => targetWords(/^take\s*over\s+(?:the\s+)?(.+?)(?:\s+(?:subscription\s+)?(?:from|of|bought by)\s+(.+))?$/i.exec(text)),
      canonical: (a, pc) => findProductWords(pc.products, a.product).products.map((p) => `take over ${p.name}${a.purchaser ? ` from ${a.purchaser}` : ''}`),
      run: async (a, { deps, ctx, pc }) => {
        await checkAdminWrite(deps, ctx);
        const row = await purchaserSubscription(deps, ctx, pc, a, {
          doing: 'take over',
          can: async (r) => {
            const { actions } = await getPurchaseActions(deps, ctx, { subscriptionId: r.subscription.id });
            return actions.takeOverCancel.ok ? actions.takeOverCancel : actions.moveUsers;
          },
          action: (r) => ({ title: 'Take over…', verb: VERBS.takeOverConfirm, data: { subscriptionId: r.subscription.id } }),
        });
        return cardReply(takeOverConfirmView(deps, ctx, row.subscription.id));
      },
    }),
    command<TargetWords>({
      name: 'centralize',
      usage: 'centralize <product> [from <purchaser>]',
      example: 'centralize Power BI Pro from Megan Bowen',
      scope: 'admin',
      needs: 'adminWrite',
      keywords: ['centralize', 'centralise'],
      parse: (text) => targetWords(/^centrali[sz]e\s+(?:the\s+)?(.+?)(?:\s+(?:licen[sc]es\s+)?(?:from|of|bought by)\s+(.+))?$/i.exec(text)),
      canonical: (a, pc) => findProductWords(pc.products, a.product).products.map((p) => `centralize ${p.name}${a.purchaser ? ` from ${a.purchaser}` : ''}`),
      run: async (a, { deps, ctx, pc }) => {
        await checkAdminWrite(deps, ctx);
        const row = await purchaserSubscription(deps, ctx, pc, a, {
          doing: 'centralize',
          can: async (r) => (await getPurchaseActions(deps, ctx, { subscriptionId: r.subscription.id })).actions.centralize,
          action: (r) => ({ title: 'Centralize…', verb: VERBS.centralizeConfirm, data: { subscriptionId: r.subscription.id } }),
        });
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
          await takeOverCancel(deps, ctx, { subscriptionId: data.subscriptionId, reason: data.reason, details: data.reasonDetails });
          return purchaseView(deps, ctx, data.subscriptionId, done('Taken over: the subscription is cancelled and its purchaser has been told why.'));
        }
        const r = await takeOverMoveUsers(deps, ctx, { subscriptionId: data.subscriptionId, targetSubscriptionId: mode, reason: data.reason, details: data.reasonDetails });
        return purchaseView(deps, ctx, data.subscriptionId, done(`Taken over: ${plural(r.moved, 'user')} moved to the central subscription; the purchaser has been told why.`));
      },
      recover: (a, banner) => takeOverConfirmView(a.deps, a.ctx, a.data.subscriptionId, banner).catch(() => purchaseView(a.deps, a.ctx, a.data.subscriptionId, banner)),
    },
    [VERBS.takeOverAddCentral]: {
      // The central subscription is the one the card named; the use case checks it is this tenant's and central, and the caller an admin who may write.
      run: async ({ deps, ctx, data }) => {
        await checkAdminWrite(deps, ctx);
        const detail = await getPurchaseDetail(deps, ctx, { subscriptionId: data.subscriptionId, assigneeLimit: 0 });
        const target = detail.moveTargets.find((t) => t.subscription.id === str(data.targetId));
        if (!target) throw new DomainError(ErrorCodes.TAKEOVER_TARGET_INVALID, 'That central subscription is no longer there. Here is the take-over as it is now.');
        const r = await addLicenses(deps, ctx, { subscriptionId: target.subscription.id, quantity: data.quantity, idempotencyKey: data.formId });
        return takeOverConfirmView(
          deps,
          ctx,
          data.subscriptionId,
          done(`Added: the central subscription has ${count(r.subscription.quantity, 'license')} now, billed to your organization's agreement. You can move the users.`),
        );
      },
    },
    [VERBS.takeOverBuyCentral]: {
      run: async ({ deps, ctx, data }) => {
        // The product comes from the stored purchase, never from the card.
        await checkAdminWrite(deps, ctx);
        const detail = await getPurchaseDetail(deps, ctx, { subscriptionId: data.subscriptionId });
        const central = await buyCentralSubscription(deps, ctx, { productId: detail.product.id, quantity: data.quantity, idempotencyKey: data.formId });
        return takeOverConfirmView(
          deps,
          ctx,
          data.subscriptionId,
          done(`Bought: a central ${detail.product.name} subscription of ${count(central.quantity, 'license')}, billed to your organization's agreement. You can move the users.`),
        );
      },
    },
    [VERBS.centralizeConfirm]: { run: ({ deps, ctx, data }) => centralizeConfirmView(deps, ctx, data.subscriptionId) },
    [VERBS.centralize]: {
      run: async ({ deps, ctx, data }) => {
        const target = str(data.target);
        const r = await centralizeLicenses(deps, ctx, { subscriptionId: data.subscriptionId, targetSubscriptionId: target && target !== 'new' ? target : undefined });
        const told = 'the purchaser has been asked to cancel';
        return purchaseView(
          deps,
          ctx,
          data.subscriptionId,
          done(
            r.assigned ? `Centralized: ${plural(r.assigned, 'person has', 'people have')} a central license now; ${told}.` : `Centralized: nobody held a license on it; ${told}.`,
          ),
        );
      },
      recover: (a, banner) => centralizeConfirmView(a.deps, a.ctx, a.data.subscriptionId, banner).catch(() => purchaseView(a.deps, a.ctx, a.data.subscriptionId, banner)),
    },
  },
};
