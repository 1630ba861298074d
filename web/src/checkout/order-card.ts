import { plural, price } from '../../../cards/format';
import type { CardJson } from '../lib/adaptive-card-view';
import type { BillingFrequency, CatalogItemView } from '../../contracts/purchases';

export interface Order {
  item: CatalogItemView;
  mode: 'buy' | 'trial';
  quantity: number;
  frequency: BillingFrequency;
}

const PERIOD: Record<BillingFrequency, string> = { Annual: 'year', Monthly: 'month' };

/** What is charged today for a purchase (a trial costs nothing now). */
export const orderTotal = (o: Order) => ({
  amountMinor: o.mode === 'buy' ? o.item.prices[o.frequency].amountMinor * o.quantity : 0,
  currency: o.item.prices[o.frequency].currency,
});

/** The order as an Adaptive Card (schema 1.5): the same summary Teams would show in chat. */
export const orderCard = (o: Order): CardJson => {
  const { item } = o;
  const trial = item.trial;
  const facts =
    o.mode === 'buy'
      ? [
          { title: 'Licenses', value: String(o.quantity) },
          { title: 'Billing', value: o.frequency === 'Annual' ? 'Yearly' : 'Monthly' },
          { title: 'Per license', value: `${price(item.prices[o.frequency])} per ${PERIOD[o.frequency]}` },
          { title: 'Total today', value: price(orderTotal(o)) },
        ]
      : [
          { title: 'Licenses', value: String(trial?.licenses ?? 0) },
          { title: 'Trial', value: `${plural(trial?.days ?? 0, 'day')}, free` },
          {
            title: 'Afterwards',
            value: trial?.requiresPaymentMethod ? `${price(item.prices.Monthly)} per license per month, unless you turn recurring billing off` : 'It simply ends; no card needed',
          },
        ];
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: 'Your order', isSubtle: true, size: 'Small', wrap: true },
      { type: 'TextBlock', text: item.name, size: 'Large', weight: 'Bolder', wrap: true, spacing: 'None' },
      { type: 'FactSet', facts },
      {
        type: 'TextBlock',
        wrap: true,
        isSubtle: true,
        size: 'Small',
        text:
          o.mode === 'buy'
            ? `Renews every ${PERIOD[o.frequency]} until you cancel or turn recurring billing off. You can assign the licenses to anyone in your organization.`
            : 'You can assign the trial licenses to anyone in your organization.',
      },
    ],
  };
};
