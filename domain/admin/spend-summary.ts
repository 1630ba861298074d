import { requireAdminRead } from '../access';
import type { ActorContext, Deps, SpendTotalRow } from '../ports';
import { addMonths } from '../shared/clock';
import { ErrorCodes, fail } from '../shared/errors';
import { money, type Money } from '../shared/money';

export const DEFAULT_SPEND_MONTHS = 12;
export const MAX_SPEND_MONTHS = 36;

export interface SpendAmounts {
  /** Everything invoiced in the period, paid or not. */
  billed: Money;
  /** The part of `billed` that was charged successfully; the rest is still owed. */
  paid: Money;
  invoices: number;
}

/** One bar of a chart: a product or a purchaser, in one currency. */
export interface SpendLine extends SpendAmounts {
  id: string;
  name: string;
}

export interface SpendSummary {
  from: Date;
  to: Date;
  months: number;
  /** All products together, one entry per currency (amounts in different currencies are never added). */
  totals: SpendAmounts[];
  byProduct: SpendLine[];
  byPurchaser: SpendLine[];
}

const parseMonths = (raw: unknown): number => {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_SPEND_MONTHS;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,3}$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SPEND_MONTHS) fail(ErrorCodes.INPUT_INVALID, `The period must be 1 to ${MAX_SPEND_MONTHS} months.`, { field: 'months' });
  return n;
};

const zero = (currency: string): SpendAmounts => ({ billed: money(0, currency), paid: money(0, currency), invoices: 0 });

const add = (into: SpendAmounts, row: SpendTotalRow): SpendAmounts => ({
  billed: money(into.billed.amountMinor + row.amountMinor, row.currency),
  paid: money(into.paid.amountMinor + (row.status === 'Paid' ? row.amountMinor : 0), row.currency),
  invoices: into.invoices + row.invoices,
});

/** Biggest spend first within a currency, then by name, so a chart reads top-down. */
const byCurrencyThenAmount = (a: SpendLine, b: SpendLine): number =>
  a.billed.currency.localeCompare(b.billed.currency) || b.billed.amountMinor - a.billed.amountMinor || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/**
 * Spend at a glance (DESIGN §3): what self-service purchasers were billed, per product and per
 * purchaser, over the last `months` months (12 unless asked) by the injectable clock.
 *
 * "Spend" is invoices: the purchase, license additions and renewals that went to a purchaser's card
 * (R2), counted when issued, with the paid part shown apart so a declined renewal still counts as
 * billed but not as paid. Central subscriptions are billed through the organization's agreement,
 * outside this app, and never produce an invoice here, so they are not in these figures. Amounts
 * stay in integer minor units per currency; admins and Global readers may see them.
 */
export const spendSummary = async (deps: Deps, ctx: ActorContext, input: { months?: unknown } = {}): Promise<SpendSummary> => {
  const months = parseMonths(input.months);
  return deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    const to = deps.clock.now();
    const from = addMonths(to, -months);
    const rows = await repos.reports.spendTotals(ctx.tenantId, from, to);
    const [products, people] = await Promise.all([repos.products.list(), repos.users.getMany(ctx.tenantId, [...new Set(rows.map((r) => r.purchaserId))])]);
    const productName = new Map(products.map((p) => [p.id, p.name]));
    const personName = new Map(people.map((u) => [u.id, u.displayName]));

    const group = (keyOf: (r: SpendTotalRow) => string, nameOf: (id: string) => string): SpendLine[] => {
      const lines = new Map<string, SpendLine>();
      for (const r of rows) {
        const id = keyOf(r);
        const key = `${id}|${r.currency}`;
        const line = lines.get(key) ?? { id, name: nameOf(id), ...zero(r.currency) };
        lines.set(key, { ...line, ...add(line, r) });
      }
      return [...lines.values()].sort(byCurrencyThenAmount);
    };

    const totals = new Map<string, SpendAmounts>();
    for (const r of rows) totals.set(r.currency, add(totals.get(r.currency) ?? zero(r.currency), r));
    return {
      from,
      to,
      months,
      totals: [...totals.values()].sort((a, b) => a.billed.currency.localeCompare(b.billed.currency)),
      byProduct: group(
        (r) => r.productId,
        (id) => productName.get(id) ?? id,
      ),
      byPurchaser: group(
        (r) => r.purchaserId,
        (id) => personName.get(id) ?? `Former employee (${id.slice(-6)})`,
      ),
    };
  });
};
