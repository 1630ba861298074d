import { loadActor } from '../access';
import type { Invoice } from '../model';
import type { ActorContext, Deps } from '../ports';

/** R2: the purchaser is billed and responsible for payment; they see their own bills, newest first. */
export const listBills = async (deps: Deps, ctx: ActorContext): Promise<Invoice[]> =>
  deps.uow.read(async (repos) => {
    await loadActor(repos, ctx);
    return repos.invoices.listByPurchaser(ctx.tenantId, ctx.actorId);
  });
