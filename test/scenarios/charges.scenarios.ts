import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { addLicenses } from '../../domain/purchasing/change-license-count';
import { cancelSubscription } from '../../domain/purchasing/cancel-subscription';
import { payBill } from '../../domain/billing/pay-bill';
import { listBills } from '../../domain/billing/list-bills';
import { runBillingCycle } from '../../domain/billing/run-billing-cycle';
import { updatePaymentMethod } from '../../domain/purchasing/update-payment-method';
import { settleStalledCharges, STALLED_AFTER_MS } from '../../domain/purchasing/settle-charges';
import { listMyPurchases } from '../../domain/purchasing/list-my-purchases';
import { approvePurchaseRequest, rejectPurchaseRequest } from '../../domain/approvals/decide-purchase-request';
import type { ChargeIntent } from '../../domain/model';
import type { Deps, PaymentProvider, UnitOfWork } from '../../domain/ports';
import { ErrorCodes } from '../../domain/shared/errors';
import { type Backend, type World, expectCode, makeWorld } from '../support/world';

const PBI = 'CFQ7TTC0H9MP';

/** A unit of work that knows whether a transaction is open (charges must never run inside one). */
const watchedUow = (inner: UnitOfWork) => {
  let open = 0;
  const uow: UnitOfWork = {
    run: async (work) => {
      open++;
      try {
        return await inner.run(work);
      } finally {
        open--;
      }
    },
    read: (work) => inner.read(work),
  };
  return { uow, inTransaction: () => open > 0 };
};

type Fault = 'before-charge' | 'after-charge' | null;

/** The world's sandbox, with faults: the network failing before the provider is reached, or after it took the money. */
const faultyPayments = (w: World, hooks: { fault: Fault; afterCharge?: () => Promise<void>; calls: string[] }): PaymentProvider => ({
  describe: (token) => w.payments.describe(token),
  refund: (request) => w.payments.refund(request),
  charge: async (request) => {
    hooks.calls.push(request.idempotencyKey);
    if (hooks.fault === 'before-charge') throw new Error('connect ETIMEDOUT payments.example');
    const result = await w.payments.charge(request);
    await hooks.afterCharge?.();
    if (hooks.fault === 'after-charge') throw new Error('socket hang up');
    return result;
  },
});

