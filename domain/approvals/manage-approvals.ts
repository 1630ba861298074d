import { requireAdminRead, requireAdminWrite } from '../access';
import type { PurchaseRequest, Tenant } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';

/** Optional tenant setting: purchases by non-admins wait for an admin's approval. */
export const setRequireApproval = async (deps: Deps, ctx: ActorContext, input: { enabled: unknown }): Promise<Tenant> =>
  deps.uow.run(async (repos) => {
    const { tenant } = await requireAdminWrite(repos, ctx);
    if (typeof input.enabled !== 'boolean') fail(ErrorCodes.INPUT_INVALID, 'Say on or off.');
    const updated = { ...tenant, requireApproval: input.enabled as boolean };
    if (updated.requireApproval !== tenant.requireApproval) {
      await repos.tenants.save(updated);
      await audit(repos, deps, ctx, 'tenant.require-approval', { type: 'tenant', id: tenant.id }, `Require admin approval: ${updated.requireApproval ? 'on' : 'off'}`);
    }
    return updated;
  });

export const listPendingRequests = async (deps: Deps, ctx: ActorContext): Promise<PurchaseRequest[]> =>
  deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    return repos.requests.listPending(ctx.tenantId);
  });
