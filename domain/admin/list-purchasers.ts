import { requireAdminRead } from '../access';
import type { ActorContext, Deps } from '../ports';

export interface PurchaserChoice {
  id: string;
  displayName: string;
}

/** The people who bought something in the tenant, by name: the choices of the purchases list's purchaser filter (R5). */
export const listPurchasers = async (deps: Deps, ctx: ActorContext): Promise<PurchaserChoice[]> =>
  deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    const ids = await repos.reports.purchaserIds(ctx.tenantId);
    const names = new Map((await repos.users.getMany(ctx.tenantId, ids)).map((u) => [u.id, u.displayName]));
    // Someone who left keeps their purchases (R11) and stays a choice, told apart by the end of their id.
    return ids
      .map((id) => ({ id, displayName: names.get(id) ?? `Former employee (${id.slice(-6)})` }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
  });
