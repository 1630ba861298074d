import { z } from 'zod';
import type { ActorContext } from '../../domain/ports';
import type { Invoice, Subscription } from '../../domain/model';
import { MAX_QUANTITY, MAX_REASON_DETAILS, MAX_USERS_PER_OPERATION } from '../../domain/shared/validation';
import { type MySubscriptionWithActions } from '../../domain/purchasing/list-my-subscriptions';
import { SUBSCRIPTION_ACTIONS } from '../../domain/purchasing/subscription-abilities';
import { type CatalogItem } from '../../domain/catalog/list-catalog';
import { CANCEL_REASONS, isLive } from '../../domain/purchasing/purchase-support';
import { STATUS_WORDS } from '../../cards/format';
import type { ActionResponse, BillView, CatalogItemView, SubscriptionView } from '../../web/contracts/purchases';

// ---------------------------------------------------------------------------------------------- input

/** Ids as the domain accepts them (bounded, printable); anything else is a 400 before any use case runs. */
const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'not a valid id');
/** One per form on the page; 8+ characters so two forms can't collide by accident. */
const idempotencyKey = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'not a valid key');
const quantity = z.number().int().min(1).max(MAX_QUANTITY);
/** A provider token (the sandbox's are ~150 characters); the domain verifies it with the provider. */
const cardToken = z.string().min(1).max(2048);
const people = z.array(id).min(1).max(MAX_USERS_PER_OPERATION);

export const licensesBody = z.strictObject({ action: z.enum(['add', 'remove']), count: quantity, idempotencyKey });
export const peopleBody = z.strictObject({ userIds: people });
export const recurringBody = z.strictObject({ on: z.boolean() });
export const paymentMethodBody = z.strictObject({ token: cardToken });
export const cancelBody = z.strictObject({
  reason: z.enum(CANCEL_REASONS),
  details: z
    .string()
    .max(MAX_REASON_DETAILS * 2)
    .optional(),
});
export const payBody = z
  .strictObject({ token: cardToken.optional(), savedSubscriptionId: id.optional() })
  .refine((b) => !(b.token && b.savedSubscriptionId), 'Pay with a saved card or a new card, not both.');
export const checkoutBody = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('buy'), productId: id, quantity, billingFrequency: z.enum(['Monthly', 'Annual']), token: cardToken, idempotencyKey }),
  z.strictObject({ mode: z.literal('trial'), productId: id, token: cardToken.optional(), idempotencyKey }),
]);

/**
 * Keys are stored per tenant; naming them after the caller means one person's key can never replay
 * (or be refused because of) another person's request.
 */
export const scopedKey = (ctx: ActorContext, key: string): string => `web:${ctx.actorId}:${key}`;

export const MAX_SEARCH_LENGTH = 120;

// ---------------------------------------------------------------------------------------------- output

const cardView = (s: Subscription) => (s.card ? { brand: s.card.brand, last4: s.card.last4, expMonth: s.card.expMonth, expYear: s.card.expYear } : null);

export const subscriptionDto = ({ subscription: s, product, assignees, actions }: MySubscriptionWithActions): SubscriptionView => {
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
    reasons: Object.fromEntries(
      SUBSCRIPTION_ACTIONS.flatMap((a) => {
        const x = actions[a];
        return x.ok ? [] : [[a, x.reason]];
      }),
    ),
    assignees: assignees.map((a) => ({ id: a.id, displayName: a.displayName, email: a.email })),
  };
};

export const billView = (b: Invoice): BillView => ({
  id: b.id,
  subscriptionId: b.subscriptionId,
  description: b.description,
  amount: { ...b.amount },
  status: b.status,
  issuedAt: b.issuedAt.toISOString(),
  paidAt: b.paidAt?.toISOString() ?? null,
  declined: b.status === 'Unpaid' && Boolean(b.failureCode),
});

export const catalogItemView = (i: CatalogItem, owned: ReadonlyArray<{ subscriptionId: string; quantity: number; assigned: number; canAssign: boolean }>): CatalogItemView => ({
  productId: i.product.id,
  name: i.product.name,
  prices: { Monthly: { ...i.product.prices.Monthly }, Annual: { ...i.product.prices.Annual } },
  trial: i.product.trial && { ...i.product.trial },
  canBuy: i.canBuy,
  canTrial: i.canTrial,
  owned: owned.map((o) => ({ subscriptionId: o.subscriptionId, quantity: o.quantity, assigned: o.assigned, canAssign: o.canAssign })),
});

// ---------------------------------------------------------------------------------------------- helpers

export const ok = (message: string): ActionResponse => ({ message });
