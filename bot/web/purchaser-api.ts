import { z } from 'zod';
import type { ActorContext, Deps } from '../../domain/ports';
import type { Invoice, Subscription } from '../../domain/model';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { MAX_QUANTITY, MAX_USERS_PER_OPERATION } from '../../domain/shared/validation';
import { listMySubscriptions, type MySubscriptionWithActions } from '../../domain/purchasing/list-my-subscriptions';
import { SUBSCRIPTION_ACTIONS } from '../../domain/purchasing/subscription-abilities';
import { listMyPurchases } from '../../domain/purchasing/list-my-purchases';
import { listBills } from '../../domain/billing/list-bills';
import { payBill } from '../../domain/billing/pay-bill';
import { listCatalog, type CatalogItem } from '../../domain/catalog/list-catalog';
import { findPeople } from '../../domain/directory/find-people';
import { addLicenses, removeLicenses } from '../../domain/purchasing/change-license-count';
import { assignLicenses, unassignLicenses } from '../../domain/licenses/assign-licenses';
import { setRecurringBilling } from '../../domain/purchasing/set-recurring-billing';
import { updatePaymentMethod } from '../../domain/purchasing/update-payment-method';
import { cancelSubscription } from '../../domain/purchasing/cancel-subscription';
import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { startTrial } from '../../domain/purchasing/start-trial';
import { CANCEL_REASONS, isLive } from '../../domain/purchasing/purchase-support';
import { day, plural, price, STATUS_WORDS } from '../../cards/format';
import { savedCardsOf } from '../features/payment';
import { route, type WebRoute } from './web-api';
import type {
  ActionResponse, BillView, BillsResponse, CatalogItemView, CatalogResponse, CheckoutResponse, MySubscriptionsResponse, PeopleResponse, SubscriptionView,
} from '../../web/contracts/purchases';

// ---------------------------------------------------------------------------------------------- input

/** Ids as the domain accepts them (bounded, printable); anything else is a 400 before any use case runs. */
const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:@-]+$/, 'not a valid id');
/** One per form on the page; 8+ characters so two forms can't collide by accident. */
const idempotencyKey = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/, 'not a valid key');
const quantity = z.number().int().min(1).max(MAX_QUANTITY);
/** A provider token (the sandbox's are ~150 characters); the domain verifies it with the provider. */
const cardToken = z.string().min(1).max(2048);
const people = z.array(id).min(1).max(MAX_USERS_PER_OPERATION);

const licensesBody = z.strictObject({ action: z.enum(['add', 'remove']), count: quantity, idempotencyKey });
const peopleBody = z.strictObject({ userIds: people });
const recurringBody = z.strictObject({ on: z.boolean() });
const paymentMethodBody = z.strictObject({ token: cardToken });
const cancelBody = z.strictObject({ reason: z.enum(CANCEL_REASONS) });
const payBody = z
  .strictObject({ token: cardToken.optional(), savedSubscriptionId: id.optional() })
  .refine((b) => !(b.token && b.savedSubscriptionId), 'Pay with a saved card or a new card, not both.');
const checkoutBody = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('buy'), productId: id, quantity, billingFrequency: z.enum(['Monthly', 'Annual']), token: cardToken, idempotencyKey }),
  z.strictObject({ mode: z.literal('trial'), productId: id, token: cardToken.optional(), idempotencyKey }),
]);

/**
 * Keys are stored per tenant; naming them after the caller means one person's key can never replay
 * (or be refused because of) another person's request.
 */
const scopedKey = (ctx: ActorContext, key: string): string => `web:${ctx.actorId}:${key}`;

const MAX_SEARCH_LENGTH = 120;

// ---------------------------------------------------------------------------------------------- output

const cardView = (s: Subscription) => (s.card ? { brand: s.card.brand, last4: s.card.last4, expMonth: s.card.expMonth, expYear: s.card.expYear } : null);

