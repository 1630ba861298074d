import { adminReadAbility, globalAdminAbility, loadActor, requireAdminRead, type Actor } from '../access';
import { ROLES, roleName, type Role, type RoleAssignment } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { allowed, firstRefusal, refusedBy, requireAbility, type Abilities, type Ability } from '../shared/abilities';
import { parseId } from '../shared/validation';

const parseRole = (raw: unknown): Role => {
  const wanted = typeof raw === 'string' ? raw.replace(/[\s_-]/g, '').toLowerCase() : '';
  return ROLES.find((r) => r.toLowerCase() === wanted) ?? fail(ErrorCodes.ROLE_UNKNOWN, `Role must be one of ${ROLES.join(', ')}.`);
};

export type RoleAction = 'grant' | 'revoke';

/** Only a Global admin grants roles. */
export const grantAbility = (actor: Actor): Ability => globalAdminAbility(actor.roles);

/** Only a Global admin revokes roles, and never the last Global admin: someone must always be able to manage roles. */
export const revokeAbility = (actor: Actor, role: Role, globalAdmins: number): Ability =>
  firstRefusal(globalAdminAbility(actor.roles), () =>
    role === 'GlobalAdmin' && globalAdmins <= 1 ? refusedBy(ErrorCodes.ROLE_LAST_GLOBAL_ADMIN, "You can't remove the last Global admin.") : allowed(),
  );

export type RoleRow = RoleAssignment & { actions: { revoke: Ability } };

/** Every role assignment, each saying whether this caller may revoke it. */
export const listRoles = async (deps: Deps, ctx: ActorContext): Promise<RoleRow[]> =>
  deps.uow.read(async (repos) => {
    const actor = await requireAdminRead(repos, ctx);
    const all = await repos.roles.list(ctx.tenantId);
    const globalAdmins = all.filter((a) => a.role === 'GlobalAdmin').length;
    return all.map((a) => ({ ...a, actions: { revoke: revokeAbility(actor, a.role, globalAdmins) } }));
  });

/** Whether the caller may grant and revoke roles at all (the roles card's form). */
export const getRoleActions = async (deps: Deps, ctx: ActorContext): Promise<Abilities<RoleAction>> =>
  deps.uow.read(async (repos) => {
    const actor = await requireAdminRead(repos, ctx);
    return { grant: grantAbility(actor), revoke: globalAdminAbility(actor.roles) };
  });

/** Only a Global admin grants roles, and only to people of their own tenant. */
export const grantRole = async (deps: Deps, ctx: ActorContext, input: { userId: unknown; role: unknown }): Promise<RoleAssignment & { changed: boolean; displayName: string }> => {
  const userId = parseId(input.userId, 'user');
  const role = parseRole(input.role);
  return deps.uow.run(async (repos) => {
    requireAbility(grantAbility(await loadActor(repos, ctx)));
    const user = (await repos.users.get(ctx.tenantId, userId)) ?? fail(ErrorCodes.USER_NOT_FOUND, "That person isn't in your organization.");
    const existing = await repos.roles.listForUser(ctx.tenantId, userId);
    const assignment: RoleAssignment = { tenantId: ctx.tenantId, userId, role, grantedBy: ctx.actorId, grantedAt: deps.clock.now() };
    if (existing.includes(role)) return { ...assignment, changed: false, displayName: user.displayName };
    await repos.roles.add(assignment);
    await audit(repos, deps, ctx, 'role.grant', { type: 'user', id: userId }, `Granted ${roleName(role)} to ${user.displayName}`);
    return { ...assignment, changed: true, displayName: user.displayName };
  });
};

/** The last Global admin cannot be removed: someone must always be able to manage roles. */
export const revokeRole = async (deps: Deps, ctx: ActorContext, input: { userId: unknown; role: unknown }): Promise<{ changed: boolean; displayName: string }> => {
  const userId = parseId(input.userId, 'user');
  const role = parseRole(input.role);
  return deps.uow.run(async (repos) => {
    const actor = await loadActor(repos, ctx);
    requireAbility(globalAdminAbility(actor.roles));
    const existing = await repos.roles.listForUser(ctx.tenantId, userId);
    const displayName = (await repos.users.get(ctx.tenantId, userId))?.displayName ?? 'that person';
    // Already gone (a second press on an old roles card): nothing to do, and the caller says so.
    if (!existing.includes(role)) return { changed: false, displayName };
    requireAbility(revokeAbility(actor, role, role === 'GlobalAdmin' ? await repos.roles.count(ctx.tenantId, 'GlobalAdmin') : 0));
    await repos.roles.remove(ctx.tenantId, userId, role);
    await audit(repos, deps, ctx, 'role.revoke', { type: 'user', id: userId }, `Revoked ${roleName(role)} from ${displayName}`);
    return { changed: true, displayName };
  });
};

/** First admins come from configuration (`tenantId:userId` pairs); idempotent at every start. */
export const bootstrapAdmins = async (deps: Deps, pairs: ReadonlyArray<{ tenantId: string; userId: string }>): Promise<number> =>
  deps.uow.run(async (repos) => {
    let added = 0;
    for (const { tenantId, userId } of pairs) {
      if ((await repos.roles.listForUser(tenantId, userId)).includes('GlobalAdmin')) continue;
      await repos.roles.add({ tenantId, userId, role: 'GlobalAdmin', grantedBy: null, grantedAt: deps.clock.now() });
      await audit(
        repos,
        deps,
        { tenantId, actorId: 'system', surface: 'system' },
        'role.grant',
        { type: 'user', id: userId },
        `Granted ${roleName('GlobalAdmin')} from configuration`,
      );
      added++;
    }
    return added;
  });

/**
 * Everyone who may read the caller's tenant's admin views (the people an admin card refreshes for);
 * the caller must be one of them. One read of the role list, which also holds the caller's roles.
 */
export const adminAudience = async (deps: Deps, ctx: ActorContext): Promise<string[]> =>
  deps.uow.read(async (repos) => {
    const all = await repos.roles.list(ctx.tenantId);
    requireAbility(adminReadAbility(all.filter((a) => a.userId === ctx.actorId).map((a) => a.role)));
    return [...new Set(all.map((a) => a.userId))];
  });

/** The admins a tenant's admin notifications ask to act (Global and Billing admins; readers only read). A system read. */
export const notifiedAdminIds = async (deps: Deps, tenantId: string): Promise<string[]> =>
  deps.uow.read(async (repos) => [...new Set((await repos.roles.list(tenantId)).filter((a) => a.role !== 'GlobalReader').map((a) => a.userId))]);
