import { requireAdminWrite } from '../access';
import type { Actor } from '../access';
import type { PurchaseRequest } from '../model';
import { requireAbility } from '../shared/abilities';
import { decideAbility } from './request-abilities';
import type { ActorContext, Deps, Repositories } from '../ports';
import { audit, getProduct, notify } from '../shared/effects';
import { DomainError, ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { createPaidSubscription, resolveCard } from '../purchasing/purchase-support';
import { createTrial } from '../purchasing/start-trial';
import { checkEligibility } from '../eligibility/check-eligibility';
import { assertPolicyAllows, effectivePolicy } from '../policy/policy-rules';

const loadPending = async (repos: Repositories, ctx: ActorContext, actor: Actor, requestId: unknown): Promise<PurchaseRequest> => {
  const id = parseId(requestId, 'request');
  const request = (await repos.requests.get(ctx.tenantId, id)) ?? fail(ErrorCodes.REQUEST_NOT_FOUND, "We couldn't find that request.");
  // The approval card's buttons report this same rule.
  requireAbility(decideAbility(actor, request));
  return request;
};

/**
 * Approve: the purchase is made for the requester, as if they had bought it now. If it can't be made
 * now (card declined or expired, product since disabled, requester no longer eligible) the request is
 * marked Failed and the requester is told why; nothing is charged.
 */
export const approvePurchaseRequest = async (deps: Deps, ctx: ActorContext, input: { requestId: unknown }): Promise<PurchaseRequest> =>
  deps.uow.run(async (repos) => {
    const actor = await requireAdminWrite(repos, ctx);
    const request = await loadPending(repos, ctx, actor, input.requestId);
    const product = await getProduct(repos, request.productId);
    const requester = (await repos.users.get(ctx.tenantId, request.requesterId)) ?? fail(ErrorCodes.USER_NOT_FOUND, 'The requester is no longer in the directory.');
    let decided: PurchaseRequest;
    try {
      // The purchase happens now, so today's eligibility and policy apply, not those of the request day.
      checkEligibility({ tenant: (await repos.tenants.get(ctx.tenantId))!, user: requester, roles: [] }, deps.settings);
      assertPolicyAllows(product, effectivePolicy(await repos.policies.list(ctx.tenantId), product.id), request.kind === 'Trial' ? 'trial' : 'purchase');
      const who = { purchaserId: requester.id, purchaserName: requester.displayName };
      const subscriptionId =
        request.kind === 'Trial'
          ? (await createTrial(repos, deps, ctx, { product, card: request.cardToken ? await resolveCard(deps, request.cardToken) : null, ...who })).id
          : (
              await createPaidSubscription(repos, deps, ctx, {
                product,
                quantity: request.quantity,
                frequency: request.billingFrequency,
                card: await resolveCard(deps, request.cardToken),
                chargeKey: `request:${request.id}`,
                ...who,
              })
            ).subscription.id;
      decided = { ...request, status: 'Approved', decidedBy: ctx.actorId, decidedAt: deps.clock.now(), subscriptionId };
    } catch (e) {
      if (!(e instanceof DomainError) || !/^(PAYMENT|POLICY|ELIGIBILITY)\./.test(e.code)) throw e;
      decided = { ...request, status: 'Failed', decidedBy: ctx.actorId, decidedAt: deps.clock.now(), decisionNote: e.message, cardToken: null };
    }
    await repos.requests.decide(decided);
    await audit(
      repos,
      deps,
      ctx,
      'request.approve',
      { type: 'request', id: request.id },
      `Approved ${product.name} for ${requester.displayName}${decided.status === 'Failed' ? ' (payment failed)' : ''}`,
    );
    await notify(repos, deps, ctx.tenantId, [
      {
        recipient: { kind: 'user', userId: requester.id },
        kind: decided.status === 'Approved' ? 'RequestApproved' : 'RequestFailed',
        data: { requestId: request.id, productId: product.id, productName: product.name, subscriptionId: decided.subscriptionId, note: decided.decisionNote },
      },
    ]);
    return decided;
  });

export const rejectPurchaseRequest = async (deps: Deps, ctx: ActorContext, input: { requestId: unknown; note?: unknown }): Promise<PurchaseRequest> =>
  deps.uow.run(async (repos) => {
    const actor = await requireAdminWrite(repos, ctx);
    const request = await loadPending(repos, ctx, actor, input.requestId);
    const product = await getProduct(repos, request.productId);
    const note = typeof input.note === 'string' && input.note.trim() ? input.note.trim().slice(0, 500) : null;
    const decided: PurchaseRequest = { ...request, status: 'Rejected', decidedBy: ctx.actorId, decidedAt: deps.clock.now(), decisionNote: note, cardToken: null };
    await repos.requests.decide(decided);
    await audit(repos, deps, ctx, 'request.reject', { type: 'request', id: request.id }, `Rejected ${product.name}${note ? `: ${note}` : ''}`);
    await notify(repos, deps, ctx.tenantId, [
      {
        recipient: { kind: 'user', userId: request.requesterId },
        kind: 'RequestRejected',
        data: { requestId: request.id, productId: product.id, productName: product.name, note },
      },
    ]);
    return decided;
  });