export const subscriptionView = ({ subscription: s, product, assignees, actions }: MySubscriptionWithActions): SubscriptionView => {
  const live = isLive(s);
  const assigned = assignees.length;
  return {
    id: s.id,
    productId: product.id,
    productName: product.name,
    status: s.status,
    statusWord: STATUS_WORDS[s.status] ?? s.status,
    isTrial: s.isTrial,
    live,
    quantity: s.quantity,
    assigned,
    available: Math.max(0, s.quantity - assigned),
    billingFrequency: s.billingFrequency,
    unitPrice: { ...s.unitPrice },
    recurring: s.recurring,
    startedAt: s.startedAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    cancelledAt: s.cancelledAt?.toISOString() ?? null,
    cancelReason: s.cancelReason,
    card: cardView(s),
    centralized: Boolean(s.centralizedInto) && live,
    // Exactly what the domain says this reader may do now (the same rules the use cases refuse by).
    can: Object.fromEntries(SUBSCRIPTION_ACTIONS.map((a) => [a, actions[a].ok])) as SubscriptionView['can'],
    reasons: Object.fromEntries(SUBSCRIPTION_ACTIONS.flatMap((a) => { const x = actions[a]; return x.ok ? [] : [[a, x.reason]]; })),
    assignees: assignees.map((a) => ({ id: a.id, displayName: a.displayName, email: a.email })),
  };
};

const billView = (b: Invoice): BillView => ({
  id: b.id,
  subscriptionId: b.subscriptionId,
  description: b.description,
  amount: { ...b.amount },
  status: b.status,
  issuedAt: b.issuedAt.toISOString(),
  paidAt: b.paidAt?.toISOString() ?? null,
  declined: b.status === 'Unpaid' && Boolean(b.failureCode),
});

const catalogItemView = (i: CatalogItem): CatalogItemView => ({
  productId: i.product.id,
  name: i.product.name,
  prices: { Monthly: { ...i.product.prices.Monthly }, Annual: { ...i.product.prices.Annual } },
  trial: i.product.trial && { ...i.product.trial },
  canBuy: i.canBuy,
  canTrial: i.canTrial,
});

// ---------------------------------------------------------------------------------------------- helpers

/** A card on file: one of the caller's own subscriptions' cards, looked up here, never sent by the page. */
const savedCardToken = async (deps: Deps, ctx: ActorContext, subscriptionId: string): Promise<string> => {
  const mine = await listMyPurchases(deps, ctx);
  const card = mine.find((m) => m.subscription.id === subscriptionId && isLive(m.subscription))?.subscription.card;
  if (!card) throw new DomainError(ErrorCodes.PAYMENT_METHOD_REQUIRED, "That card isn't on file any more. Enter a card.");
  return card.token;
};

const ok = (message: string): ActionResponse => ({ message });

// ---------------------------------------------------------------------------------------------- routes

/**
 * The purchaser's pages (My purchases tab, checkout dialog). Each route is one domain use case run
 * as the verified caller; the ids in the path are only a request: the domain decides from stored
 * state whether this person may see or change that subscription or bill.
 */