export const chargesScenarios = (makeBackend: () => Promise<Backend>): void => {
  let backend: Backend;
  let w: World;
  let deps: Deps;
  let watched: ReturnType<typeof watchedUow>;
  let hooks: { fault: Fault; afterCharge?: () => Promise<void>; calls: string[] };
  let chargedInTransaction: string[];

  beforeAll(async () => {
    backend = await makeBackend();
  });
  afterAll(async () => {
    await backend.close();
  });
  beforeEach(async () => {
    w = await makeWorld(backend);
    watched = watchedUow(w.deps.uow);
    hooks = { fault: null, calls: [] };
    chargedInTransaction = [];
    const payments = faultyPayments(w, hooks);
    deps = {
      ...w.deps,
      uow: watched.uow,
      payments: {
        ...payments,
        charge: (request) => {
          if (watched.inTransaction()) chargedInTransaction.push(request.idempotencyKey);
          return payments.charge(request);
        },
      },
    };
  });

  const intents = (): Promise<ChargeIntent[]> =>
    deps.uow.read(async (repos) => [...(await repos.charges.listPending(new Date('2100-01-01T00:00:00Z'), 1000)).filter((i) => i.tenantId === w.tenantId)]);
  const sweepLater = async () => {
    w.clock.t = new Date(w.clock.t.getTime() + STALLED_AFTER_MS + 1_000);
    return settleStalledCharges(deps);
  };
  const buy = (extra: Record<string, unknown> = {}) => buySubscription(deps, w.as(w.u.alice), { productId: PBI, quantity: 2, cardToken: w.card(), ...extra });
  const paidInvoices = async () => (await listBills(deps, w.as(w.u.alice))).filter((b) => b.status === 'Paid');
  const adminNotices = async () => (await w.snapshot()).split('"PurchaseCreated"').length - 1;

  test('every charged operation charges outside any transaction: buy, add licenses, pay a bill, approve a request, renew', async () => {
    const bought = await buy();
    if (bought.status !== 'created') throw new Error('expected created');
    await addLicenses(deps, w.as(w.u.alice), { subscriptionId: bought.subscription.id, quantity: 1 });
    await updatePaymentMethod(deps, w.as(w.u.alice), { subscriptionId: bought.subscription.id, cardToken: w.card('4000000000009995') });
    w.clock.advanceDays(32);
    const cycle = await runBillingCycle(deps, { tenantId: w.tenantId });
    expect(cycle.paymentFailed).toEqual([bought.subscription.id]);
    const [unpaid] = (await listBills(deps, w.as(w.u.alice))).filter((b) => b.status === 'Unpaid');
    await payBill(deps, w.as(w.u.alice), { invoiceId: unpaid.id, cardToken: w.card() });
    expect(hooks.calls).toHaveLength(4);
    expect(chargedInTransaction).toEqual([]);
    expect(await intents()).toEqual([]); // every one settled
  });

  test('an approval charges outside the transaction; a request another admin rejected meanwhile gets its charge refunded', async () => {
    await deps.uow.run((repos) => repos.tenants.get(w.tenantId).then((t) => repos.tenants.save({ ...t!, requireApproval: true })));
    const pending = await buy();
    if (pending.status !== 'pending') throw new Error('expected pending');
    const second = await buySubscription(deps, w.as(w.u.bob), { productId: PBI, quantity: 1, cardToken: w.card() });
    if (second.status !== 'pending') throw new Error('expected pending');
    expect((await approvePurchaseRequest(deps, w.as(w.u.admin), { requestId: pending.request.id })).status).toBe('Approved');
    // The billing admin rejects Bob's request while the Global admin's approval is at the provider.
    hooks.afterCharge = async () => {
      hooks.afterCharge = undefined;
      await rejectPurchaseRequest(deps, w.as(w.u.billing), { requestId: second.request.id, note: 'Not this quarter' });
    };
    await expectCode(approvePurchaseRequest(deps, w.as(w.u.admin), { requestId: second.request.id }), ErrorCodes.REQUEST_ALREADY_DECIDED);
    expect(chargedInTransaction).toEqual([]);
    expect(w.payments.refundsMade()).toHaveLength(1);
    const [refunded] = await deps.uow.read((repos) => repos.charges.get(w.tenantId, `request:${second.request.id}`).then((i) => [i]));
    expect(refunded).toMatchObject({ status: 'Settled', outcome: 'Refunded' });
  });

  test('a crash after the provider took the money: nothing is lost; the sweep records the purchase once, with one charge and one notice', async () => {
    hooks.fault = 'after-charge';
    await expect(buy({ idempotencyKey: 'form-1' })).rejects.toThrow('socket hang up');
    expect(await intents()).toHaveLength(1);
    expect(await paidInvoices()).toHaveLength(0);
    hooks.fault = null;
    expect((await settleStalledCharges(deps)).settled).toEqual([]); // not stalled yet: its caller may still be finishing it
    const report = await sweepLater();
    expect(report).toEqual({ settled: ['buy:' + w.tenantId + ':form-1'], failed: [] });
    expect(await intents()).toEqual([]);
    expect(await paidInvoices()).toHaveLength(1);
    expect(await adminNotices()).toBe(1);
    expect(new Set(w.payments.succeededCharges().map((c) => c.idempotencyKey))).toEqual(new Set([`buy:${w.tenantId}:form-1`]));
    // The person presses Buy again (same form): the same purchase, no second charge.
    const again = await buy({ idempotencyKey: 'form-1' });
    expect(again.status).toBe('created');
    expect(await paidInvoices()).toHaveLength(1);
    expect((await sweepLater()).settled).toEqual([]);
  });

  test('the same form pressed again while its first charge is at the provider: both finish the one purchase, recorded once', async () => {
    // The second press finds the first's intent Pending, charges with its key (the same charge) and
    // settles it first; the first then finds it settled, rolls its own change back and answers the same.
    let second: Awaited<ReturnType<typeof buy>> | undefined;
    hooks.afterCharge = async () => {
      hooks.afterCharge = undefined;
      second = await buy({ idempotencyKey: 'form-twice' });
    };
    const first = await buy({ idempotencyKey: 'form-twice' });
    if (first.status !== 'created' || second?.status !== 'created') throw new Error('expected both created');
    expect(first.subscription.id).toBe(second.subscription.id);
    expect(new Set(w.payments.succeededCharges().map((c) => c.idempotencyKey))).toEqual(new Set([`buy:${w.tenantId}:form-twice`]));
    expect(await paidInvoices()).toHaveLength(1);
    expect(await adminNotices()).toBe(1);
    expect((await listMyPurchases(deps, w.as(w.u.alice))).filter((m) => m.product.id === PBI)).toHaveLength(1);
    expect(await intents()).toEqual([]);
  });

  test('the sweep finishing an intent while its caller still does: the change is made once, and both answer with it', async () => {
    const bought = await buy();
    if (bought.status !== 'created') throw new Error('expected created');
    // The caller's charge is slow to answer: the sweep takes the intent as stalled and finishes it first.
    hooks.afterCharge = async () => {
      hooks.afterCharge = undefined;
      expect((await sweepLater()).settled).toHaveLength(1);
    };
    const added = await addLicenses(deps, w.as(w.u.alice), { subscriptionId: bought.subscription.id, quantity: 3 });
    expect(added.subscription.quantity).toBe(5);
    expect((await deps.uow.read((r) => r.subscriptions.get(w.tenantId, bought.subscription.id)))!.quantity).toBe(5);
    expect(await paidInvoices()).toHaveLength(2);
    expect(w.payments.refundsMade()).toEqual([]);
    expect(await intents()).toEqual([]);
  });

  test('a crash before the provider was reached: the sweep charges once and records it', async () => {
    hooks.fault = 'before-charge';
    await expect(buy()).rejects.toThrow('ETIMEDOUT');
    expect(w.payments.succeededCharges()).toHaveLength(0);
    hooks.fault = null;
    await sweepLater();
    expect(w.payments.succeededCharges()).toHaveLength(1);
    expect(await paidInvoices()).toHaveLength(1);
    expect(await intents()).toEqual([]);
  });

  test('added licenses whose answer from the provider was lost: the sweep finishes the change the charge paid for, once', async () => {
    const bought = await buy();
    if (bought.status !== 'created') throw new Error('expected created');
    hooks.fault = 'after-charge';
    await expect(addLicenses(deps, w.as(w.u.alice), { subscriptionId: bought.subscription.id, quantity: 3 })).rejects.toThrow('socket hang up');
    hooks.fault = null;
    await sweepLater();
    await sweepLater();
    expect((await deps.uow.read((r) => r.subscriptions.get(w.tenantId, bought.subscription.id)))!.quantity).toBe(5);
    expect(await paidInvoices()).toHaveLength(2);
  });

  test('the subscription cancelled while its added licenses were being charged: the charge is refunded, nothing else changes', async () => {
    const bought = await buy();
    if (bought.status !== 'created') throw new Error('expected created');
    hooks.afterCharge = async () => {
      hooks.afterCharge = undefined;
      await cancelSubscription(deps, w.as(w.u.alice), { subscriptionId: bought.subscription.id, reason: 'No longer needed' });
    };
    await expectCode(addLicenses(deps, w.as(w.u.alice), { subscriptionId: bought.subscription.id, quantity: 3 }), ErrorCodes.SUBSCRIPTION_NOT_ACTIVE);
    expect(w.payments.refundsMade()).toEqual([expect.objectContaining({ amount: expect.objectContaining({ currency: 'USD' }) })]);
    expect(await paidInvoices()).toHaveLength(1); // the purchase's only
    expect((await deps.uow.read((r) => r.subscriptions.get(w.tenantId, bought.subscription.id)))!.quantity).toBe(2);
  });

  test('one bill paid with two cards at once: paid once, the other charge refunded', async () => {
    const bought = await buy();
    if (bought.status !== 'created') throw new Error('expected created');
    await updatePaymentMethod(deps, w.as(w.u.alice), { subscriptionId: bought.subscription.id, cardToken: w.card('4000000000009995') });
    w.clock.advanceDays(32);
    await runBillingCycle(deps, { tenantId: w.tenantId });
    const [unpaid] = (await listBills(deps, w.as(w.u.alice))).filter((b) => b.status === 'Unpaid');
    // The second card's payment runs from start to end while the first one's charge is at the provider.
    let second: unknown;
    hooks.afterCharge = async () => {
      hooks.afterCharge = undefined;
      second = await payBill(deps, w.as(w.u.alice), { invoiceId: unpaid.id, cardToken: w.card('5555555555554444') });
    };
    const first = await payBill(deps, w.as(w.u.alice), { invoiceId: unpaid.id, cardToken: w.card() }).catch((e: unknown) => e);
    expect(second).toMatchObject({ status: 'Paid' });
    expect(first).toMatchObject({ code: expect.stringMatching(/^BILL\./) });
    expect(w.payments.refundsMade()).toHaveLength(1);
    expect((await listBills(deps, w.as(w.u.alice))).filter((b) => b.status === 'Unpaid')).toHaveLength(0);
  });

  test('a declined card leaves nothing behind, not even its intent', async () => {
    const before = await w.snapshot();
    await expectCode(buySubscription(deps, w.as(w.u.alice), { productId: PBI, quantity: 1, cardToken: w.card('4000000000000002') }), ErrorCodes.PAYMENT_DECLINED);
    expect(await w.snapshot()).toBe(before);
  });

  test('ten presses of one Buy form at once: one subscription, one charge', async () => {
    const token = w.card();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => buySubscription(deps, w.as(w.u.alice), { productId: PBI, quantity: 2, cardToken: token, idempotencyKey: 'one-form' })),
    );
    const created = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ status: string; subscription?: { id: string } }>).value);
    expect(new Set(created.map((c) => c.subscription?.id)).size).toBe(1);
    expect(await paidInvoices()).toHaveLength(1);
    expect(new Set(w.payments.succeededCharges().map((c) => c.chargeId)).size).toBe(1);
  });
};
