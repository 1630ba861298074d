import { requireAdminWrite } from '../access';
import type { LicenseAssignment, Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit, getProduct, notify } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId, parseQuantity } from '../shared/validation';
import { createCentralSubscription } from '../admin/buy-central-subscription';
import { loadCentralTarget, loadSelfServiceSubscription } from './take-over-support';
import { centralizeAbility } from './purchase-abilities';
import { requireAbility } from '../shared/abilities';

/**
 * R8: give everyone licensed on a self-service subscription a license from a central one (an existing
 * central subscription, or one bought now through the agreement), then ask the purchaser to cancel.
 * The self-service subscription stays as it is until its purchaser cancels it.
 */
export const centralizeLicenses = async (
  deps: Deps,
  ctx: ActorContext,
  input: { subscriptionId: unknown; targetSubscriptionId?: unknown; quantity?: unknown },
): Promise<{ source: Subscription; target: Subscription; assigned: number }> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const targetId = input.targetSubscriptionId ? parseId(input.targetSubscriptionId, 'target subscription') : null;
  const extra = input.quantity === undefined || input.quantity === null || input.quantity === '' ? null : parseQuantity(input.quantity);
  return deps.uow.run(async (repos) => {
    const actor = await requireAdminWrite(repos, ctx);
    const s = await loadSelfServiceSubscription(repos, ctx, subscriptionId);
    const holders = await repos.assignments.listBySubscription(ctx.tenantId, s.id);
    requireAbility(centralizeAbility(actor, s, holders.length));
    const product = await getProduct(repos, s.productId);
    let target = targetId
      ? await loadCentralTarget(repos, ctx, targetId, s)
      : await createCentralSubscription(repos, deps, ctx, actor, product, Math.max(extra ?? 0, holders.length));
    const existing = await repos.assignments.listBySubscription(ctx.tenantId, target.id);
    const inTarget = new Set(existing.map((a) => a.userId));
    const needing = holders.filter((a) => !inTarget.has(a.userId));
    const available = target.quantity - existing.length;
    if (needing.length > available) {
      fail(ErrorCodes.LICENSE_NOT_ENOUGH, `The central subscription has ${available} available license${available === 1 ? '' : 's'} but ${needing.length} users need one.`, {
        available,
        needed: needing.length,
      });
    }
    const now = deps.clock.now();
    const rows: LicenseAssignment[] = needing.map((a) => ({
      id: deps.ids.next(),
      tenantId: ctx.tenantId,
      subscriptionId: target.id,
      userId: a.userId,
      assignedAt: now,
      assignedBy: ctx.actorId,
    }));
    if (rows.length) await repos.assignments.add(rows);
    target = await repos.subscriptions.update(target);
    const source = await repos.subscriptions.update({ ...s, centralizedInto: target.id });
    await audit(
      repos,
      deps,
      ctx,
      'takeover.centralize',
      { type: 'subscription', id: s.id },
      `Centralized ${product.name}: ${rows.length} users got central licenses; purchaser asked to cancel`,
    );
    await notify(repos, deps, ctx.tenantId, [
      {
        recipient: { kind: 'user', userId: s.purchaserId },
        kind: 'CancelRequested',
        data: { subscriptionId: s.id, productId: product.id, productName: product.name, adminName: actor.user.displayName, usersCovered: holders.length },
      },
    ]);
    return { source, target, assigned: rows.length };
  });
};
