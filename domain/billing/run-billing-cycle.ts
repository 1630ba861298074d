import { count } from '../shared/wording';
import type { Subscription } from '../model';
import type { ActorContext, ChargeResult, Deps, Repositories } from '../ports';
import { addDays } from '../shared/clock';
import { audit, getProduct, notify, recordOrder } from '../shared/effects';
import { multiply, type Money } from '../shared/money';
import { ErrorCodes, fail, isDomainError } from '../shared/errors';
import { runCharged, type ChargedOperation } from '../purchasing/charges';
import { endSubscription, newInvoice, termEnd } from '../purchasing/purchase-support';

/** Subscription ids by what happened to them in this run. */
export interface BillingCycleReport {
  reminded: string[];
  renewed: string[];
  paymentFailed: string[];
  ended: string[];
}

const SYSTEM = 'system';

type Happened = keyof BillingCycleReport | null;

interface RenewalPlan {
  subscriptionId: string;
  /** The term being renewed: a renewal whose term has moved on meanwhile is not made twice. */
  expiresAt: string;
}

/**
 * One subscription's step of the billing cycle. Reminders, expiries, central renewals and trials
 * without a card are done in one transaction; a self-service renewal charges the card between the
 * check and the renewal's records, outside both transactions (charges.ts), keyed by subscription and
 * term so that a re-run, a second instance or the recovery sweep never charges twice.
 */
export const BILLING_STEP: ChargedOperation<{ subscriptionId: string; now: string; horizon: string }, RenewalPlan, Happened> = {
  name: 'renewal',
  prepare: async (repos, deps, ctx, input) => {
    const s = await repos.subscriptions.get(ctx.tenantId, input.subscriptionId);
    if (!s || !['Active', 'Trial'].includes(s.status)) return { done: null };
    const now = new Date(input.now);
    const horizon = new Date(input.horizon);
    if (s.expiresAt.getTime() <= now.getTime()) {
      const renews = s.recurring && (s.origin === 'Central' || s.card !== null);
      if (!renews) return { done: await endAtExpiry(repos, deps, ctx, s) };
      if (s.origin === 'Central') return { done: await renew(repos, deps, ctx, s, null) };
      const { amount, description } = await renewalCharge(repos, s);
      return {
        charge: { key: `renew:${s.id}:${s.expiresAt.toISOString()}`, card: s.card!, amount, description },
        plan: { subscriptionId: s.id, expiresAt: s.expiresAt.toISOString() },
      };
    }
    if (s.expiresAt.getTime() <= horizon.getTime() && s.remindedFor?.getTime() !== s.expiresAt.getTime()) {
      await remind(repos, deps, s);
      return { done: 'reminded' };
    }
    return { done: null };
  },
  commit: async (repos, deps, ctx, plan, outcome) => {
    const s = await repos.subscriptions.get(ctx.tenantId, plan.subscriptionId);
    // Cancelled, or renewed by another run, since the charge was asked for: it is refunded.
    if (!s || !['Active', 'Trial'].includes(s.status) || s.expiresAt.toISOString() !== plan.expiresAt) {
      return fail(ErrorCodes.SUBSCRIPTION_NOT_ACTIVE, 'The subscription changed before its renewal was recorded.');
    }
    return { result: await renew(repos, deps, ctx, s, outcome), resultId: s.id };
  },
  replay: async (_repos, _deps, _ctx, _plan, intent) => (intent.outcome === 'Charged' ? 'renewed' : intent.outcome === 'Declined' ? 'paymentFailed' : null),
};

/**
 * The scheduled job: reminders before a renewal or a trial's end, then at expiry renew (charging the
 * card; a decline leaves an unpaid bill and a notice), convert card trials, or end the subscription.
 * Each subscription is its own step (BILLING_STEP).
 */
export const runBillingCycle = async (deps: Deps, opts: { tenantId?: string; batchSize?: number } = {}): Promise<BillingCycleReport> => {
  const report: BillingCycleReport = { reminded: [], renewed: [], paymentFailed: [], ended: [] };
  const now = deps.clock.now();
  const horizon = addDays(now, deps.settings.reminderDays);
  const due = await deps.uow.read((repos) => repos.subscriptions.listExpiringBefore(horizon, opts.batchSize ?? 200, opts.tenantId));
  for (const candidate of due) {
    const ctx: ActorContext = { tenantId: candidate.tenantId, actorId: SYSTEM, surface: 'system' };
    const happened = await runCharged(deps, ctx, BILLING_STEP, { subscriptionId: candidate.id, now: now.toISOString(), horizon: horizon.toISOString() }).catch((e: unknown) => {
      if (isDomainError(e, ErrorCodes.SUBSCRIPTION_NOT_ACTIVE)) return null; // changed under the run: the next one sees it as it is
      throw e;
    });
    if (happened) report[happened].push(candidate.id);
  }
  return report;
};

