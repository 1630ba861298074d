import { count } from '../shared/wording';
import type { Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { addDays } from '../shared/clock';
import { audit, getProduct, notify, recordOrder } from '../shared/effects';
import { multiply } from '../shared/money';
import { endSubscription, newInvoice, termEnd } from '../purchasing/purchase-support';

/** Subscription ids by what happened to them in this run. */
export interface BillingCycleReport {
  reminded: string[];
  renewed: string[];
  paymentFailed: string[];
  ended: string[];
}

const SYSTEM = 'system';

/**
 * The scheduled job: reminders before a renewal or a trial's end, then at expiry renew (charging the
 * card; a decline leaves an unpaid bill and a notice), convert card trials, or end the subscription.
 * Each subscription is its own transaction; renewal charges are keyed by subscription and term so a
 * re-run after a crash never charges twice.
 */
export const runBillingCycle = async (deps: Deps, opts: { tenantId?: string; batchSize?: number } = {}): Promise<BillingCycleReport> => {
  const report: BillingCycleReport = { reminded: [], renewed: [], paymentFailed: [], ended: [] };
  const now = deps.clock.now();
  const horizon = addDays(now, deps.settings.reminderDays);
  const due = await deps.uow.read((repos) => repos.subscriptions.listExpiringBefore(horizon, opts.batchSize ?? 200, opts.tenantId));
  for (const candidate of due) {
    await deps.uow.run(async (repos) => {
      const s = await repos.subscriptions.get(candidate.tenantId, candidate.id);
      if (!s || !['Active', 'Trial'].includes(s.status)) return;
      const ctx: ActorContext = { tenantId: s.tenantId, actorId: SYSTEM, surface: 'system' };
      if (s.expiresAt.getTime() <= now.getTime()) {
        await settleExpiry(repos, deps, ctx, s, report);
      } else if (s.expiresAt.getTime() <= horizon.getTime() && s.remindedFor?.getTime() !== s.expiresAt.getTime()) {
        await remind(repos, deps, s);
        report.reminded.push(s.id);
      }
    });
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

const settleExpiry = async (repos: Repositories, deps: Deps, ctx: ActorContext, s: Subscription, report: BillingCycleReport): Promise<void> => {
  const product = await getProduct(repos, s.productId);
  const renews = s.recurring && (s.origin === 'Central' || s.card !== null);
  if (!renews) {
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
    report.ended.push(s.id);
    return;
  }
  const amount = multiply(s.unitPrice, s.quantity);
  const nextTerm = { startedAt: s.expiresAt, expiresAt: termEnd(s.expiresAt, s.billingFrequency) };
  const converted = s.isTrial;
  let paid = true;
  if (s.origin === 'SelfService') {
    const description = `${product.name}, ${count(s.quantity, 'license')}, ${nextTerm.startedAt.toISOString().slice(0, 10)} – ${nextTerm.expiresAt.toISOString().slice(0, 10)}`;
    const result = await deps.payments.charge({ token: s.card!.token, amount, idempotencyKey: `renew:${s.id}:${s.expiresAt.toISOString()}`, description });
    paid = result.status === 'succeeded';
    await repos.invoices.add(newInvoice(deps, s, amount, description, result.status === 'succeeded' ? { chargeId: result.chargeId } : { failureCode: result.code }));
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
  (paid ? report.renewed : report.paymentFailed).push(s.id);
};