export const purchaserRoutes: readonly WebRoute[] = [
  route({
    method: 'get',
    path: '/my/subscriptions',
    run: async ({ deps, ctx }): Promise<MySubscriptionsResponse> => ({
      items: (await listMySubscriptions(deps, ctx)).map(subscriptionView),
      cancelReasons: [...CANCEL_REASONS],
      maxPeoplePerOperation: MAX_USERS_PER_OPERATION,
    }),
  }),

  route({
    method: 'get',
    path: '/my/bills',
    run: async ({ deps, ctx }): Promise<BillsResponse> => {
      const [bills, savedCards] = await Promise.all([listBills(deps, ctx), savedCardsOf(deps, ctx)]);
      return { items: bills.map(billView), savedCards };
    },
  }),

  route({
    method: 'get',
    path: '/catalog',
    run: async ({ deps, ctx }): Promise<CatalogResponse> => ({ items: (await listCatalog(deps, ctx)).map(catalogItemView) }),
  }),

  route({
    method: 'get',
    path: '/catalog/:productId',
    run: async ({ deps, ctx, params }): Promise<CatalogItemView> => {
      const item = (await listCatalog(deps, ctx)).find((i) => i.product.id === params.productId || i.product.legacyIds.includes(params.productId));
      if (!item) throw new DomainError(ErrorCodes.PRODUCT_UNKNOWN, "We don't sell that product here.");
      return catalogItemView(item);
    },
  }),

  route({
    method: 'get',
    path: '/people',
    run: async ({ deps, ctx, query }): Promise<PeopleResponse> => {
      const q = (query.q ?? '').trim();
      if (!q) return { people: [] };
      if (q.length > MAX_SEARCH_LENGTH) throw new DomainError(ErrorCodes.INPUT_INVALID, 'That name is too long.');
      const [match] = await findPeople(deps, ctx, { queries: [q] });
      return { people: (match?.people ?? []).map((p) => ({ id: p.id, displayName: p.displayName, email: p.email })) };
    },
  }),

  route({
    method: 'post',
    path: '/my/subscriptions/:id/licenses',
    body: licensesBody,
    run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
      const input = { subscriptionId: params.id, quantity: body.count, idempotencyKey: scopedKey(ctx, body.idempotencyKey) };
      if (body.action === 'add') {
        const { subscription, invoice } = await addLicenses(deps, ctx, input);
        return ok(`Done: ${plural(subscription.quantity, 'license')} now${invoice ? `; ${price(invoice.amount)} charged to the card on file` : ''}.`);
      }
      const s = await removeLicenses(deps, ctx, input);
      return ok(`Done: ${plural(s.quantity, 'license')} from the next bill. No refund for the current term.`);
    },
  }),

  route({
    method: 'post',
    path: '/my/subscriptions/:id/assign',
    body: peopleBody,
    run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
      const r = await assignLicenses(deps, ctx, { subscriptionId: params.id, userIds: body.userIds });
      const skipped = r.alreadyAssigned.length ? ` (${plural(r.alreadyAssigned.length, 'person', 'people')} already had one)` : '';
      return ok(`Assigned ${plural(r.assigned.length, 'license')}${skipped}; ${r.available} available. They have been told in Teams.`);
    },
  }),

  route({
    method: 'post',
    path: '/my/subscriptions/:id/unassign',
    body: peopleBody,
    run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
      const r = await unassignLicenses(deps, ctx, { subscriptionId: params.id, userIds: body.userIds });
      return ok(`Removed ${plural(r.unassigned.length, 'license')}; ${r.available} available.`);
    },
  }),

  route({
    method: 'post',
    path: '/my/subscriptions/:id/recurring',
    body: recurringBody,
    run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
      const s = await setRecurringBilling(deps, ctx, { subscriptionId: params.id, enabled: body.on });
      // R13: off is not a cancellation; say when it ends so nobody thinks it stopped today.
      return ok(s.recurring ? `Recurring billing is on: it renews on ${day(s.expiresAt)}.` : `Recurring billing is off: it keeps working until ${day(s.expiresAt)} and then ends. You won't be charged again.`);
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

  route({
    method: 'post',
    path: '/my/subscriptions/:id/cancel',
    body: cancelBody,
    run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
      await cancelSubscription(deps, ctx, { subscriptionId: params.id, reason: body.reason });
      return ok("Cancelled. Its licenses have been removed and you won't be charged again.");
    },
  }),

  route({
    method: 'post',
    path: '/my/bills/:id/pay',
    body: payBody,
    run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
      const token = body.savedSubscriptionId ? await savedCardToken(deps, ctx, body.savedSubscriptionId) : body.token;
      const bill = await payBill(deps, ctx, { invoiceId: params.id, cardToken: token });
      return ok(`Paid ${price(bill.amount)}. Thank you.`);
    },
  }),

  route({
    method: 'post',
    path: '/checkout',
    body: checkoutBody,
    // The same use cases as the buy card's Buy / Start trial, with the token the provider issued to the page.
    run: async ({ deps, ctx, body }): Promise<CheckoutResponse> => {
      if (body.mode === 'buy') {
        const r = await buySubscription(deps, ctx, {
          productId: body.productId,
          quantity: body.quantity,
          billingFrequency: body.billingFrequency,
          cardToken: body.token,
          idempotencyKey: scopedKey(ctx, body.idempotencyKey),
        });
        if (r.status === 'pending') {
          return { status: 'pending', requestId: r.request.id, message: 'Your organization asks admins to approve purchases: your request is on its way, and nothing is charged until it is approved. You will hear back in chat.' };
        }
        const s = r.subscription;
        const paid = r.invoice ? ` for ${price(r.invoice.amount)}` : '';
        return { status: 'created', subscriptionId: s.id, message: `Done: you bought ${plural(s.quantity, 'license')}${paid}, charged to the ${s.card?.brand ?? 'card'} ending ${s.card?.last4 ?? ''}. Assign them from My purchases.` };
      }
      const r = await startTrial(deps, ctx, { productId: body.productId, cardToken: body.token });
      if (r.status === 'pending') {
        return { status: 'pending', requestId: r.request.id, message: 'Your trial request is waiting for an admin’s approval. You will hear back in chat.' };
      }
      const s = r.subscription;
      return { status: 'created', subscriptionId: s.id, message: `Your trial has started: ${plural(s.quantity, 'license')} until ${day(s.expiresAt)}. Assign them from My purchases.` };
    },
  }),
];
