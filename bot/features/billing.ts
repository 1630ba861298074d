import type { ActorContext, Deps } from '../../domain/ports';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { parseId } from '../../domain/shared/validation';
import { listBills } from '../../domain/billing/list-bills';
import { payBill, type PaidBill } from '../../domain/billing/pay-bill';
import { billsCard, payBillCard } from '../../cards/purchaser-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { price } from '../../cards/format';
import { cardReply, command, done, type BannerInput, type Feature } from './feature';
import { paymentToken, savedCardToken, savedCardsOf } from './payment';
import type { ActionResponse, BillsResponse } from '../../web/contracts/purchases';
import { billView, ok, payBody } from '../web/purchaser-views';
import { route } from '../web/web-api';

/** A purchaser's bills: the list, and paying an unpaid one with a card on file or a new card. */

const billsView = async (deps: Deps, ctx: ActorContext, banner?: BannerInput): Promise<AdaptiveCard> => billsCard({ bills: await listBills(deps, ctx), ...banner });

const payFormView = async (deps: Deps, ctx: ActorContext, invoiceId: unknown, banner?: BannerInput): Promise<AdaptiveCard> => {
  const id = parseId(invoiceId, 'bill');
  const bill = (await listBills(deps, ctx)).find((b) => b.id === id);
  if (!bill) throw new DomainError(ErrorCodes.BILL_NOT_FOUND, "We couldn't find that bill.");
  // An old bills card's Pay on a bill paid since: the domain says why not.
  if (!bill.actions.pay.ok) throw new DomainError(bill.actions.pay.code, bill.actions.pay.reason);
  return payBillCard({ bill, savedCards: await savedCardsOf(deps, ctx), ...banner });
};

/** What paying a bill did, in words: the same for the card and the page. */
const paidSummary = (bill: PaidBill): string =>
  `Paid ${price(bill.amount)}. Thank you.${bill.cardNowOnFile ? ` ${bill.cardNowOnFile.brand} ending ${bill.cardNowOnFile.last4} is now this subscription's card: its renewals use it.` : ''}`;

export const billing: Feature = {
  name: 'billing',
  web: [
    route({
      method: 'get',
      path: '/my/bills',
      run: async ({ deps, ctx }): Promise<BillsResponse> => {
        const [bills, savedCards] = await Promise.all([listBills(deps, ctx), savedCardsOf(deps, ctx)]);
        return { items: bills.map(billView), savedCards };
      },
    }),
    route({
      method: 'post',
      path: '/my/bills/:id/pay',
      body: payBody,
      run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
        const token = body.savedSubscriptionId ? await savedCardToken(deps, ctx, body.savedSubscriptionId) : body.token;
        const bill = await payBill(deps, ctx, { invoiceId: params.id, cardToken: token });
        return ok(paidSummary(bill));
      },
    }),
  ],
  commands: [
    command<object>({
      name: 'bills',
      usage: 'bills',
      example: 'bills',
      scope: 'personal',
      personalData: true,
      keywords: ['bills', 'invoices'],
      parse: (text) => (/^(?:show\s+)?(?:my\s+)?(?:bills|invoices|billing)$/i.test(text) ? {} : null),
      run: (_a, { deps, ctx }) => cardReply(billsView(deps, ctx)),
    }),
    command<object>({
      name: 'pay',
      usage: 'pay',
      example: 'pay',
      scope: 'personal',
      personalData: true,
      keywords: ['pay'],
      parse: (text) => (/^pay(?:\s+(?:my\s+|the\s+)?(?:bills?|invoices?))?(?:\s+now)?$/i.test(text) ? {} : null),
      run: async (_a, { deps, ctx }) => {
        const unpaid = (await listBills(deps, ctx)).filter((b) => b.status === 'Unpaid');
        if (unpaid.length === 0) return 'You have nothing to pay.';
        return cardReply(
          unpaid.length === 1
            ? payFormView(deps, ctx, unpaid[0].id)
            : billsView(deps, ctx, { banner: `You have ${unpaid.length} unpaid bills: press **Pay** on the one to pay.`, bannerIsError: false }),
        );
      },
    }),
  ],
  verbs: {
    [VERBS.bills]: { run: ({ deps, ctx }) => billsView(deps, ctx) },
    [VERBS.payForm]: { run: ({ deps, ctx, data }) => payFormView(deps, ctx, data.invoiceId), recover: (a, banner) => billsView(a.deps, a.ctx, banner) },
    [VERBS.payBill]: {
      run: async (a) => {
        const bill = await payBill(a.deps, a.ctx, { invoiceId: a.data.invoiceId, cardToken: await paymentToken(a, false) });
        return billsView(a.deps, a.ctx, done(paidSummary(bill)));
      },
      recover: (a, banner) => payFormView(a.deps, a.ctx, a.data.invoiceId, banner).catch(() => billsView(a.deps, a.ctx, banner)),
    },
  },
  views: {
    bills: (deps, ctx) => billsView(deps, ctx),
  },
};
