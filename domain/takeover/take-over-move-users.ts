import { requireAdminWrite } from '../access';
import type { LicenseAssignment, Subscription } from '../model';
import type { ActorContext, Deps } from '../ports';
import { requireAbility } from '../shared/abilities';
import { audit, getProduct, notify, recordOrder } from '../shared/effects';
import { parseId, parseReason } from '../shared/validation';
import { TAKEOVER_REASONS } from '../purchasing/purchase-support';
import { moveUsersAbility } from './purchase-abilities';
import { loadCentralTarget, loadSelfServiceSubscription } from './take-over-support';

/**
 * R9: move every licensed user to a central subscription, then cancel the self-service one (status
 * Deleted, purchaser told, with the reason the admin picked). Needs one available target license per
 * user moved; all or nothing.
 */
export const takeOverMoveUsers = async (
  deps: Deps,
  ctx: ActorContext,
  input: { subscriptionId: unknown; targetSubscriptionId: unknown; reason?: unknown; details?: unknown },
): Promise<{ source: Subscription; target: Subscription; moved: number }> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const targetId = parseId(input.targetSubscriptionId, 'target subscription');
  const reason = input.reason === undefined || input.reason === null || input.reason === '' ? null : parseReason(input.reason, TAKEOVER_REASONS, input.details);
  return deps.uow.run(async (repos) => {
    const actor = await requireAdminWrite(repos, ctx);
    const s = await loadSelfServiceSubscription(repos, ctx, subscriptionId);
    const t = await loadCentralTarget(repos, ctx, targetId, s);
    const [fromRows, toRows, product] = await Promise.all([
      repos.assignments.listBySubscription(ctx.tenantId, s.id),
      repos.assignments.listBySubscription(ctx.tenantId, t.id),
      getProduct(repos, s.productId),
    ]);
    const inTarget = new Set(toRows.map((a) => a.userId));
    const moving = fromRows.filter((a) => !inTarget.has(a.userId));
    // The same rule the purchase's card reads, for the one target chosen.
    requireAbility(moveUsersAbility(actor, s, product, [{ subscription: t, available: t.quantity - toRows.length, needed: moving.length }], fromRows.length));
    const now = deps.clock.now();
    if (fromRows.length)
      await repos.assignments.remove(
        ctx.tenantId,
        s.id,
        fromRows.map((a) => a.userId),
      );
    const added: LicenseAssignment[] = moving.map((a) => ({
      id: deps.ids.next(),
      tenantId: ctx.tenantId,
      subscriptionId: t.id,
      userId: a.userId,
      assignedAt: now,
      assignedBy: ctx.actorId,
    }));
    if (added.length) await repos.assignments.add(added);
    const source = await repos.subscriptions.update({ ...s, status: 'Deleted', recurring: false, cancelledAt: now, cancelReason: reason ?? 'Users moved by admin' });
    const target = await repos.subscriptions.update(t);
    const why = reason ? ` (${reason})` : '';
    await recordOrder(repos, deps, {
      tenantId: ctx.tenantId,
      subscriptionId: s.id,
      kind: 'TakenOver',
      quantityDelta: -s.quantity,
      actorId: ctx.actorId,
      note: `Users moved to ${t.id}${reason ? `: ${reason}` : ''}`,
    });
    await recordOrder(repos, deps, {
      tenantId: ctx.tenantId,
      subscriptionId: t.id,
      kind: 'UsersMoved',
      quantityDelta: 0,
      actorId: ctx.actorId,
      note: `${moving.length} users moved from ${s.id}`,
    });
    await audit(
      repos,
      deps,
      ctx,
      'takeover.move-users',
      { type: 'subscription', id: s.id },
      `Took over ${product.name}${why}: moved ${fromRows.length} users to a central subscription`,
    );
    await notify(repos, deps, ctx.tenantId, [
      {
        recipient: { kind: 'user', userId: s.purchaserId },
        kind: 'SubscriptionTakenOver',
        data: { subscriptionId: s.id, productId: product.id, productName: product.name, adminName: actor.user.displayName, usersMoved: fromRows.length, reason },
      },
    ]);
    return { source, target, moved: fromRows.length };
  });
};
