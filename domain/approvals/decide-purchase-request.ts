import { requireAdminWrite } from '../access';
import type { Actor } from '../access';
import type { CardSummary, PurchaseRequest } from '../model';
import { requireAbility } from '../shared/abilities';
import { decideAbility } from './request-abilities';
import type { ActorContext, Deps, Repositories } from '../ports';
import { audit, getProduct, notify } from '../shared/effects';
import { DomainError, ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { createPaidSubscription, purchaseCharge, resolveCard } from '../purchasing/purchase-support';
import { declineError, runCharged, type ChargedOperation } from '../purchasing/charges';
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

interface ApprovePlan {
  requestId: string;
  card: CardSummary;
}

/** The decision's records: the request decided, the audit entry, the requester told. */
const recordApproval = async (repos: Repositories, deps: Deps, ctx: ActorContext, request: PurchaseRequest, decided: PurchaseRequest): Promise<PurchaseRequest> => {
  const product = await getProduct(repos, request.productId);
  const requester = await repos.users.get(ctx.tenantId, request.requesterId);
  await repos.requests.decide(decided);
  await audit(
    repos,
    deps,
    ctx,
    'request.approve',
    { type: 'request', id: request.id },
    `Approved ${product.name} for ${requester?.displayName ?? 'a former employee'}${decided.status === 'Failed' ? ' (payment failed)' : ''}`,
  );
  await notify(repos, deps, ctx.tenantId, [
    {
      recipient: { kind: 'user', userId: request.requesterId },
      kind: decided.status === 'Approved' ? 'RequestApproved' : 'RequestFailed',
      data: { requestId: request.id, productId: product.id, productName: product.name, subscriptionId: decided.subscriptionId, note: decided.decisionNote },
    },
  ]);
  return decided;
};

const failed = (deps: Deps, ctx: ActorContext, request: PurchaseRequest, note: string): PurchaseRequest => ({
  ...request,
  status: 'Failed',
  decidedBy: ctx.actorId,
  decidedAt: deps.clock.now(),
  decisionNote: note,
  cardToken: null,
});

/** What can't be made now is the decision's outcome (Failed, the requester told why), not an error of the approval. */
const isOutcome = (e: unknown): e is DomainError => e instanceof DomainError && /^(PAYMENT|POLICY|ELIGIBILITY)\./.test(e.code);

/**
 * Approve: the purchase is made for the requester, as if they had bought it now. If it can't be made
 * now (card declined or expired, product since disabled, requester no longer eligible) the request is
 * marked Failed and the requester is told why; nothing is charged. A purchase's card is charged
 * between the checks and the records, outside both transactions (charges.ts); a request another admin
 * decided meanwhile gets its charge refunded.
 */
export const APPROVE_REQUEST: ChargedOperation<{ requestId: unknown }, ApprovePlan, PurchaseRequest> = {
  name: 'approve-request',
  prepare: async (repos, deps, ctx, input) => {
    const actor = await requireAdminWrite(repos, ctx);
    const request = await loadPending(repos, ctx, actor, input.requestId);
    const product = await getProduct(repos, request.productId);
    const requester = (await repos.users.get(ctx.tenantId, request.requesterId)) ?? fail(ErrorCodes.USER_NOT_FOUND, 'The requester is no longer in the directory.');
    try {
      // The purchase happens now, so today's eligibility and policy apply, not those of the request day.
      checkEligibility({ tenant: (await repos.tenants.get(ctx.tenantId))!, user: requester, roles: [] }, deps.settings);
      assertPolicyAllows(product, effectivePolicy(await repos.policies.list(ctx.tenantId), product.id), request.kind === 'Trial' ? 'trial' : 'purchase');
      const who = { purchaserId: requester.id, purchaserName: requester.displayName };
      if (request.kind === 'Trial') {
        const trial = await createTrial(repos, deps, ctx, { product, card: request.cardToken ? await resolveCard(deps, request.cardToken) : null, ...who });
        return {
          done: await recordApproval(repos, deps, ctx, request, { ...request, status: 'Approved', decidedBy: ctx.actorId, decidedAt: deps.clock.now(), subscriptionId: trial.id }),
        };
      }
      const card = await resolveCard(deps, request.cardToken);
      const { amount, description } = purchaseCharge(product, request.quantity, request.billingFrequency);
      return { charge: { key: `request:${request.id}`, card, amount, description }, plan: { requestId: request.id, card } };
    } catch (e) {
      if (!isOutcome(e)) throw e;
      return { done: await recordApproval(repos, deps, ctx, request, failed(deps, ctx, request, e.message)) };
    }
  },
  commit: async (repos, deps, ctx, plan, outcome) => {
    const actor = await requireAdminWrite(repos, ctx);
    // Still pending? Another admin's decision meanwhile refunds this charge.
    const request = await loadPending(repos, ctx, actor, plan.requestId);
    if (outcome.status === 'declined') {
      return { result: await recordApproval(repos, deps, ctx, request, failed(deps, ctx, request, declineError(plan.card, outcome).message)), resultId: null };
    }
    const product = await getProduct(repos, request.productId);
    const requester = (await repos.users.get(ctx.tenantId, request.requesterId)) ?? fail(ErrorCodes.USER_NOT_FOUND, 'The requester is no longer in the directory.');
    const { subscription } = await createPaidSubscription(repos, deps, ctx, {
      product,
      quantity: request.quantity,
      frequency: request.billingFrequency,
      card: plan.card,
      purchaserId: requester.id,
      purchaserName: requester.displayName,
      chargeId: outcome.chargeId,
    });
    const decided: PurchaseRequest = { ...request, status: 'Approved', decidedBy: ctx.actorId, decidedAt: deps.clock.now(), subscriptionId: subscription.id };
    return { result: await recordApproval(repos, deps, ctx, request, decided), resultId: subscription.id };
  },
  replay: async (repos, _deps, ctx, plan) => (await repos.requests.get(ctx.tenantId, plan.requestId))!,
};

export const approvePurchaseRequest = (deps: Deps, ctx: ActorContext, input: { requestId: unknown }): Promise<PurchaseRequest> => runCharged(deps, ctx, APPROVE_REQUEST, input);

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
