import { loadActor } from '../access';
import type { Product, PurchaseRequest } from '../model';
import type { ActorContext, Deps } from '../ports';
import { getProduct } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';

/** A purchase or trial request the caller made, as it stands now; anyone else's is "not found". */
export const getMyPurchaseRequest = async (deps: Deps, ctx: ActorContext, input: { requestId: unknown }): Promise<{ request: PurchaseRequest; product: Product }> => {
  const requestId = parseId(input.requestId, 'request');
  return deps.uow.read(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const request = await repos.requests.get(ctx.tenantId, requestId);
    if (!request || request.requesterId !== actor.user.id) return fail(ErrorCodes.REQUEST_NOT_FOUND, "We couldn't find that request among yours.");
    return { request, product: await getProduct(repos, request.productId) };
  });
};
