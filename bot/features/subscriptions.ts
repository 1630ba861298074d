import { DomainError } from '../../domain/shared/errors';
import { randomUUID } from 'node:crypto';
import type { ActorContext, Deps } from '../../domain/ports';
import { getMyPurchasesOverview } from '../../domain/purchasing/list-my-purchases';
import { getSubscriptionSummary } from '../../domain/admin/get-purchase-detail';
import { setRecurringBilling } from '../../domain/purchasing/set-recurring-billing';
import { updatePaymentMethod } from '../../domain/purchasing/update-payment-method';
import { myPurchasesCard, paymentMethodCard, subscriptionCard } from '../../cards/purchaser-cards';
import { CARD_HOLDERS_READ } from '../../cards/ui';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { day } from '../../cards/format';
import { cardReply, command, done, type BannerInput, type Feature } from './feature';
import { mySubscription } from './targets';
import { findProductWords } from './words';
import { paymentToken } from './payment';
import { listMySubscriptions } from '../../domain/purchasing/list-my-subscriptions';
import { CANCEL_REASONS } from '../../domain/purchasing/purchase-support';
import { MAX_REASON_DETAILS, MAX_USERS_PER_OPERATION } from '../../domain/shared/validation';
import type { ActionResponse, MySubscriptionsResponse } from '../../web/contracts/purchases';
import { ok, paymentMethodBody, recurringBody, subscriptionDto } from '../web/purchaser-views';
import { route } from '../web/web-api';

/** A subscription as its reader may act on it: the purchaser (self-service) or an admin (central). */
export const subscriptionView = async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, banner?: BannerInput): Promise<AdaptiveCard> => {
  // The card names a few holders and offers up to 25 in Unassign: it never needs more (DESIGN §5.9).
  const d = await getSubscriptionSummary(deps, ctx, { subscriptionId, assigneeLimit: CARD_HOLDERS_READ });
  return subscriptionCard({
    actions: d.actions,
    subscription: d.subscription,
    product: d.product,
    assignees: d.assignedUsers.map((u) => ({ id: u.id, name: u.displayName })),
    assigneeTotal: d.assignedTotal,
    formId: randomUUID(),
    ...banner,
  });
};

/** The new-card form for one subscription, when the domain says its card can be changed now (otherwise the reason). */
const paymentMethodView = async (deps: Deps, ctx: ActorContext, subscriptionId: unknown, banner?: BannerInput): Promise<AdaptiveCard> => {
  const d = await getSubscriptionSummary(deps, ctx, { subscriptionId, assigneeLimit: 0 });
  const can = d.actions.updateCard;
  if (!can.ok) throw new DomainError(can.code, can.reason);
  return paymentMethodCard({ subscription: d.subscription, product: d.product, ...banner });
};

/** The caller's subscriptions, and what they asked for that still waits for an admin's approval. */
export const myPurchasesView = async (deps: Deps, ctx: ActorContext, banner?: BannerInput): Promise<AdaptiveCard> => {
  return myPurchasesCard({ ...(await getMyPurchasesOverview(deps, ctx)), ...banner });
};

/** What recurring billing is now; "was already" when the press changed nothing (a second press, a stale card). */
const recurringMessage = (s: { recurring: boolean; expiresAt: Date; changed: boolean }): string => {
  const is = s.changed ? 'is' : 'was already';
  return s.recurring ? `Recurring billing ${is} on: it renews automatically.` : `Recurring billing ${is} off: it ends on ${day(s.expiresAt)}.`;
};

