import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { startTrial, trialTerms } from '../../domain/purchasing/start-trial';
import { CATALOG } from '../../domain/catalog/catalog-data';
import { addLicenses, removeLicenses } from '../../domain/purchasing/change-license-count';
import { setRecurringBilling } from '../../domain/purchasing/set-recurring-billing';
import { cancelSubscription } from '../../domain/purchasing/cancel-subscription';
import { updatePaymentMethod } from '../../domain/purchasing/update-payment-method';
import { getMyStanding, listMyPurchases } from '../../domain/purchasing/list-my-purchases';
import { listBills } from '../../domain/billing/list-bills';
import { payBill } from '../../domain/billing/pay-bill';
import { runBillingCycle } from '../../domain/billing/run-billing-cycle';
import { getPurchaseDetail } from '../../domain/admin/get-purchase-detail';
import { setPolicy } from '../../domain/policy/set-policy';
import { assignLicenses } from '../../domain/licenses/assign-licenses';
import { listMyLicenses } from '../../domain/licenses/my-licenses';
import { markUserLeft } from '../../domain/directory/sync-directory';
import { ErrorCodes } from '../../domain/shared/errors';
import { type Backend, type World, expectCode, expectRefusedUnchanged, makeWorld } from '../support/world';

const PBI = 'CFQ7TTC0H9MP';
const VISIO1 = 'CFQ7TTC0HD33'; // trial without a card
const COPILOT = 'CFQ7TTC0MM8R'; // no trial

