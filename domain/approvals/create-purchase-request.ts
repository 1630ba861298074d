import type { Actor } from '../access';
import type { BillingFrequency, Product, PurchaseRequest, RequestKind } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { multiply } from '../shared/money';
import { audit, notify } from '../shared/effects';

/** With "require admin approval" on, a purchase or trial waits here for an admin's decision. */
export const createPurchaseRequest = async (
  repos: Repositories,
  deps: Deps,
  ctx: ActorContext,
  actor: Actor,
  args: { product: Product; kind: RequestKind; quantity: number; frequency: BillingFrequency; cardToken: string | null },
): Promise<PurchaseRequest> => {
  const request: PurchaseRequest = {
    id: deps.ids.next(),
    tenantId: ctx.tenantId,
    requesterId: actor.user.id,
    productId: args.product.id,
    kind: args.kind,
    quantity: args.quantity,
    billingFrequency: args.frequency,
    cardToken: args.cardToken,
    status: 'Pending',
    decidedBy: null,
    decidedAt: null,
    decisionNote: null,
    subscriptionId: null,
    createdAt: deps.clock.now(),
  };
  await repos.requests.add(request);
  const what = args.kind === 'Trial' ? `a trial of ${args.product.name}` : `${args.quantity} × ${args.product.name} (${args.frequency.toLowerCase()})`;
  await audit(repos, deps, ctx, 'request.create', { type: 'request', id: request.id }, `${actor.user.displayName} asked for ${what}`);
  await notify(repos, deps, ctx.tenantId, [
    {
      recipient: { kind: 'admins' },
      kind: 'ApprovalRequested',
      data: {
        requestId: request.id,
        requestKind: args.kind,
        productId: args.product.id,
        productName: args.product.name,
        requesterId: actor.user.id,
        requesterName: actor.user.displayName,
        quantity: args.quantity,
        billingFrequency: args.frequency,
        // What approving would charge for the first term, so the admin sees the cost in the notice itself.
        ...(args.kind === 'Trial' ? { amountMinor: 0, currency: args.product.prices[args.frequency].currency } : multiply(args.product.prices[args.frequency], args.quantity)),
      },
    },
  ]);
  return request;
};
