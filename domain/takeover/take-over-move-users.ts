import { requireAdminWrite } from '../access';
import type { LicenseAssignment, Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit, getProduct, notify, recordOrder } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { loadCentralTarget, loadSelfServiceSubscription } from './take-over-support';

/**
 * R9: move every licensed user to a central subscription, then cancel the self-service one (status
 * Deleted, purchaser told). Needs one available target license per user moved; all or nothing.
 */
export const takeOverMoveUsers = async (
  deps: Deps,
  ctx: ActorContext,
  input: { subscriptionId: unknown; targetSubscriptionId: unknown },
): Promise<{ source: Subscription; target: Subscription; moved: number }> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const targetId = parseId(input.targetSubscriptionId, 'target subscription');
  return deps.uow.run(async (repos) => {
    const actor = await requireAdminWrite(repos, ctx);
    const s = await loadSelfServiceSubscription(repos, ctx, subscriptionId);
    const t = await loadCentralTarget(repos, ctx, targetId, s);
    const [fromRows, toRows] = await Promise.all([repos.assignments.listBySubscription(ctx.tenantId, s.id), repos.assignments.listBySubscription(ctx.tenantId, t.id)]);
    const inTarget = new Set(toRows.map((a) => a.userId));
    const moving = fromRows.filter((a) => !inTarget.has(a.userId));
    const available = t.quantity - toRows.length;
    if (moving.length > available) {
      fail(ErrorCodes.LICENSE_NOT_ENOUGH, `The target has ${available} available license${available === 1 ? '' : 's'} but ${moving.length} users need one. Add licenses to it first.`, { available, needed: moving.length });
    }
    const now = deps.clock.now();
    if (fromRows.length) await repos.assignments.remove(ctx.tenantId, s.id, fromRows.map((a) => a.userId));
    const added: LicenseAssignment[] = moving.map((a) => ({ id: deps.ids.next(), tenantId: ctx.tenantId, subscriptionId: t.id, userId: a.userId, assignedAt: now, assignedBy: ctx.actorId }));
    if (added.length) await repos.assignments.add(added);
    const product = await getProduct(repos, s.productId);
    const source = await repos.subscriptions.update({ ...s, status: 'Deleted', recurring: false, cancelledAt: now, cancelReason: 'Users moved by admin' });
    const target = await repos.subscriptions.update(t);
    await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: s.id, kind: 'TakenOver', quantityDelta: -s.quantity, actorId: ctx.actorId, note: `Users moved to ${t.id}` });
    await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: t.id, kind: 'UsersMoved', quantityDelta: 0, actorId: ctx.actorId, note: `${moving.length} users moved from ${s.id}` });
    await audit(repos, deps, ctx, 'takeover.move-users', { type: 'subscription', id: s.id }, `Took over ${product.name}: moved ${fromRows.length} users to a central subscription`);
    await notify(repos, deps, ctx.tenantId, [
      {
        recipient: { kind: 'user', userId: s.purchaserId },
        kind: 'SubscriptionTakenOver',
        data: { subscriptionId: s.id, productId: product.id, productName: product.name, adminName: actor.user.displayName, usersMoved: fromRows.length },
      },
    ]);
    return { source, target, moved: fromRows.length };
  });
};
