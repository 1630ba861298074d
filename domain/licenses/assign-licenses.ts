import { loadActor } from '../access';
import type { LicenseAssignment } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit, getProduct, notify, toEachUser } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { MAX_USERS_PER_OPERATION, parseId, parseIdList } from '../shared/validation';
import { loadForAction } from '../purchasing/purchase-support';

export interface AssignResult {
  assigned: string[];
  alreadyAssigned: string[];
  available: number;
  /** Display names of the people chosen (assigned and already assigned), for the confirmation. */
  names: Record<string, string>;
  /** Of `assigned`, those who get a notification: everyone but the caller. */
  told: string[];
}

export interface UnassignResult {
  unassigned: string[];
  available: number;
  /** Display names of the people whose license was taken back, for the confirmation. */
  names: Record<string, string>;
  /** Of `unassigned`, those told so by a notification who didn't do it themselves (everyone is notified). */
  told: string[];
}

const parseUsers = (raw: unknown): string[] => {
  const ids = parseIdList(raw, 'user', Number.MAX_SAFE_INTEGER);
  if (ids.length === 0) fail(ErrorCodes.LICENSE_NO_USERS, 'Please choose at least one person.');
  if (ids.length > MAX_USERS_PER_OPERATION) {
    fail(ErrorCodes.LICENSE_TOO_MANY_USERS, `You can assign licenses to at most ${MAX_USERS_PER_OPERATION} people at a time.`, { max: MAX_USERS_PER_OPERATION });
  }
  return ids;
};

/**
 * R4: the purchaser assigns licenses to people of their own tenant, at most 20 at a time and never
 * more than the subscription's quantity. R6: an admin must take a self-service subscription over first.
 */
export const assignLicenses = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown; userIds: unknown }): Promise<AssignResult> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const userIds = parseUsers(input.userIds);
  return deps.uow.run(async (repos) => {
    const actor = await loadActor(repos, ctx);
    // The count and the chosen people's own rows: the cost doesn't grow with how many hold a license.
    const { subscription: s, assigned } = await loadForAction(repos, actor, subscriptionId, 'assign');
    const users = await repos.users.getMany(ctx.tenantId, userIds);
    const found = new Set(users.filter((u) => u.active).map((u) => u.id));
    const missing = userIds.filter((id) => !found.has(id));
    if (missing.length) fail(ErrorCodes.USER_NOT_FOUND, "Some of those people aren't in your organization.", { userIds: missing });
    const holders = new Set(await repos.assignments.holdersAmong(ctx.tenantId, s.id, userIds));
    const alreadyAssigned = userIds.filter((id) => holders.has(id));
    const toAssign = userIds.filter((id) => !holders.has(id));
    if (toAssign.length === 0) fail(ErrorCodes.LICENSE_ALREADY_ASSIGNED, 'Everyone you chose already has a license on this subscription.', { userIds: alreadyAssigned });
    const available = s.quantity - assigned;
    if (toAssign.length > available) {
      fail(ErrorCodes.LICENSE_NOT_ENOUGH, `Only ${available} license${available === 1 ? ' is' : 's are'} available. Add licenses or choose fewer people.`, {
        available,
        requested: toAssign.length,
      });
    }
    const now = deps.clock.now();
    const rows: LicenseAssignment[] = toAssign.map((userId) => ({
      id: deps.ids.next(),
      tenantId: ctx.tenantId,
      subscriptionId: s.id,
      userId,
      assignedAt: now,
      assignedBy: ctx.actorId,
    }));
    // No more than the quantity however many assign at once: the subscription, read in this
    // transaction, is this transaction's until it ends (ports.ts): the next assign waits, then counts these.
    await repos.assignments.add(rows);
    const product = await getProduct(repos, s.productId);
    const names = new Map(users.map((u) => [u.id, u.displayName]));
    await audit(repos, deps, ctx, 'license.assign', { type: 'subscription', id: s.id }, `Assigned ${product.name} to ${toAssign.map((id) => names.get(id)).join(', ')}`);
    // Everyone who got a license is told, except the person who gave it to themselves.
    await notify(
      repos,
      deps,
      ctx.tenantId,
      toEachUser(
        toAssign.filter((u) => u !== ctx.actorId),
        'LicenseAssigned',
        { subscriptionId: s.id, productId: product.id, productName: product.name, assignedBy: actor.user.displayName },
      ),
    );
    return {
      assigned: toAssign,
      alreadyAssigned,
      available: available - toAssign.length,
      names: Object.fromEntries(names),
      told: toAssign.filter((u) => u !== ctx.actorId),
    };
  });
};

export const unassignLicenses = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown; userIds: unknown }): Promise<UnassignResult> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const userIds = parseUsers(input.userIds);
  return deps.uow.run(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const { subscription: s, assigned } = await loadForAction(repos, actor, subscriptionId, 'unassign');
    const holders = new Set(await repos.assignments.holdersAmong(ctx.tenantId, s.id, userIds));
    const notHolding = userIds.filter((id) => !holders.has(id));
    if (notHolding.length) fail(ErrorCodes.LICENSE_NOT_ASSIGNED, "Some of those people don't have a license on this subscription.", { userIds: notHolding });
    await repos.assignments.remove(ctx.tenantId, s.id, userIds);
    const product = await getProduct(repos, s.productId);
    const users = await repos.users.getMany(ctx.tenantId, userIds);
    await audit(repos, deps, ctx, 'license.unassign', { type: 'subscription', id: s.id }, `Removed ${product.name} from ${users.map((u) => u.displayName).join(', ')}`);
    await notify(
      repos,
      deps,
      ctx.tenantId,
      toEachUser(userIds, 'LicenseRemoved', { subscriptionId: s.id, productId: product.id, productName: product.name, reason: 'Unassigned' }),
    );
    return {
      unassigned: userIds,
      available: s.quantity - assigned + userIds.length,
      names: Object.fromEntries(users.map((u) => [u.id, u.displayName])),
      told: userIds.filter((u) => u !== ctx.actorId),
    };
  });
};
