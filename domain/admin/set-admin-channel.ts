import { requireAdminWrite } from '../access';
import type { ActorContext, Deps } from '../ports';
import { audit } from '../shared/effects';

/**
 * An admin chooses the Teams channel where admin notifications (new purchases, approval requests)
 * are posted. The edge stores where the channel is; this records who chose it and checks they may.
 */
export const setAdminChannel = async (deps: Deps, ctx: ActorContext, input: { channelName: string }): Promise<void> =>
  deps.uow.run(async (repos) => {
    await requireAdminWrite(repos, ctx);
    await audit(repos, deps, ctx, 'tenant.admin-channel', { type: 'tenant', id: ctx.tenantId }, `Admin notifications now go to ${input.channelName.slice(0, 100)}`);
  });
