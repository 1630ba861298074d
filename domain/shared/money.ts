/** Money is an integer amount of minor units (cents) with an ISO 4217 currency. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

export const money = (amountMinor: number, currency: string): Money => {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError(`amount must be an integer of minor units: ${amountMinor}`);
  return { amountMinor, currency };
};

export const multiply = (m: Money, factor: number): Money => money(m.amountMinor * factor, m.currency);

/** Share of a period's price for a fraction of it, rounded half up to the minor unit. */
export const prorate = (m: Money, numerator: number, denominator: number): Money => money(Math.round((m.amountMinor * numerator) / denominator), m.currency);
