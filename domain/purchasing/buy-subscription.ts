import { isAdmin, loadActor } from '../access';
import type { Invoice, PurchaseRequest, Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { effectivePolicy } from '../policy/policy-rules';
import { buyAbility } from '../catalog/catalog-abilities';
import { requireAbility } from '../shared/abilities';
import { getProduct } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseIdempotencyKey, remember, replay } from '../shared/idempotency';
import { parseBillingFrequency, parseQuantity } from '../shared/validation';
import { createPaidSubscription, resolveCard } from './purchase-support';
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

/**
 * R1 eligibility, R3 policy, R2 card payment. With the tenant's "require admin approval" setting on,
 * a non-admin's purchase becomes a pending request instead (charged only when approved).
 */
export const buySubscription = async (deps: Deps, ctx: ActorContext, input: BuyInput): Promise<BuyResult> => {
  const quantity = parseQuantity(input.quantity);
  const frequency = parseBillingFrequency(input.billingFrequency);
  const key = parseIdempotencyKey(input.idempotencyKey);
  // What makes two requests with one key the same purchase: product, quantity, frequency. Not the card
  // token: typed card details become a new one-time token on every press, so a second press of one
  // form (or a retried checkout) must still replay the first result, not read as a different request.
  const fingerprint = JSON.stringify([String(input.productId), quantity, frequency]);
  return deps.uow.run(async (repos) => {
    const previous = await replay(repos, ctx, key, 'buy', fingerprint);
    if (previous) {
      const [kind, id] = previous.split(':');
      if (kind === 'req') {
        const request = await repos.requests.get(ctx.tenantId, id);
        if (request) return { status: 'pending', request };
      } else {
        const subscription = await repos.subscriptions.get(ctx.tenantId, id);
        if (subscription) return { status: 'created', subscription, invoice: null };
      }
      return fail(ErrorCodes.IDEMPOTENCY_KEY_REUSED, 'That request id was already used.');
    }
    const actor = await loadActor(repos, ctx);
    const product = await getProduct(repos, input.productId);
    // The catalog's Buy reports this same rule.
    requireAbility(buyAbility(actor, deps.settings, product, effectivePolicy(await repos.policies.list(ctx.tenantId), product.id)));
    const card = await resolveCard(deps, input.cardToken);

    if (actor.tenant.requireApproval && !isAdmin(actor.roles)) {
      const request = await createPurchaseRequest(repos, deps, ctx, actor, { product, kind: 'Purchase', quantity, frequency, cardToken: card.token });
      await remember(repos, deps, ctx, key, 'buy', fingerprint, `req:${request.id}`);
      return { status: 'pending', request };
    }
    const chargeKey = `buy:${ctx.tenantId}:${key ?? deps.ids.next()}`;
    const { subscription, invoice } = await createPaidSubscription(repos, deps, ctx, {
      product,
      quantity,
      frequency,
      card,
      purchaserId: actor.user.id,
      purchaserName: actor.user.displayName,
      chargeKey,
    });
    await remember(repos, deps, ctx, key, 'buy', fingerprint, `sub:${subscription.id}`);
    return { status: 'created', subscription, invoice };
  });
};
