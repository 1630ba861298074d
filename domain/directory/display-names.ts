import { isAdmin, loadActor } from '../access';
import type { ActorContext, Deps } from '../ports';
import { MAX_IDS_PER_QUERY } from '../ports';

/**
 * Display names of people of the caller's organization, by id, for admin lists (audit, roles,
 * approvals). Admins only; ids of other tenants simply aren't found.
 */
export const displayNames = async (deps: Deps, ctx: ActorContext, userIds: readonly string[]): Promise<Map<string, string>> =>
  deps.uow.read(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const ids = [...new Set(userIds)].slice(0, MAX_IDS_PER_QUERY);
    if (!isAdmin(actor.roles) || ids.length === 0) return new Map();
    return new Map((await repos.users.getMany(ctx.tenantId, ids)).map((u) => [u.id, u.displayName]));
  });
