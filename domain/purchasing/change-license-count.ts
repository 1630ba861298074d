import { loadActor } from '../access';
import { count } from '../shared/wording';
import type { Invoice, Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { daysBetween } from '../shared/clock';
import { audit, getProduct, recordOrder } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { prorate } from '../shared/money';
import { MAX_QUANTITY, parseId, parseQuantity } from '../shared/validation';
import { parseIdempotencyKey, remember, replay } from '../shared/idempotency';
import { chargeOrFail, loadForAction, newInvoice } from './purchase-support';

const period = (s: Subscription): number => daysBetween(s.startedAt, s.expiresAt) || 1;

/**
 * Buy more licenses on a subscription. Self-service: the purchaser's card is charged for the rest of
 * the current term, prorated by day. Central: billed to the organization's agreement, no card.
 */
export const addLicenses = async (
  deps: Deps,
  ctx: ActorContext,
  input: { subscriptionId: unknown; quantity: unknown; idempotencyKey?: unknown },
): Promise<{ subscription: Subscription; invoice: Invoice | null }> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const more = parseQuantity(input.quantity);
  const key = parseIdempotencyKey(input.idempotencyKey);
  const fingerprint = JSON.stringify(['add', subscriptionId, more]);
  return deps.uow.run(async (repos) => {
    // A double-clicked "Add" adds once: the second click finds the first one's result.
    if (await replay(repos, ctx, key, 'add-licenses', fingerprint)) {
      return { subscription: (await repos.subscriptions.get(ctx.tenantId, subscriptionId))!, invoice: null };
    }
    const actor = await loadActor(repos, ctx);
    // Trials, strangers, readers and ended subscriptions are refused by the rules the reads report.
    const { subscription: s } = await loadForAction(repos, actor, subscriptionId, 'addLicenses');
    if (s.quantity + more > MAX_QUANTITY) fail(ErrorCodes.QUANTITY_TOO_LARGE, `A subscription can have at most ${MAX_QUANTITY} licenses.`, { max: MAX_QUANTITY });
    const product = await getProduct(repos, s.productId);
    const now = deps.clock.now();
    const amount = prorate(s.unitPrice, more * daysBetween(now, s.expiresAt), period(s));
    let invoice: Invoice | null = null;
    if (s.origin === 'SelfService' && amount.amountMinor > 0) {
      const description = `${product.name}: ${more} more license${more === 1 ? '' : 's'} until ${s.expiresAt.toISOString().slice(0, 10)}`;
      const chargeId = await chargeOrFail(deps, {
        card: s.card ?? fail(ErrorCodes.PAYMENT_METHOD_REQUIRED, 'Add a card to this subscription first.'),
        amount,
        idempotencyKey: `add:${s.id}:${s.version}`,
        description,
      });
      invoice = newInvoice(deps, s, amount, description, { chargeId });
      await repos.invoices.add(invoice);
    }
    const subscription = await repos.subscriptions.update({ ...s, quantity: s.quantity + more });
    await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: s.id, kind: 'LicensesAdded', quantityDelta: more, amount, actorId: ctx.actorId });
    await audit(repos, deps, ctx, 'subscription.add-licenses', { type: 'subscription', id: s.id }, `${product.name}: ${s.quantity} → ${count(subscription.quantity, 'license')}`);
    await remember(repos, deps, ctx, key, 'add-licenses', fingerprint, s.id);
    return { subscription, invoice };
  });
};

/** Remove licenses; never below the number assigned (unassign people first) and never to zero (cancel instead). */
export const removeLicenses = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown; quantity: unknown; idempotencyKey?: unknown }): Promise<Subscription> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const fewer = parseQuantity(input.quantity);
  const key = parseIdempotencyKey(input.idempotencyKey);
  const fingerprint = JSON.stringify(['remove', subscriptionId, fewer]);
  return deps.uow.run(async (repos) => {
    if (await replay(repos, ctx, key, 'remove-licenses', fingerprint)) return (await repos.subscriptions.get(ctx.tenantId, subscriptionId))!;
    const actor = await loadActor(repos, ctx);
    const { subscription: s, assigned } = await loadForAction(repos, actor, subscriptionId, 'removeLicenses');
    const target = s.quantity - fewer;
    if (target < 1)
      fail(ErrorCodes.QUANTITY_TOO_LARGE, `This subscription has ${count(s.quantity, 'license')}; to remove ${s.quantity === 1 ? 'it' : 'them all'}, cancel it.`, {
        quantity: s.quantity,
      });
    if (target < assigned) {
      fail(
        ErrorCodes.LICENSE_BELOW_ASSIGNED,
        `${count(assigned, 'license')} ${assigned === 1 ? 'is' : 'are'} assigned, so you can go down to ${assigned} at most. Unassign people first.`,
        { assigned, quantity: s.quantity },
      );
    }
    const product = await getProduct(repos, s.productId);
    const subscription = await repos.subscriptions.update({ ...s, quantity: target });
    await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: s.id, kind: 'LicensesRemoved', quantityDelta: -fewer, actorId: ctx.actorId });
    await audit(repos, deps, ctx, 'subscription.remove-licenses', { type: 'subscription', id: s.id }, `${product.name}: ${s.quantity} → ${count(target, 'license')}`);
    await remember(repos, deps, ctx, key, 'remove-licenses', fingerprint, s.id);
    return subscription;
  });
};