const remind = async (repos: Repositories, deps: Deps, s: Subscription): Promise<void> => {
  const product = await getProduct(repos, s.productId);
  await repos.subscriptions.update({ ...s, remindedFor: s.expiresAt });
  const kind = s.isTrial ? 'TrialEnding' : 'RenewalUpcoming';
  await notify(repos, deps, s.tenantId, [
    {
      recipient: { kind: 'user', userId: s.purchaserId },
      kind,
      data: {
        subscriptionId: s.id,
        productId: s.productId,
        productName: product.name,
        expiresAt: s.expiresAt.toISOString(),
        recurring: s.recurring,
        amountMinor: multiply(s.unitPrice, s.quantity).amountMinor,
        currency: s.unitPrice.currency,
      },
    },
  ]);
};

const endAtExpiry = async (repos: Repositories, deps: Deps, ctx: ActorContext, s: Subscription): Promise<Happened> => {
  const product = await getProduct(repos, s.productId);
  await endSubscription(repos, deps, s, { status: 'Expired', reason: null, productName: product.name });
  await recordOrder(repos, deps, { tenantId: s.tenantId, subscriptionId: s.id, kind: s.isTrial ? 'TrialEnded' : 'Expired', quantityDelta: -s.quantity, actorId: SYSTEM });
  await audit(
    repos,
    deps,
    ctx,
    s.isTrial ? 'subscription.trial-ended' : 'subscription.expired',
    { type: 'subscription', id: s.id },
    `${product.name} ${s.isTrial ? 'trial ended' : 'expired'}`,
  );
  await notify(repos, deps, s.tenantId, [
    {
      recipient: { kind: 'user', userId: s.purchaserId },
      kind: s.isTrial ? 'TrialEnded' : 'SubscriptionExpired',
      data: { subscriptionId: s.id, productId: s.productId, productName: product.name },
    },
  ]);
  return 'ended';
};

/** What a self-service renewal charges for the next term, and what its bill says. */
const renewalCharge = async (repos: Repositories, s: Subscription): Promise<{ amount: Money; description: string }> => {
  const product = await getProduct(repos, s.productId);
  const nextEnd = termEnd(s.expiresAt, s.billingFrequency);
  return {
    amount: multiply(s.unitPrice, s.quantity),
    description: `${product.name}, ${count(s.quantity, 'license')}, ${s.expiresAt.toISOString().slice(0, 10)} – ${nextEnd.toISOString().slice(0, 10)}`,
  };
};

/** The next term: for a central subscription (no charge: `outcome` null) or with the card's outcome. A decline leaves an unpaid bill. */
const renew = async (repos: Repositories, deps: Deps, ctx: ActorContext, s: Subscription, outcome: ChargeResult | null): Promise<Happened> => {
  const product = await getProduct(repos, s.productId);
  const amount = multiply(s.unitPrice, s.quantity);
  const nextTerm = { startedAt: s.expiresAt, expiresAt: termEnd(s.expiresAt, s.billingFrequency) };
  const converted = s.isTrial;
  const paid = outcome === null || outcome.status === 'succeeded';
  if (outcome) {
    const { description } = await renewalCharge(repos, s);
    await repos.invoices.add(newInvoice(deps, s, amount, description, outcome.status === 'succeeded' ? { chargeId: outcome.chargeId } : { failureCode: outcome.code }));
  }
  await repos.subscriptions.update({ ...s, ...nextTerm, status: 'Active', isTrial: false });
  await recordOrder(repos, deps, {
    tenantId: s.tenantId,
    subscriptionId: s.id,
    kind: !paid ? 'RenewalFailed' : converted ? 'TrialConverted' : 'Renewed',
    quantityDelta: 0,
    amount,
    actorId: SYSTEM,
  });
  await audit(
    repos,
    deps,
    ctx,
    paid ? 'subscription.renew' : 'subscription.renewal-failed',
    { type: 'subscription', id: s.id },
    `${product.name} ${converted ? 'converted to paid' : 'renewed'}${paid ? '' : ', payment declined'}`,
  );
  await notify(repos, deps, s.tenantId, [
    {
      recipient: { kind: 'user', userId: s.purchaserId },
      kind: paid ? 'Renewed' : 'PaymentFailed',
      data: {
        subscriptionId: s.id,
        productId: s.productId,
        productName: product.name,
        expiresAt: nextTerm.expiresAt.toISOString(),
        amountMinor: amount.amountMinor,
        currency: amount.currency,
        converted,
      },
    },
  ]);
  return paid ? 'renewed' : 'paymentFailed';
};
