import { requireAdminRead } from '../access';
import type { Product, PurchaseRequest, Tenant } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit, getProduct } from '../shared/effects';
import { parseId } from '../shared/validation';
import { ErrorCodes, fail } from '../shared/errors';
import { requireAbility, type Abilities } from '../shared/abilities';
import { approvalSettingAbility, requestAbilities, type ApprovalSettingAction, type RequestAction } from './request-abilities';

export type PendingRequest = PurchaseRequest & { actions: Abilities<RequestAction> };

/** Optional tenant setting: purchases by non-admins wait for an admin's approval. */
export const setRequireApproval = async (deps: Deps, ctx: ActorContext, input: { enabled: unknown }): Promise<Tenant> =>
  deps.uow.run(async (repos) => {
    const actor = await requireAdminRead(repos, ctx);
    requireAbility(approvalSettingAbility(actor));
    const { tenant } = actor;
    if (typeof input.enabled !== 'boolean') fail(ErrorCodes.INPUT_INVALID, 'Say on or off.');
    const updated = { ...tenant, requireApproval: input.enabled as boolean };
    if (updated.requireApproval !== tenant.requireApproval) {
      await repos.tenants.save(updated);
      await audit(repos, deps, ctx, 'tenant.require-approval', { type: 'tenant', id: tenant.id }, `Require admin approval: ${updated.requireApproval ? 'on' : 'off'}`);
    }
    return updated;
  });

/** Whether the organization asks admins to approve purchases (admins and Global readers may look), and whether this caller may change that. */
export const getApprovalSetting = async (deps: Deps, ctx: ActorContext): Promise<{ requireApproval: boolean; actions: Abilities<ApprovalSettingAction> }> =>
  deps.uow.read(async (repos) => {
    const actor = await requireAdminRead(repos, ctx);
    return { requireApproval: actor.tenant.requireApproval, actions: { change: approvalSettingAbility(actor) } };
  });

/** Pending requests, each with whether this admin may approve or reject it (a Global reader may not). */
export const listPendingRequests = async (deps: Deps, ctx: ActorContext): Promise<PendingRequest[]> =>
  deps.uow.read(async (repos) => {
    const actor = await requireAdminRead(repos, ctx);
    return (await repos.requests.listPending(ctx.tenantId)).map((r) => ({ ...r, actions: requestAbilities(actor, r) }));
  });

/** One request of the admin's tenant, pending or decided, with the names an approval card shows and whether this admin may decide it. */
export const getPurchaseRequest = async (
  deps: Deps,
  ctx: ActorContext,
  input: { requestId: unknown },
): Promise<{ request: PurchaseRequest; product: Product; requesterName: string; deciderName: string | null; actions: Abilities<RequestAction> }> => {
  const id = parseId(input.requestId, 'request');
  return deps.uow.read(async (repos) => {
    const actor = await requireAdminRead(repos, ctx);
    const request = (await repos.requests.get(ctx.tenantId, id)) ?? fail(ErrorCodes.REQUEST_NOT_FOUND, "We couldn't find that request.");
    const [product, people] = await Promise.all([
      getProduct(repos, request.productId),
      repos.users.getMany(ctx.tenantId, [request.requesterId, ...(request.decidedBy ? [request.decidedBy] : [])]),
    ]);
    const name = new Map(people.map((u) => [u.id, u.displayName]));
    return {
      request,
      product,
      requesterName: name.get(request.requesterId) ?? 'Someone',
      deciderName: request.decidedBy ? (name.get(request.decidedBy) ?? 'an admin') : null,
      actions: requestAbilities(actor, request),
    };
  });
};