export const purchasingScenarios = (makeBackend: () => Promise<Backend>): void => {
  let backend: Backend;
  let w: World;
  beforeAll(async () => {
    backend = await makeBackend();
  });
  afterAll(async () => {
    await backend.close();
  });
  beforeEach(async () => {
    w = await makeWorld(backend);
  });

  const buy = (qty: unknown = 5, extra: Record<string, unknown> = {}) => buySubscription(w.deps, w.as(w.u.alice), { productId: PBI, quantity: qty, cardToken: w.card(), ...extra });

  describe('buying', () => {
    test('R2 a purchase charges the card once, stores only the card summary and issues a paid bill', async () => {
      const r = await buy(5, { billingFrequency: 'Annual' });
      if (r.status !== 'created') throw new Error('expected created');
      const s = r.subscription;
      expect(s).toMatchObject({ status: 'Active', quantity: 5, origin: 'SelfService', purchaserId: w.u.alice, billingFrequency: 'Annual', recurring: true });
      expect(s.unitPrice).toEqual({ amountMinor: 16800, currency: 'USD' });
      expect(s.card).toMatchObject({ brand: 'Visa', last4: '4242', expMonth: 12, expYear: 2030 });
      expect(JSON.stringify(s)).not.toContain('4242424242424242');
      expect(await w.snapshot()).not.toContain('4242424242424242');
      expect(w.payments.succeededCharges()).toHaveLength(1);
      expect(w.payments.succeededCharges()[0].amount).toEqual({ amountMinor: 84000, currency: 'USD' });
      const bills = await listBills(w.deps, w.as(w.u.alice));
      expect(bills).toHaveLength(1);
      expect(bills[0]).toMatchObject({ status: 'Paid', amount: { amountMinor: 84000, currency: 'USD' } });
      expect(s.expiresAt.toISOString()).toBe('2027-01-15T09:00:00.000Z');
    });

    test('R2 payment is by credit card only: no card, a forged token or a declined card buys nothing', async () => {
      await expectRefusedUnchanged(w, () => buySubscription(w.deps, w.as(w.u.alice), { productId: PBI, quantity: 1, cardToken: '' }), ErrorCodes.PAYMENT_METHOD_REQUIRED);
      await expectRefusedUnchanged(w, () => buySubscription(w.deps, w.as(w.u.alice), { productId: PBI, quantity: 1, cardToken: 'invoice' }), ErrorCodes.PAYMENT_TOKEN_INVALID);
      const forged = w.card().replace(/\.[^.]+$/, '.AAAA');
      await expectRefusedUnchanged(w, () => buySubscription(w.deps, w.as(w.u.alice), { productId: PBI, quantity: 1, cardToken: forged }), ErrorCodes.PAYMENT_TOKEN_INVALID);
      await expectRefusedUnchanged(
        w,
        () => buySubscription(w.deps, w.as(w.u.alice), { productId: PBI, quantity: 1, cardToken: w.card('4000000000000002') }),
        ErrorCodes.PAYMENT_DECLINED,
      );
      expect(w.payments.succeededCharges()).toHaveLength(0);
    });

    test('an expired card token is refused with its own code and changes nothing', async () => {
      const token = w.card();
      w.clock.t = new Date('2031-02-01T00:00:00Z');
      await expectRefusedUnchanged(w, () => buySubscription(w.deps, w.as(w.u.alice), { productId: PBI, quantity: 1, cardToken: token }), ErrorCodes.PAYMENT_CARD_EXPIRED);
    });

    test('the same purchase submitted twice with one idempotency key makes one subscription and one charge', async () => {
      const token = w.card();
      const input = { productId: PBI, quantity: 3, cardToken: token, idempotencyKey: 'checkout-123' };
      const [a, b] = await Promise.all([buySubscription(w.deps, w.as(w.u.alice), input), buySubscription(w.deps, w.as(w.u.alice), input)]);
      const c = await buySubscription(w.deps, w.as(w.u.alice), input);
      const ids = [a, b, c].map((r) => (r.status === 'created' ? r.subscription.id : r.request.id));
      expect(new Set(ids).size).toBe(1);
      expect(await listMyPurchases(w.deps, w.as(w.u.alice))).toHaveLength(1);
      expect(w.payments.succeededCharges()).toHaveLength(1);
      await expectCode(buySubscription(w.deps, w.as(w.u.alice), { ...input, quantity: 4 }), ErrorCodes.IDEMPOTENCY_KEY_REUSED);
    });

    test('unknown product and every kind of bad quantity get their own code and change nothing', async () => {
      const cases: Array<[unknown, unknown, string]> = [
        ['NOPE', 1, ErrorCodes.PRODUCT_UNKNOWN],
        [PBI, undefined, ErrorCodes.QUANTITY_MISSING],
        [PBI, 0, ErrorCodes.QUANTITY_NOT_POSITIVE],
        [PBI, -3, ErrorCodes.QUANTITY_NOT_POSITIVE],
        [PBI, 2.5, ErrorCodes.QUANTITY_NOT_INTEGER],
        [PBI, 'five', ErrorCodes.QUANTITY_NOT_INTEGER],
        [PBI, 10_001, ErrorCodes.QUANTITY_TOO_LARGE],
        [PBI, Infinity, ErrorCodes.QUANTITY_TOO_LARGE],
      ];
      for (const [productId, quantity, code] of cases) {
        await expectRefusedUnchanged(w, () => buySubscription(w.deps, w.as(w.u.alice), { productId, quantity, cardToken: w.card() }), code as never);
      }
      await expectRefusedUnchanged(w, () => buy(1, { billingFrequency: 'Weekly' }), ErrorCodes.BILLING_FREQUENCY_INVALID);
    });

    test('R4 a purchaser sees only the subscriptions they bought', async () => {
      await buy(2);
      await buySubscription(w.deps, w.as(w.u.bob), { productId: PBI, quantity: 1, cardToken: w.card() });
      const mine = await listMyPurchases(w.deps, w.as(w.u.alice));
      expect(mine.map((m) => m.subscription.purchaserId)).toEqual([w.u.alice]);
      const bobs = (await listMyPurchases(w.deps, w.as(w.u.bob)))[0].subscription.id;
      await expectCode(getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: bobs }), ErrorCodes.SUBSCRIPTION_NOT_FOUND);
    });

    test('R4 the live subscriptions come first, then the ended ones, each newest first', async () => {
      const bought = async (qty: number) => {
        const r = await buy(qty);
        if (r.status !== 'created') throw new Error('expected created');
        w.clock.advanceDays(1);
        return r.subscription.id;
      };
      const [oldest, middle, newest] = [await bought(1), await bought(2), await bought(3)];
      await cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: newest, reason: 'No longer needed' });
      await cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: oldest, reason: 'No longer needed' });
      const mine = await listMyPurchases(w.deps, w.as(w.u.alice));
      expect(mine.map((m) => [m.subscription.id, m.subscription.status])).toEqual([
        [middle, 'Active'],
        [newest, 'Cancelled'],
        [oldest, 'Cancelled'],
      ]);
    });

    test("the help text's standing: an admin is an admin with nothing read for them, a purchaser gets their live subscriptions, someone unknown neither; one read, the caller loaded once", async () => {
      const kept = await buy(2);
      const ended = await buy(1);
      if (kept.status !== 'created' || ended.status !== 'created') throw new Error('expected created');
      await cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: ended.subscription.id, reason: 'No longer needed' });
      let reads = 0;
      let actorLoads = 0;
      const counted = {
        ...w.deps,
        uow: {
          run: w.deps.uow.run.bind(w.deps.uow),
          read: <T>(work: Parameters<typeof w.deps.uow.read<T>>[0]) => {
            reads++;
            return w.deps.uow.read((repos) => work({ ...repos, actors: { load: (t: string, u: string) => (actorLoads++, repos.actors.load(t, u)) } }));
          },
        },
      };
      const alice = await getMyStanding(counted, w.as(w.u.alice));
      expect(alice.isAdmin).toBe(false);
      expect(alice.live.map((m) => m.subscription.id)).toEqual([kept.subscription.id]);
      expect(alice.live[0].actions.assign.ok).toBe(true);
      expect([reads, actorLoads]).toEqual([1, 1]);
      // What each admin may do beyond seeing: a Global reader nothing, a Billing admin all but roles.
      expect(await getMyStanding(counted, w.as(w.u.admin))).toEqual({ isAdmin: true, adminWrite: true, manageRoles: true, live: [] });
      expect(await getMyStanding(counted, w.as(w.u.billing))).toEqual({ isAdmin: true, adminWrite: true, manageRoles: false, live: [] });
      expect(await getMyStanding(counted, w.as(w.u.reader))).toEqual({ isAdmin: true, adminWrite: false, manageRoles: false, live: [] });
      const nobody = { isAdmin: false, adminWrite: false, manageRoles: false, live: [] };
      expect(await getMyStanding(counted, w.as(w.u.bob))).toEqual(nobody);
      expect(await getMyStanding(counted, w.as('nobody-here'))).toEqual(nobody);
      expect(await getMyStanding(counted, w.as(w.u.alice, 'no-such-tenant'))).toEqual(nobody);
      expect([reads, actorLoads]).toEqual([7, 7]);
    });
  });

  describe('trials', () => {
    test('R14 a card-free trial needs no card and simply ends at expiry, users losing access', async () => {
      const r = await startTrial(w.deps, w.as(w.u.alice), { productId: VISIO1 });
      if (r.status !== 'created') throw new Error('expected created');
      expect(r.subscription).toMatchObject({ status: 'Trial', isTrial: true, card: null, recurring: false, quantity: 25 });
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: r.subscription.id, userIds: [w.u.bob] });
      await expectCode(setRecurringBilling(w.deps, w.as(w.u.alice), { subscriptionId: r.subscription.id, enabled: true }), ErrorCodes.TRIAL_CANNOT_CHANGE);
      w.clock.advanceDays(31);
      const report = await runBillingCycle(w.deps, { tenantId: w.tenantId });
      expect(report.ended).toEqual([r.subscription.id]);
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: r.subscription.id });
      expect(detail.subscription.status).toBe('Expired');
      expect(detail.assignedUsers).toHaveLength(0);
      expect(w.payments.succeededCharges()).toHaveLength(0);
    });

    test('R14 a card trial needs a card and converts to paid when it ends', async () => {
      await expectRefusedUnchanged(w, () => startTrial(w.deps, w.as(w.u.alice), { productId: PBI }), ErrorCodes.PAYMENT_METHOD_REQUIRED);
      const r = await startTrial(w.deps, w.as(w.u.alice), { productId: PBI, cardToken: w.card() });
      if (r.status !== 'created') throw new Error('expected created');
      expect(r.subscription).toMatchObject({ status: 'Trial', recurring: true });
      expect(w.payments.succeededCharges()).toHaveLength(0);
      w.clock.advanceDays(30);
      await runBillingCycle(w.deps, { tenantId: w.tenantId });
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: r.subscription.id });
      expect(detail.subscription).toMatchObject({ status: 'Active', isTrial: false });
      expect(detail.orders.map((o) => o.kind)).toEqual(['TrialStarted', 'TrialConverted']);
      expect(w.payments.succeededCharges()).toHaveLength(1);
      // What the trial form said it would cost is what was charged.
      const terms = trialTerms(CATALOG.find((p) => p.id === PBI)!)!;
      expect(w.payments.succeededCharges()[0].amount).toEqual(terms.convertsTo!.perMonth);
      expect(r.subscription).toMatchObject({ quantity: terms.licenses, billingFrequency: terms.billingFrequency, unitPrice: terms.unitPrice });
      expect(trialTerms(CATALOG.find((p) => p.id === VISIO1)!)!.convertsTo).toBeNull();
    });

    test('one trial per person and product; products without a trial say so', async () => {
      await startTrial(w.deps, w.as(w.u.alice), { productId: VISIO1 });
      await expectRefusedUnchanged(w, () => startTrial(w.deps, w.as(w.u.alice), { productId: VISIO1 }), ErrorCodes.TRIAL_ALREADY_USED);
      await expectRefusedUnchanged(w, () => startTrial(w.deps, w.as(w.u.alice), { productId: COPILOT, cardToken: w.card() }), ErrorCodes.TRIAL_NOT_AVAILABLE);
    });

    test('R3 OnlyTrialsWithoutPaymentMethod allows card-free trials only, and no purchase', async () => {
      await setPolicy(w.deps, w.as(w.u.admin), { productId: VISIO1, value: 'OnlyTrialsWithoutPaymentMethod' });
      await setPolicy(w.deps, w.as(w.u.admin), { productId: PBI, value: 'OnlyTrialsWithoutPaymentMethod' });
      await expectRefusedUnchanged(w, () => buySubscription(w.deps, w.as(w.u.alice), { productId: VISIO1, quantity: 1, cardToken: w.card() }), ErrorCodes.POLICY_TRIALS_ONLY);
      await expectRefusedUnchanged(w, () => startTrial(w.deps, w.as(w.u.alice), { productId: PBI, cardToken: w.card() }), ErrorCodes.POLICY_TRIALS_ONLY);
      const r = await startTrial(w.deps, w.as(w.u.alice), { productId: VISIO1 });
      expect(r.status).toBe('created');
    });
  });

  describe('managing a subscription', () => {
    const bought = async () => {
      const r = await buy(5);
      if (r.status !== 'created') throw new Error('expected created');
      return r.subscription;
    };

    test("my licenses: a licensed colleague sees what they hold, from whose purchase and who assigned it; nothing ended, nobody else's", async () => {
      const s = await bought();
      expect(await listMyLicenses(w.deps, w.as(w.u.bob))).toEqual([]);
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob, w.u.alice] });
      w.clock.advanceDays(1);
      const trial = await startTrial(w.deps, w.as(w.u.bob), { productId: VISIO1 });
      if (trial.status !== 'created') throw new Error('expected a trial');
      await assignLicenses(w.deps, w.as(w.u.bob), { subscriptionId: trial.subscription.id, userIds: [w.u.bob] });
      const bobs = await listMyLicenses(w.deps, w.as(w.u.bob));
      expect(bobs.map((l) => [l.product.id, l.origin, l.boughtByYou, l.assignedByName === null])).toEqual([
        [VISIO1, 'SelfService', true, true],
        [PBI, 'SelfService', false, false],
      ]);
      expect(bobs[1]).toMatchObject({ subscriptionId: s.id, purchaserName: expect.any(String), assignedByName: bobs[1].purchaserName });
      expect((await listMyLicenses(w.deps, w.as(w.u.alice))).map((l) => [l.product.id, l.boughtByYou, l.assignedByName])).toEqual([[PBI, true, null]]);
      // Another tenant's person with the same id holds nothing here; an ended subscription's licenses are gone.
      await expectCode(listMyLicenses(w.deps, w.as(w.u.bob, w.otherTenantId)), ErrorCodes.USER_NOT_FOUND);
      await cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: s.id, reason: 'No longer needed' });
      expect((await listMyLicenses(w.deps, w.as(w.u.bob))).map((l) => l.product.id)).toEqual([VISIO1]);
    });

    test('buy more licenses: prorated charge for the rest of the term, order history records it', async () => {
      const s = await bought();
      w.clock.advanceDays(15);
      const { subscription, invoice } = await addLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, quantity: 2 });
      expect(subscription.quantity).toBe(7);
      // Monthly 1680¢ × 2 licenses × 16 of 31 days remaining.
      expect(invoice?.amount).toEqual({ amountMinor: Math.round((1680 * 2 * 16) / 31), currency: 'USD' });
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id });
      expect(detail.orders.map((o) => [o.kind, o.quantityDelta])).toEqual([
        ['Purchase', 5],
        ['LicensesAdded', 2],
      ]);
    });

    test('remove licenses never below the assigned count, and never to zero', async () => {
      const s = await bought();
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob, w.u.carol, w.colleagues[0]] });
      await expectRefusedUnchanged(w, () => removeLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, quantity: 3 }), ErrorCodes.LICENSE_BELOW_ASSIGNED);
      await expectRefusedUnchanged(w, () => removeLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, quantity: 5 }), ErrorCodes.QUANTITY_TOO_LARGE);
      expect((await removeLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, quantity: 2 })).quantity).toBe(3);
    });

    test('R13 turning recurring billing off does not cancel: it runs to expiry, then ends without a charge', async () => {
      const s = await bought();
      const off = await setRecurringBilling(w.deps, w.as(w.u.alice), { subscriptionId: s.id, enabled: false });
      expect(off).toMatchObject({ status: 'Active', recurring: false });
      w.clock.advanceDays(20);
      await runBillingCycle(w.deps, { tenantId: w.tenantId });
      expect((await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id })).subscription.status).toBe('Active');
      w.clock.advanceDays(15);
      await runBillingCycle(w.deps, { tenantId: w.tenantId });
      expect((await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id })).subscription.status).toBe('Expired');
      expect(w.payments.succeededCharges()).toHaveLength(1);
    });

    test('renewal at expiry charges the card and issues a bill; reminder once before', async () => {
      const s = await bought();
      w.clock.advanceDays(26);
      expect((await runBillingCycle(w.deps, { tenantId: w.tenantId })).reminded).toEqual([s.id]);
      expect((await runBillingCycle(w.deps, { tenantId: w.tenantId })).reminded).toEqual([]);
      w.clock.advanceDays(6);
      expect((await runBillingCycle(w.deps, { tenantId: w.tenantId })).renewed).toEqual([s.id]);
      expect((await runBillingCycle(w.deps, { tenantId: w.tenantId })).renewed).toEqual([]);
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id });
      expect(detail.subscription.expiresAt.toISOString()).toBe('2026-03-15T09:00:00.000Z');
      expect(detail.invoices.map((i) => i.status)).toEqual(['Paid', 'Paid']);
    });

    test('a declined renewal leaves an unpaid bill and a payment-failed notice; paying it with a new card settles it', async () => {
      const s = await bought();
      await updatePaymentMethod(w.deps, w.as(w.u.alice), { subscriptionId: s.id, cardToken: w.card('4000000000009995') });
      w.clock.advanceDays(32);
      expect((await runBillingCycle(w.deps, { tenantId: w.tenantId })).paymentFailed).toEqual([s.id]);
      const unpaid = (await listBills(w.deps, w.as(w.u.alice))).find((b) => b.status === 'Unpaid')!;
      expect(unpaid.failureCode).toBe('insufficient_funds');
      expect(await w.snapshot()).toContain('PaymentFailed');
      await expectRefusedUnchanged(w, () => payBill(w.deps, w.as(w.u.alice), { invoiceId: unpaid.id }), ErrorCodes.PAYMENT_DECLINED);
      await expectRefusedUnchanged(w, () => payBill(w.deps, w.as(w.u.bob), { invoiceId: unpaid.id, cardToken: w.card() }), ErrorCodes.BILL_NOT_FOUND);
      const paid = await payBill(w.deps, w.as(w.u.alice), { invoiceId: unpaid.id, cardToken: w.card('5555555555554444') });
      expect(paid.status).toBe('Paid');
      await expectCode(payBill(w.deps, w.as(w.u.alice), { invoiceId: unpaid.id }), ErrorCodes.BILL_ALREADY_PAID);
      // The card that paid is the subscription's card now: the next renewal is charged to it, not the declined one.
      expect(paid.cardNowOnFile).toMatchObject({ brand: 'Mastercard', last4: '4444' });
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id });
      expect(detail.subscription.card).toMatchObject({ brand: 'Mastercard', last4: '4444' });
      expect(await w.snapshot()).toContain('PaymentMethodUpdated');
      w.clock.advanceDays(31);
      expect((await runBillingCycle(w.deps, { tenantId: w.tenantId })).renewed).toEqual([s.id]);
      expect((await listBills(w.deps, w.as(w.u.alice))).filter((b) => b.status === 'Unpaid')).toEqual([]);
    });

    test('a bill paid with the card already on file leaves the card and its history alone', async () => {
      const s = await bought();
      await updatePaymentMethod(w.deps, w.as(w.u.alice), { subscriptionId: s.id, cardToken: w.card('4000000000009995') });
      w.clock.advanceDays(32);
      await runBillingCycle(w.deps, { tenantId: w.tenantId });
      const unpaid = (await listBills(w.deps, w.as(w.u.alice))).find((b) => b.status === 'Unpaid')!;
      await updatePaymentMethod(w.deps, w.as(w.u.alice), { subscriptionId: s.id, cardToken: w.card('5555555555554444') });
      const before = (await w.snapshot()).split('PaymentMethodUpdated').length;
      const paid = await payBill(w.deps, w.as(w.u.alice), { invoiceId: unpaid.id });
      expect(paid.status).toBe('Paid');
      expect(paid.cardNowOnFile).toBeUndefined();
      expect((await w.snapshot()).split('PaymentMethodUpdated').length).toBe(before);
    });

    test('update the payment method keeps only the new card summary', async () => {
      const s = await bought();
      const updated = await updatePaymentMethod(w.deps, w.as(w.u.alice), { subscriptionId: s.id, cardToken: w.card('5555555555554444') });
      expect(updated.card).toMatchObject({ brand: 'Mastercard', last4: '4444' });
      await expectRefusedUnchanged(w, () => updatePaymentMethod(w.deps, w.as(w.u.bob), { subscriptionId: s.id, cardToken: w.card() }), ErrorCodes.SUBSCRIPTION_NOT_OWNER);
    });

    test('cancel with "Other" in their own words: kept on one line as "Other: …"; too long is refused and changes nothing', async () => {
      const s = await bought();
      await expectRefusedUnchanged(
        w,
        () => cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: s.id, reason: 'Other', details: 'x'.repeat(201) }),
        ErrorCodes.REASON_INVALID,
      );
      await expectRefusedUnchanged(w, () => cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: s.id, reason: 'Other', details: { no: 1 } }), ErrorCodes.INPUT_INVALID);
      const cancelled = await cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: s.id, reason: 'other', details: '  Moving to\nthe team\u0007 plan  ' });
      expect(cancelled.cancelReason).toBe('Other: Moving to the team plan');
      // Words beside a listed reason other than "Other" are not kept: the reason says it.
      const t = await bought();
      expect((await cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: t.id, reason: 'Too expensive', details: 'and more' })).cancelReason).toBe('Too expensive');
    });

    test('cancel with a reason: assigned users lose their licenses and are told', async () => {
      const s = await bought();
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob, w.u.carol] });
      await expectRefusedUnchanged(w, () => cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: s.id, reason: 'because' }), ErrorCodes.REASON_INVALID);
      const cancelled = await cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: s.id, reason: 'No longer needed' });
      expect(cancelled).toMatchObject({ status: 'Cancelled', cancelReason: 'No longer needed' });
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id });
      expect(detail.assignedUsers).toHaveLength(0);
      await expectRefusedUnchanged(w, () => addLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, quantity: 1 }), ErrorCodes.SUBSCRIPTION_NOT_ACTIVE);
    });

    test('R11 when the purchaser leaves, the subscription stays active for its term and its users keep access', async () => {
      const r = await buySubscription(w.deps, w.as(w.u.leaver), { productId: PBI, quantity: 2, cardToken: w.card() });
      if (r.status !== 'created') throw new Error('expected created');
      await assignLicenses(w.deps, w.as(w.u.leaver), { subscriptionId: r.subscription.id, userIds: [w.u.bob] });
      await markUserLeft(w.deps, w.tenantId, w.u.leaver);
      expect(await w.snapshot()).toContain('user.left');
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: r.subscription.id });
      expect(detail.subscription.status).toBe('Active');
      expect(detail.assignedUsers.map((x) => x.id)).toEqual([w.u.bob]);
      expect(detail.purchaser?.active).toBe(false);
      // It renews on its card until someone cancels it.
      w.clock.advanceDays(32);
      expect((await runBillingCycle(w.deps, { tenantId: w.tenantId })).renewed).toEqual([r.subscription.id]);
      await expectRefusedUnchanged(
        w,
        () => buySubscription(w.deps, w.as(w.u.leaver), { productId: PBI, quantity: 1, cardToken: w.card() }),
        ErrorCodes.ELIGIBILITY_ACCOUNT_DISABLED,
      );
    });
  });
};
