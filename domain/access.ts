import type { DirectoryUser, Role, Tenant } from './model';
import type { ActorContext, Deps, Repositories } from './ports';
import { ErrorCodes, fail } from './shared/errors';
import { allowed, refusedBy, requireAbility, type Ability } from './shared/abilities';

export interface Actor {
  tenant: Tenant;
  user: DirectoryUser;
  roles: Role[];
}

/** Roles that may read every self-service purchase (R5). */
const READ_ROLES: readonly Role[] = ['GlobalAdmin', 'BillingAdmin', 'GlobalReader', 'DelegatedAdmin'];
/** Roles that may change policy, take over and centralize (R3, R8–R10); a Global reader may not. */
const WRITE_ROLES: readonly Role[] = ['GlobalAdmin', 'BillingAdmin', 'DelegatedAdmin'];

export const isAdmin = (roles: readonly Role[]): boolean => roles.some((r) => READ_ROLES.includes(r));
export const canAdminWrite = (roles: readonly Role[]): boolean => roles.some((r) => WRITE_ROLES.includes(r));

/** Loads the acting user from stored state; identity comes from the edge, roles from our database. */
export const loadActor = async (repos: Repositories, ctx: ActorContext): Promise<Actor> => {
  const record = await repos.actors.load(ctx.tenantId, ctx.actorId);
  const tenant = record.tenant ?? fail(ErrorCodes.TENANT_UNKNOWN, 'Your organization is not set up for this app yet. Please contact your IT admin.');
  const user = record.user ?? fail(ErrorCodes.USER_NOT_FOUND, "We couldn't find you in your organization's directory.");
  return { tenant, user, roles: record.roles };
};

export const READ_ONLY_REASON = 'Global readers can view but not change this. Ask a Global or Billing admin.';

/** May read every self-service purchase, policy and request (R5). */
export const adminReadAbility = (roles: readonly Role[]): Ability =>
  isAdmin(roles) ? allowed() : refusedBy(ErrorCodes.AUTH_NOT_ADMIN, 'Only Global admins, Billing admins and Global readers can see this.');

/** May change what admins change (policy, take-over, centralize, approvals); a Global reader may not. */
export const adminWriteAbility = (roles: readonly Role[]): Ability => {
  if (!isAdmin(roles)) return refusedBy(ErrorCodes.AUTH_NOT_ADMIN, 'Only Global admins and Billing admins can do this.');
  return canAdminWrite(roles) ? allowed() : refusedBy(ErrorCodes.AUTH_READ_ONLY, READ_ONLY_REASON);
};

/** May grant and revoke roles. */
export const globalAdminAbility = (roles: readonly Role[]): Ability =>
  roles.includes('GlobalAdmin') ? allowed() : refusedBy(ErrorCodes.AUTH_NOT_GLOBAL_ADMIN, 'Only a Global admin can manage roles.');

export const requireAdminRead = async (repos: Repositories, ctx: ActorContext): Promise<Actor> => {
  const actor = await loadActor(repos, ctx);
  requireAbility(adminReadAbility(actor.roles));
  return actor;
};

/** A change: someone who isn't an admin is told who can make it ("can do this"), not who can see it. */
export const requireAdminWrite = async (repos: Repositories, ctx: ActorContext): Promise<Actor> => {
  const actor = await loadActor(repos, ctx);
  requireAbility(adminWriteAbility(actor.roles));
  return actor;
};

/**
 * For an edge about to run an admin change from a card or a command: refuses anyone who may not make
 * it, in the domain's words ("can do this", or a Global reader's read-only reason), before anything of
 * the subscription is read (which a stranger would be told is not found).
 */
export const checkAdminWrite = (deps: Pick<Deps, 'uow'>, ctx: ActorContext): Promise<void> =>
  deps.uow.read(async (repos) => {
    await requireAdminWrite(repos, ctx);
  });

export const requireGlobalAdmin = async (repos: Repositories, ctx: ActorContext): Promise<Actor> => {
  const actor = await loadActor(repos, ctx);
  requireAbility(globalAdminAbility(actor.roles));
  return actor;
};
