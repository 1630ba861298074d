import { loadActor } from '../access';
import type { CardSummary, Invoice } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { audit } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { requireAbility } from '../shared/abilities';
import { payAbility } from './bill-abilities';
import { resolveCard } from '../purchasing/purchase-support';
import { declineError, replayRefusal, runCharged, type ChargedOperation } from '../purchasing/charges';

interface PayInput {
  invoiceId: unknown;
  cardToken?: unknown;
}

interface PayPlan {
  invoiceId: string;
  card: CardSummary;
}

/** The bill, if it is the caller's to pay now (the bills list reports this same rule). */
const loadPayable = async (repos: Repositories, ctx: ActorContext, invoiceId: string): Promise<Invoice> => {
  const actor = await loadActor(repos, ctx);
  const invoice = (await repos.invoices.get(ctx.tenantId, invoiceId)) ?? fail(ErrorCodes.BILL_NOT_FOUND, "We couldn't find that bill among yours.");
  requireAbility(payAbility(actor, invoice));
  return invoice;
};

/** Pays an unpaid bill with the subscription's card, or with a new card token if given. The charge is
 *  keyed by bill and card: a double click charges once, a retry with another card is a new attempt;
 *  two attempts with two cards at once, the second finds the bill paid and its charge is refunded. */
export const PAY_BILL: ChargedOperation<PayInput, PayPlan, Invoice> = {
  name: 'pay-bill',
  prepare: async (repos, deps, ctx, input) => {
    const invoice = await loadPayable(repos, ctx, parseId(input.invoiceId, 'bill'));
    const subscription = await repos.subscriptions.get(ctx.tenantId, invoice.subscriptionId);
    const card =
      input.cardToken !== undefined && input.cardToken !== null && input.cardToken !== ''
        ? await resolveCard(deps, input.cardToken)
        : (subscription?.card ?? fail(ErrorCodes.PAYMENT_METHOD_REQUIRED, 'Please add a card to pay this bill.'));
    return {
      charge: { key: `invoice:${invoice.id}:${card.token.slice(-12)}`, card, amount: invoice.amount, description: invoice.description },
      plan: { invoiceId: invoice.id, card },
    };
  },
  commit: async (repos, deps, ctx, plan, outcome) => {
    if (outcome.status === 'declined') throw declineError(plan.card, outcome);
    const invoice = await loadPayable(repos, ctx, plan.invoiceId);
    const paid: Invoice = { ...invoice, status: 'Paid', paidAt: deps.clock.now(), chargeId: outcome.chargeId, failureCode: null };
    await repos.invoices.update(paid);
    await audit(repos, deps, ctx, 'invoice.pay', { type: 'invoice', id: invoice.id }, `Paid ${invoice.description}`);
    return { result: paid, resultId: invoice.id };
  },
  replay: async (repos, _deps, ctx, plan, intent) => {
    if (intent.outcome !== 'Charged') return replayRefusal(intent);
    return (await repos.invoices.get(ctx.tenantId, plan.invoiceId))!;
  },
};

export const payBill = (deps: Deps, ctx: ActorContext, input: PayInput): Promise<Invoice> => runCharged(deps, ctx, PAY_BILL, input);
