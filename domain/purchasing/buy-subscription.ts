import { isAdmin, loadActor } from '../access';
import type { BillingFrequency, CardSummary, Invoice, PurchaseRequest, Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { effectivePolicy } from '../policy/policy-rules';
import { buyAbility } from '../catalog/catalog-abilities';
import { requireAbility } from '../shared/abilities';
import { getProduct } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseIdempotencyKey, remember, replay } from '../shared/idempotency';
import { parseBillingFrequency, parseQuantity } from '../shared/validation';
import { createPaidSubscription, purchaseCharge, resolveCard } from './purchase-support';
import { declineError, replayRefusal, runCharged, type ChargedOperation } from './charges';
import { createPurchaseRequest } from '../approvals/create-purchase-request';

export interface BuyInput {
  productId: unknown;
  quantity: unknown;
  billingFrequency?: unknown;
  cardToken: unknown;
  /** Makes a retried or double-submitted purchase create one subscription and one charge. */
  idempotencyKey?: unknown;
}

export type BuyResult = { status: 'created'; subscription: Subscription; invoice: Invoice | null } | { status: 'pending'; request: PurchaseRequest };

interface BuyPlan {
  productId: string;
  quantity: number;
  frequency: BillingFrequency;
  card: CardSummary;
  purchaserId: string;
  purchaserName: string;
  key: string | null;
  fingerprint: string;
}

/**
 * R1 eligibility, R3 policy, R2 card payment. With the tenant's "require admin approval" setting on,
 * a non-admin's purchase becomes a pending request instead (charged only when approved). The card is
 * charged between the checks and the purchase's records, outside both transactions (charges.ts).
 */
export const BUY: ChargedOperation<BuyInput, BuyPlan, BuyResult> = {
  name: 'buy',
  prepare: async (repos, deps, ctx, input) => {
    const quantity = parseQuantity(input.quantity);
    const frequency = parseBillingFrequency(input.billingFrequency);
    const key = parseIdempotencyKey(input.idempotencyKey);
    // What makes two requests with one key the same purchase: product, quantity, frequency. Not the card
    // token: typed card details become a new one-time token on every press, so a second press of one
    // form (or a retried checkout) must still replay the first result, not read as a different request.
    const fingerprint = JSON.stringify([String(input.productId), quantity, frequency]);
    const previous = await replay(repos, ctx, key, 'buy', fingerprint);
    if (previous) return { done: await replayed(repos, ctx, previous) };
    const actor = await loadActor(repos, ctx);
    const product = await getProduct(repos, input.productId);
    // The catalog's Buy reports this same rule.
    requireAbility(buyAbility(actor, deps.settings, product, effectivePolicy(await repos.policies.list(ctx.tenantId), product.id)));
    const card = await resolveCard(deps, input.cardToken);

    if (actor.tenant.requireApproval && !isAdmin(actor.roles)) {
      const request = await createPurchaseRequest(repos, deps, ctx, actor, { product, kind: 'Purchase', quantity, frequency, cardToken: card.token });
      await remember(repos, deps, ctx, key, 'buy', fingerprint, `req:${request.id}`);
      return { done: { status: 'pending', request } };
    }
    const { amount, description } = purchaseCharge(product, quantity, frequency);
    return {
      // One key per purchase: the request id when the caller gave one (a retry charges nothing new).
      charge: { key: `buy:${ctx.tenantId}:${key ?? deps.ids.next()}`, card, amount, description },
      plan: { productId: product.id, quantity, frequency, card, purchaserId: actor.user.id, purchaserName: actor.user.displayName, key, fingerprint },
    };
  },
  commit: async (repos, deps, ctx, plan, outcome) => {
    if (outcome.status === 'declined') throw declineError(plan.card, outcome);
    const product = await getProduct(repos, plan.productId);
    const { subscription, invoice } = await createPaidSubscription(repos, deps, ctx, { ...plan, product, chargeId: outcome.chargeId });
    await remember(repos, deps, ctx, plan.key, 'buy', plan.fingerprint, `sub:${subscription.id}`);
    return { result: { status: 'created', subscription, invoice }, resultId: subscription.id };
  },
  replay: async (repos, _deps, ctx, _plan, intent) => {
    if (intent.outcome !== 'Charged' || !intent.resultId) return replayRefusal(intent);
    return replayed(repos, ctx, `sub:${intent.resultId}`);
  },
};

/** What an earlier request with the same key made. */
const replayed = async (repos: Repositories, ctx: ActorContext, previous: string): Promise<BuyResult> => {
  const [kind, id] = previous.split(':');
  if (kind === 'req') {
    const request = await repos.requests.get(ctx.tenantId, id);
    if (request) return { status: 'pending', request };
  } else {
    const subscription = await repos.subscriptions.get(ctx.tenantId, id);
    // With the purchase's own bill (its first), so a second press is answered as the first was.
    if (subscription) return { status: 'created', subscription, invoice: (await repos.invoices.listBySubscription(ctx.tenantId, id)).at(-1) ?? null };
  }
  return fail(ErrorCodes.IDEMPOTENCY_KEY_REUSED, 'That request id was already used.');
};

export const buySubscription = (deps: Deps, ctx: ActorContext, input: BuyInput): Promise<BuyResult> => runCharged(deps, ctx, BUY, input);
