import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { addLicenses } from '../../domain/purchasing/change-license-count';
import { buyCentralSubscription } from '../../domain/admin/buy-central-subscription';
import { spendSummary, type SpendLine } from '../../domain/admin/spend-summary';
import { listPurchasers } from '../../domain/admin/list-purchasers';
import { CATALOG } from '../../domain/catalog/catalog-data';
import type { Invoice, Subscription } from '../../domain/model';
import { ErrorCodes } from '../../domain/shared/errors';
import { money } from '../../domain/shared/money';
import { type Backend, type World, expectCode, makeWorld } from '../support/world';

const PBI = 'CFQ7TTC0H9MP';
const APPS = 'CFQ7TTC0LH2H';
const priceOf = (productId: string, frequency: 'Monthly' | 'Annual') => CATALOG.find((p) => p.id === productId)!.prices[frequency].amountMinor;

/** The figures of a chart as plain numbers, so an expectation reads like the chart. */
const bars = (lines: SpendLine[]) =>
  lines.map((l) => ({ name: l.name, currency: l.billed.currency, billed: l.billed.amountMinor, paid: l.paid.amountMinor, invoices: l.invoices }));

/** Spend at a glance (DESIGN §3): the same scenarios on in-memory ports and on a real database. */
export const spendScenarios = (makeBackend: () => Promise<Backend>): void => {
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

  const buy = async (userId: string, productId: string, quantity: number, billingFrequency: 'Monthly' | 'Annual', tenantId?: string): Promise<Subscription> => {
    const r = await buySubscription(w.deps, w.as(userId, tenantId), { productId, quantity, billingFrequency, cardToken: w.card() });
    if (r.status !== 'created') throw new Error('expected created');
    return r.subscription;
  };

  /** An invoice the purchase flows can't produce on demand (a declined renewal, another currency). */
  const addInvoice = (s: Subscription, fields: Partial<Invoice>) =>
    w.deps.uow.run((repos) =>
      repos.invoices.add({
        id: w.deps.ids.next(),
        tenantId: s.tenantId,
        subscriptionId: s.id,
        purchaserId: s.purchaserId,
        amount: money(1000, 'USD'),
        status: 'Unpaid',
        description: 'test',
        issuedAt: w.clock.now(),
        paidAt: null,
        chargeId: null,
        failureCode: 'card_declined',
        ...fields,
      }),
    );

  test('totals per product and per purchaser are the invoices issued, biggest first, in integer minor units', async () => {
    const pbi = await buy(w.u.alice, PBI, 5, 'Monthly');
    await buy(w.u.bob, APPS, 2, 'Annual');
    w.clock.advanceDays(3);
    await addLicenses(w.deps, w.as(w.u.alice), { subscriptionId: pbi.id, quantity: 1 });
    const added = (await w.deps.uow.read((r) => r.invoices.listByPurchaser(w.tenantId, w.u.alice)))[0].amount.amountMinor; // prorated

    const s = await spendSummary(w.deps, w.as(w.u.admin));
    const pbiBilled = 5 * priceOf(PBI, 'Monthly') + added;
    const appsBilled = 2 * priceOf(APPS, 'Annual');
    expect(bars(s.byProduct)).toEqual(
      [
        { name: 'Power Apps per user', currency: 'USD', billed: appsBilled, paid: appsBilled, invoices: 1 },
        { name: 'Power BI Pro', currency: 'USD', billed: pbiBilled, paid: pbiBilled, invoices: 2 },
      ].sort((a, b) => b.billed - a.billed),
    );
    expect(bars(s.byPurchaser)).toEqual(
      [
        { name: 'Alice', currency: 'USD', billed: pbiBilled, paid: pbiBilled, invoices: 2 },
        { name: 'Bob', currency: 'USD', billed: appsBilled, paid: appsBilled, invoices: 1 },
      ].sort((a, b) => b.billed - a.billed),
    );
    expect(s.totals).toEqual([{ billed: money(pbiBilled + appsBilled, 'USD'), paid: money(pbiBilled + appsBilled, 'USD'), invoices: 3 }]);
    expect(s.byProduct.map((l) => l.id).sort()).toEqual([APPS, PBI].sort());
    expect(s.byPurchaser.map((l) => l.id).sort()).toEqual([w.u.alice, w.u.bob].sort());
  });

  test('an unpaid invoice counts as billed but not as paid', async () => {
    const s1 = await buy(w.u.carol, PBI, 1, 'Monthly');
    await addInvoice(s1, { amount: money(1234, 'USD'), status: 'Unpaid' });
    const s = await spendSummary(w.deps, w.as(w.u.admin));
    expect(bars(s.byProduct)).toEqual([{ name: 'Power BI Pro', currency: 'USD', billed: priceOf(PBI, 'Monthly') + 1234, paid: priceOf(PBI, 'Monthly'), invoices: 2 }]);
  });

  test('currencies are never added together', async () => {
    const s1 = await buy(w.u.carol, PBI, 1, 'Monthly');
    await addInvoice(s1, { amount: money(5000, 'EUR'), status: 'Paid', paidAt: w.clock.now(), chargeId: 'ch_1', failureCode: null });
    const s = await spendSummary(w.deps, w.as(w.u.admin));
    expect(s.totals.map((t) => [t.billed.currency, t.billed.amountMinor])).toEqual([
      ['EUR', 5000],
      ['USD', priceOf(PBI, 'Monthly')],
    ]);
    expect(bars(s.byPurchaser)).toEqual([
      { name: 'Carol', currency: 'EUR', billed: 5000, paid: 5000, invoices: 1 },
      { name: 'Carol', currency: 'USD', billed: priceOf(PBI, 'Monthly'), paid: priceOf(PBI, 'Monthly'), invoices: 1 },
    ]);
  });

  test('the period is the last 12 months by the clock unless asked; older invoices drop out', async () => {
    await buy(w.u.alice, PBI, 1, 'Annual');
    w.clock.advanceDays(200);
    await buy(w.u.bob, APPS, 1, 'Annual');
    w.clock.advanceDays(200); // alice's purchase is now 400 days old, bob's 200
    const s = await spendSummary(w.deps, w.as(w.u.admin));
    expect(s.months).toBe(12);
    expect(s.to).toEqual(w.clock.now());
    expect(s.from.toISOString().slice(0, 10)).toBe(
      new Date(Date.UTC(w.clock.now().getUTCFullYear() - 1, w.clock.now().getUTCMonth(), w.clock.now().getUTCDate())).toISOString().slice(0, 10),
    );
    expect(s.byProduct.map((l) => l.id)).toEqual([APPS]);
    expect((await spendSummary(w.deps, w.as(w.u.admin), { months: 24 })).byProduct.map((l) => l.id).sort()).toEqual([APPS, PBI].sort());
    expect((await spendSummary(w.deps, w.as(w.u.admin), { months: '3' })).byProduct).toEqual([]);
  });

  test('central purchases are billed to the agreement, not counted as self-service spend', async () => {
    await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 10 });
    const s = await spendSummary(w.deps, w.as(w.u.admin));
    expect(s.byProduct).toEqual([]);
    expect(s.totals).toEqual([]);
  });

  test("another tenant's spend is never counted, and its admin sees only their own", async () => {
    await buy(w.u.alice, PBI, 1, 'Monthly');
    await buy(w.u.eve, APPS, 3, 'Monthly', w.otherTenantId);
    const mine = await spendSummary(w.deps, w.as(w.u.admin));
    expect(mine.byPurchaser.map((l) => l.id)).toEqual([w.u.alice]);
    const theirs = await spendSummary(w.deps, w.as(`${w.u.admin.split('-')[0]}-fabrikam-admin`, w.otherTenantId));
    expect(theirs.byPurchaser.map((l) => l.id)).toEqual([w.u.eve]);
  });

  test('admins, Billing admins, partners and Global readers may see it; purchasers may not', async () => {
    await buy(w.u.alice, PBI, 1, 'Monthly');
    for (const who of [w.u.admin, w.u.billing, w.u.partner, w.u.reader]) await expect(spendSummary(w.deps, w.as(who))).resolves.toMatchObject({ months: 12 });
    await expectCode(spendSummary(w.deps, w.as(w.u.alice)), ErrorCodes.AUTH_NOT_ADMIN);
    await expectCode(spendSummary(w.deps, w.as(w.u.eve)), ErrorCodes.USER_NOT_FOUND);
  });

  test.each([0, 37, '1.5', 'twelve', -1])('a period of %p months is refused', async (months) => {
    await expectCode(spendSummary(w.deps, w.as(w.u.admin), { months }), ErrorCodes.INPUT_INVALID);
  });

  test("the purchases filter's purchasers: everyone who bought, any origin or status, by name, only this tenant", async () => {
    await buy(w.u.bob, PBI, 1, 'Monthly');
    await buy(w.u.alice, APPS, 1, 'Monthly');
    await buy(w.u.alice, PBI, 1, 'Monthly');
    await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 1 });
    await buy(w.u.eve, PBI, 1, 'Monthly', w.otherTenantId);
    expect(await listPurchasers(w.deps, w.as(w.u.reader))).toEqual([
      { id: w.u.admin, displayName: 'Admin' },
      { id: w.u.alice, displayName: 'Alice' },
      { id: w.u.bob, displayName: 'Bob' },
    ]);
    await expectCode(listPurchasers(w.deps, w.as(w.u.alice)), ErrorCodes.AUTH_NOT_ADMIN);
  });
};
