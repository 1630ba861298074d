import type { ActorContext, Deps } from '../../domain/ports';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { requireAbility } from '../../domain/shared/abilities';
import { getSubscriptionSummary } from '../../domain/admin/get-purchase-detail';
import { cancelSubscription } from '../../domain/purchasing/cancel-subscription';
import { cancelConfirmCard } from '../../cards/purchaser-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { cardReply, command, done, type BannerInput, type Feature } from './feature';
import { mySubscription } from './targets';
import { findProductWords } from './words';
import { subscriptionView } from './subscriptions';
import type { ActionResponse } from '../../web/contracts/purchases';
import { cancelBody, ok } from '../web/purchaser-views';
import { route } from '../web/web-api';

/** A purchaser cancels one of their subscriptions: the confirmation (reasons, who loses access), then the cancellation. */

const cancelConfirmView = async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, banner?: BannerInput): Promise<AdaptiveCard> => {
  const d = await getSubscriptionSummary(deps, ctx, { subscriptionId, assigneeLimit: 0 });
  if (d.subscription.purchaserId !== ctx.actorId) throw new DomainError(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "We couldn't find that subscription.");
  // Offered only while the domain would cancel it (a stale card's button on one cancelled since is told so now).
  requireAbility(d.actions.cancel);
  return cancelConfirmCard({ subscription: d.subscription, product: d.product, assigned: d.assignedTotal, ...banner });
};

export const cancel: Feature = {
  name: 'cancel',
  web: [
    route({
      method: 'post',
      path: '/my/subscriptions/:id/cancel',
      body: cancelBody,
      run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
        await cancelSubscription(deps, ctx, { subscriptionId: params.id, reason: body.reason, details: body.details });
        return ok("Cancelled. Its licenses have been removed and you won't be charged again.");
      },
    }),
  ],
  commands: [
    command<{ product: string }>({
      name: 'cancel',
      usage: 'cancel <product>',
      example: 'cancel Power BI Pro',
      scope: 'personal',
      personalData: true,
      keywords: ['cancel'],
      parse: (text) => {
        const m = /^cancel\s+(?:my\s+|the\s+)?(.+?)(?:\s+subscription)?$/i.exec(text);
        return m ? { product: m[1] } : null;
      },
      canonical: (a, pc) => findProductWords(pc.products, a.product).products.map((p) => `cancel ${p.name}`),
      run: async (a, { deps, ctx, pc }) => {
        const mine = await mySubscription(deps, ctx, pc, a.product, {
          doing: 'be cancelled',
          fits: (m) => m.actions.cancel.ok,
          action: (m) => ({ title: 'Cancel this one…', verb: VERBS.cancelConfirm, data: { subscriptionId: m.subscription.id } }),
        });
        return cardReply(cancelConfirmView(deps, ctx, mine.subscription.id));
      },
    }),
  ],
  verbs: {
    [VERBS.cancelConfirm]: { run: ({ deps, ctx, data }) => cancelConfirmView(deps, ctx, data.subscriptionId) },
    [VERBS.cancel]: {
      run: async ({ deps, ctx, data }) => {
        const s = await cancelSubscription(deps, ctx, { subscriptionId: data.subscriptionId, reason: data.reason, details: data.reasonDetails });
        return subscriptionView(deps, ctx, s.id, done("Cancelled. You won't be charged again."));
      },
    },
    [VERBS.cancelLater]: { run: ({ deps, ctx, data }) => subscriptionView(deps, ctx, data.subscriptionId, done('OK. You can cancel it from here whenever you are ready.')) },
  },
};
