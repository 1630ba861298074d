import { loadActor } from '../access';
import type { Invoice } from '../model';
import type { ActorContext, Deps } from '../ports';
import { audit } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseId } from '../shared/validation';
import { requireAbility } from '../shared/abilities';
import { payAbility } from './bill-abilities';
import { chargeOrFail, resolveCard } from '../purchasing/purchase-support';

/** Pays an unpaid bill with the subscription's card, or with a new card token if given. The charge is
 *  keyed by bill and card: a double click charges once, a retry with another card is a new attempt. */
export const payBill = async (deps: Deps, ctx: ActorContext, input: { invoiceId: unknown; cardToken?: unknown }): Promise<Invoice> => {
  const invoiceId = parseId(input.invoiceId, 'bill');
  return deps.uow.run(async (repos) => {
    const actor = await loadActor(repos, ctx);
    const invoice = await repos.invoices.get(ctx.tenantId, invoiceId);
    if (!invoice) return fail(ErrorCodes.BILL_NOT_FOUND, "We couldn't find that bill among yours.");
    // The bills list reports this same rule.
    requireAbility(payAbility(actor, invoice));
    const subscription = await repos.subscriptions.get(ctx.tenantId, invoice.subscriptionId);
    const card =
      input.cardToken !== undefined && input.cardToken !== null && input.cardToken !== ''
        ? await resolveCard(deps, input.cardToken)
        : (subscription?.card ?? fail(ErrorCodes.PAYMENT_METHOD_REQUIRED, 'Please add a card to pay this bill.'));
    const chargeId = await chargeOrFail(deps, { card, amount: invoice.amount, idempotencyKey: `invoice:${invoice.id}:${card.token.slice(-12)}`, description: invoice.description });
    const paid: Invoice = { ...invoice, status: 'Paid', paidAt: deps.clock.now(), chargeId, failureCode: null };
    await repos.invoices.update(paid);
    await audit(repos, deps, ctx, 'invoice.pay', { type: 'invoice', id: invoice.id }, `Paid ${invoice.description}`);
    return paid;
  });
};