export const subscriptions: Feature = {
  name: 'subscriptions',
  web: [
    route({
      method: 'get',
      path: '/my/subscriptions',
      run: async ({ deps, ctx }): Promise<MySubscriptionsResponse> => ({
        items: (await listMySubscriptions(deps, ctx)).map(subscriptionDto),
        cancelReasons: [...CANCEL_REASONS],
        maxPeoplePerOperation: MAX_USERS_PER_OPERATION,
        maxReasonDetails: MAX_REASON_DETAILS,
      }),
    }),
    route({
      method: 'post',
      path: '/my/subscriptions/:id/recurring',
      body: recurringBody,
      run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
        const s = await setRecurringBilling(deps, ctx, { subscriptionId: params.id, enabled: body.on });
        // R13: off is not a cancellation; say when it ends so nobody thinks it stopped today.
        const is = s.changed ? 'is' : 'was already';
        return ok(
          s.recurring
            ? `Recurring billing ${is} on: it renews on ${day(s.expiresAt)}.`
            : `Recurring billing ${is} off: it keeps working until ${day(s.expiresAt)} and then ends. You won't be charged again.`,
        );
      },
    }),
    route({
      method: 'post',
      path: '/my/subscriptions/:id/payment-method',
      body: paymentMethodBody,
      run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
        const s = await updatePaymentMethod(deps, ctx, { subscriptionId: params.id, cardToken: body.token });
        return ok(`Saved: future bills go to the ${s.card?.brand} ending ${s.card?.last4}.`);
      },
    }),
  ],
  commands: [
    command<object>({
      name: 'my purchases',
      usage: 'my purchases',
      example: 'my purchases',
      scope: 'personal',
      personalData: true,
      keywords: ['my purchases', 'my subscriptions', 'purchases', 'subscriptions'],
      parse: (text) => (/^(?:show\s+)?my\s+(?:purchases|subscriptions)$/i.test(text) ? {} : null),
      run: (_a, { deps, ctx }) => cardReply(myPurchasesView(deps, ctx)),
    }),
    command<{ on: boolean; product: string }>({
      name: 'recurring',
      usage: 'recurring on|off <product>',
      example: 'recurring off Power BI Pro',
      scope: 'personal',
      personalData: true,
      keywords: ['recurring', 'autorenew'],
      parse: (text) => {
        const m =
          /^(?:turn\s+)?(?:recurring|auto-?renew(?:al)?)(?:\s+billing)?\s+(on|off)\s+(?:for\s+)?(.+)$/i.exec(text) ??
          /^(?:turn\s+)(on|off)\s+(?:recurring|auto-?renew(?:al)?)(?:\s+billing)?\s+(?:for\s+)?(.+)$/i.exec(text);
        return m ? { on: m[1].toLowerCase() === 'on', product: m[2] } : null;
      },
      canonical: (a, pc) => findProductWords(pc.products, a.product).products.map((p) => `recurring ${a.on ? 'on' : 'off'} ${p.name}`),
      run: async (a, { deps, ctx, pc }) => {
        const mine = await mySubscription(deps, ctx, pc, a.product, {
          doing: `turn recurring billing ${a.on ? 'on' : 'off'}`,
          fits: (m) => m.actions.setRecurring.ok && m.subscription.recurring !== a.on,
          noneFit: (p) => `Recurring billing is already ${a.on ? 'on' : 'off'} for every ${p} subscription of yours.`,
          action: (m) => ({ title: `Turn ${a.on ? 'on' : 'off'}`, verb: VERBS.recurring, data: { subscriptionId: m.subscription.id, enabled: a.on } }),
        });
        const s = await setRecurringBilling(deps, ctx, { subscriptionId: mine.subscription.id, enabled: a.on });
        return cardReply(subscriptionView(deps, ctx, s.id, done(recurringMessage(s))));
      },
    }),
    command<{ product: string }>({
      name: 'payment method',
      usage: 'payment method <product>',
      example: 'payment method Power BI Pro',
      scope: 'personal',
      personalData: true,
      keywords: ['payment', 'card'],
      parse: (text) => {
        const m = /^(?:update\s+|change\s+)?(?:(?:my\s+)?payment method|(?:my\s+)?card)(?:\s+(?:for|of|on))?\s+(.+)$/i.exec(text);
        return m ? { product: m[1] } : null;
      },
      canonical: (a, pc) => findProductWords(pc.products, a.product).products.map((p) => `payment method ${p.name}`),
      run: async (a, { deps, ctx, pc }) => {
        const mine = await mySubscription(deps, ctx, pc, a.product, {
          doing: 'get a new card',
          fits: (m) => m.actions.updateCard.ok,
          action: (m) => ({ title: 'New card', verb: VERBS.paymentMethodForm, data: { subscriptionId: m.subscription.id } }),
        });
        return cardReply(paymentMethodView(deps, ctx, mine.subscription.id));
      },
    }),
  ],
  verbs: {
    [VERBS.mine]: { run: ({ deps, ctx }) => myPurchasesView(deps, ctx) },
    [VERBS.subscription]: { run: ({ deps, ctx, data }) => subscriptionView(deps, ctx, data.subscriptionId) },
    [VERBS.recurring]: {
      run: async ({ deps, ctx, data }) => {
        const s = await setRecurringBilling(deps, ctx, { subscriptionId: data.subscriptionId, enabled: data.enabled });
        return subscriptionView(deps, ctx, s.id, done(recurringMessage(s)));
      },
    },
    [VERBS.paymentMethodForm]: { run: ({ deps, ctx, data }) => paymentMethodView(deps, ctx, data.subscriptionId) },
    [VERBS.paymentMethod]: {
      // A refused card (bad number, expired) comes back on the form, with the reason; a refused change on the subscription.
      recover: (a, banner) => paymentMethodView(a.deps, a.ctx, a.data.subscriptionId, banner).catch(() => subscriptionView(a.deps, a.ctx, a.data.subscriptionId, banner)),
      run: async (a) => {
        const s = await updatePaymentMethod(a.deps, a.ctx, {
          subscriptionId: a.data.subscriptionId,
          cardToken: await paymentToken({ ...a, data: { ...a.data, savedCard: 'new' } }, true),
        });
        return subscriptionView(a.deps, a.ctx, s.id, done(`Saved: future bills go to the ${s.card?.brand} ending ${s.card?.last4}.`));
      },
    },
  },
  views: {
    subscription: (deps, ctx, data) => subscriptionView(deps, ctx, data.subscriptionId),
    mine: (deps, ctx) => myPurchasesView(deps, ctx),
  },
};
