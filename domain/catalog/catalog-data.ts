import type { Product, TrialTerms } from '../model';
import { money } from '../shared/money';

/**
 * The products Microsoft lists for AllowSelfServicePurchase, with our own seeded prices in cents.
 * `monthlyCents` is the per-license monthly price on an annual commitment; a month-to-month
 * commitment costs 20% more, as Microsoft 365's commitment pricing does.
 */
const p = (id: string, name: string, monthlyCents: number, trial: TrialTerms | null, legacyIds: string[] = []): Product => ({
  id,
  name,
  legacyIds,
  prices: {
    Monthly: money(Math.round(monthlyCents * 1.2), 'USD'),
    Annual: money(monthlyCents * 12, 'USD'),
  },
  trial,
});

const cardTrial: TrialTerms = { days: 30, licenses: 25, requiresPaymentMethod: true };
const freeTrial = (days = 30, licenses = 25): TrialTerms => ({ days, licenses, requiresPaymentMethod: false });

export const CATALOG: readonly Product[] = [
  p('CFQ7TTC0H9MP', 'Power BI Pro', 1400, cardTrial, ['CFQ7TTC0L3PB']),
  p('CFQ7TTC0H6RP', 'Power BI Premium (per user)', 2400, null),
  p('CFQ7TTC0LH2H', 'Power Apps per user', 2000, cardTrial),
  p('CFQ7TTC0LH3L', 'Power Automate per user', 1500, cardTrial),
  p('CFQ7TTC0LSGZ', 'Power Automate RPA', 15000, null),
  p('CFQ7TTC0HDB1', 'Planner Plan 1', 1000, freeTrial()),
  p('CFQ7TTC0HDB0', 'Project Plan 3', 3000, cardTrial),
  p('CFQ7TTC0HD33', 'Visio Plan 1', 500, freeTrial()),
  p('CFQ7TTC0HD32', 'Visio Plan 2', 1500, cardTrial),
  p('CFQ7TTC0J1FV', 'Microsoft Teams Exploratory', 400, freeTrial(365, 25)),
  p('CFQ7TTC0RM8K', 'Teams Premium Introductory Pricing', 700, freeTrial()),
  p('CFQ7TTC0J203', 'Windows 365 Business', 3100, null),
  p('CFQ7TTC0HHS9', 'Windows 365 Enterprise', 3100, null),
  p('CFQ7TTC0MM8R', 'Microsoft 365 Copilot', 3000, null),
  p('CFQ7TTC0N8SS', 'Clipchamp Premium', 1199, cardTrial),
];

/** Resolves a current or legacy product id (case-insensitive) to the current id. */
export const canonicalProductId = (products: readonly Product[], id: string): string | null => {
  const wanted = id.trim().toUpperCase();
  const hit = products.find((x) => x.id === wanted || x.legacyIds.includes(wanted));
  return hit ? hit.id : null;
};
