import type { DirectoryUser, Role, Tenant } from './model';
import type { ActorContext, Repositories } from './ports';
import { ErrorCodes, fail } from './shared/errors';

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

export const requireAdminRead = async (repos: Repositories, ctx: ActorContext): Promise<Actor> => {
  const actor = await loadActor(repos, ctx);
  if (!isAdmin(actor.roles)) fail(ErrorCodes.AUTH_NOT_ADMIN, 'Only Global admins, Billing admins and Global readers can see this.');
  return actor;
};

export const requireAdminWrite = async (repos: Repositories, ctx: ActorContext): Promise<Actor> => {
  const actor = await requireAdminRead(repos, ctx);
  if (!canAdminWrite(actor.roles)) fail(ErrorCodes.AUTH_READ_ONLY, 'Global readers can view but not change this. Ask a Global or Billing admin.');
  return actor;
};

export const requireGlobalAdmin = async (repos: Repositories, ctx: ActorContext): Promise<Actor> => {
  const actor = await loadActor(repos, ctx);
  if (!actor.roles.includes('GlobalAdmin')) fail(ErrorCodes.AUTH_NOT_GLOBAL_ADMIN, 'Only a Global admin can manage roles.');
  return actor;
};
