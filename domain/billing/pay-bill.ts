import { loadActor, type Actor } from '../access';
import type { CardSummary, Invoice } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { audit } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { requireAbility } from '../shared/abilities';
import { payAbility } from './bill-abilities';
import { resolveCard } from '../purchasing/purchase-support';
import { declineError, replayRefusal, runCharged, type ChargedOperation } from '../purchasing/charges';
import { subscriptionAbilities } from '../purchasing/subscription-abilities';
import { putCardOnFile } from '../purchasing/update-payment-method';

interface PayInput {
  invoiceId: unknown;
  cardToken?: unknown;
}

interface PayPlan {
  invoiceId: string;
  card: CardSummary;
  /** A card given for this payment, not the subscription's. */
  newCard: boolean;
}

/** The bill paid and, when it was paid with a new card, that card now on its subscription. */
export type PaidBill = Invoice & { cardNowOnFile?: CardSummary };

/** The bill, if it is the caller's to pay now (the bills list reports this same rule). */
const loadPayable = async (repos: Repositories, ctx: ActorContext, invoiceId: string): Promise<{ actor: Actor; invoice: Invoice }> => {
  const actor = await loadActor(repos, ctx);
  const invoice = (await repos.invoices.get(ctx.tenantId, invoiceId)) ?? fail(ErrorCodes.BILL_NOT_FOUND, "We couldn't find that bill among yours.");
  requireAbility(payAbility(actor, invoice));
  return { actor, invoice };
};

/** Pays an unpaid bill with the subscription's card, or with a new card token if given. The charge is
 *  keyed by bill and card: a double click charges once, a retry with another card is a new attempt;
 *  two attempts with two cards at once, the second finds the bill paid and its charge is refunded.
 *  A bill paid with another card than its subscription's (which was declined) makes that card the
 *  subscription's, as a card update would, so the next renewal doesn't decline again. */
export const PAY_BILL: ChargedOperation<PayInput, PayPlan, PaidBill> = {
  name: 'pay-bill',
  prepare: async (repos, deps, ctx, input) => {
    const { invoice } = await loadPayable(repos, ctx, parseId(input.invoiceId, 'bill'));
    const subscription = await repos.subscriptions.get(ctx.tenantId, invoice.subscriptionId);
    const newCard = input.cardToken !== undefined && input.cardToken !== null && input.cardToken !== '';
    const card = newCard ? await resolveCard(deps, input.cardToken) : (subscription?.card ?? fail(ErrorCodes.PAYMENT_METHOD_REQUIRED, 'Please add a card to pay this bill.'));
    return {
      charge: { key: `invoice:${invoice.id}:${card.token.slice(-12)}`, card, amount: invoice.amount, description: invoice.description },
      plan: { invoiceId: invoice.id, card, newCard },
    };
  },
  commit: async (repos, deps, ctx, plan, outcome) => {
    if (outcome.status === 'declined') throw declineError(plan.card, outcome);
    const { actor, invoice } = await loadPayable(repos, ctx, plan.invoiceId);
    const paid: Invoice = { ...invoice, status: 'Paid', paidAt: deps.clock.now(), chargeId: outcome.chargeId, failureCode: null };
    await repos.invoices.update(paid);
    await audit(repos, deps, ctx, 'invoice.pay', { type: 'invoice', id: invoice.id }, `Paid ${invoice.description}`);
    const cardNowOnFile = await keepCard(repos, deps, ctx, actor, invoice.subscriptionId, plan.card);
    return { result: cardNowOnFile ? { ...paid, cardNowOnFile } : paid, resultId: invoice.id };
  },
  replay: async (repos, _deps, ctx, plan, intent) => {
    if (intent.outcome !== 'Charged') return replayRefusal(intent);
    const invoice = (await repos.invoices.get(ctx.tenantId, plan.invoiceId))!;
    const s = await repos.subscriptions.get(ctx.tenantId, invoice.subscriptionId);
    return plan.newCard && s?.card?.token === plan.card.token ? { ...invoice, cardNowOnFile: plan.card } : invoice;
  },
};

/** The same card, typed again (a new token for it): nothing to change. */
const sameCard = (a: CardSummary, b: CardSummary): boolean =>
  a.token === b.token || (a.brand === b.brand && a.last4 === b.last4 && a.expMonth === b.expMonth && a.expYear === b.expYear);

/** The card that just paid becomes the subscription's card, when it is another one and the purchaser may
 *  still change that subscription's card (live, self-service, not taken over), as a card update does. */
const keepCard = async (repos: Repositories, deps: Deps, ctx: ActorContext, actor: Actor, subscriptionId: string, card: CardSummary): Promise<CardSummary | undefined> => {
  const s = await repos.subscriptions.get(ctx.tenantId, subscriptionId);
  if (!s || (s.card && sameCard(s.card, card)) || !subscriptionAbilities(actor, s, 0).updateCard.ok) return undefined;
  await putCardOnFile(repos, deps, ctx, s, card, 'paying a bill');
  return card;
};

export const payBill = (deps: Deps, ctx: ActorContext, input: PayInput): Promise<PaidBill> => runCharged(deps, ctx, PAY_BILL, input);
