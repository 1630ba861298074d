import { loadActor } from '../access';
import type { Invoice } from '../model';
import type { ActorContext, Deps } from '../ports';
import type { Ability } from '../shared/abilities';
import { billAbilities } from './bill-abilities';

export type Bill = Invoice & { actions: { pay: Ability } };

/** R2: the purchaser is billed and responsible for payment; they see their own bills, newest first, each saying whether it can be paid. */
export const listBills = async (deps: Deps, ctx: ActorContext): Promise<Bill[]> =>
  deps.uow.read(async (repos) => {
    const actor = await loadActor(repos, ctx);
    return (await repos.invoices.listByPurchaser(ctx.tenantId, ctx.actorId)).map((i) => ({ ...i, actions: billAbilities(actor, i) }));
  });
