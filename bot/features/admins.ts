import type { ActorContext, Deps } from '../../domain/ports';
import { adminAudience } from '../../domain/roles/manage-roles';
import { mri } from '../../cards/admin-cards';

/** Teams refreshes a card automatically for at most 60 listed users. */
const MAX_REFRESH_USERS = 60;

/**
 * How long a tenant's admin audience is reused. It only says whom Teams refreshes an admin card for
 * automatically (each refresh is authorized again from stored state), and every admin card comes with
 * its own use case, which checks the caller: a role granted or revoked a few seconds ago may be missed
 * by a card sent meanwhile, until its next refresh. It saves a read of the role list on every admin turn.
 */
export const AUDIENCE_REUSE_MS = 10_000;
const AUDIENCE_TENANTS = 1_000;

const audiences = new WeakMap<Deps, Map<string, { at: number; ids: string[] }>>();

/** The admins of the caller's tenant, as the user ids a card's `refresh.userIds` lists (the caller is an admin). */
export const adminMris = async (deps: Deps, ctx: ActorContext): Promise<string[]> => {
  let byTenant = audiences.get(deps);
  if (!byTenant) audiences.set(deps, (byTenant = new Map()));
  const now = deps.clock.now().getTime();
  const hit = byTenant.get(ctx.tenantId);
  // Reused only for someone in it; anyone else gets the domain's own read and check.
  if (hit && now - hit.at < AUDIENCE_REUSE_MS && hit.ids.includes(ctx.actorId)) return hit.ids.slice(0, MAX_REFRESH_USERS).map(mri);
  const ids = await adminAudience(deps, ctx);
  if (byTenant.size >= AUDIENCE_TENANTS) byTenant.delete(byTenant.keys().next().value!);
  byTenant.delete(ctx.tenantId);
  byTenant.set(ctx.tenantId, { at: now, ids });
  return ids.slice(0, MAX_REFRESH_USERS).map(mri);
};
