import { SignedLinks } from '../../bot/signed-links';
import { WEB_LINK_PURPOSE } from '../../bot/web/web-auth';
import { setRequireApproval } from '../../domain/approvals/manage-approvals';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import type { BillsResponse, CheckoutResponse, MySubscriptionsResponse, PeopleResponse } from '../../web/contracts/purchases';
import { startBot, type BotHarness } from '../bot/harness';

/**
 * The purchaser pages' API over real HTTP (real server, fresh SQLite with the demo tenant): who may
 * call it, what it refuses, and that every route does what its use case does, and nothing when refused.
 */

const POWER_BI = 'CFQ7TTC0H9MP';
const POWER_APPS = 'CFQ7TTC0LH2H';
const VISIO_1 = 'CFQ7TTC0HD33'; // trial without a card
const TENANT_TABLES = [
  'Tenant',
  'DirectoryUser',
  'RoleAssignment',
  'PolicySetting',
  'Subscription',
  'LicenseAssignment',
  'OrderEntry',
  'Invoice',
  'PurchaseRequest',
  'AuditEntry',
  'IdempotencyRecord',
  'OutboxNotification',
];

type Who = keyof typeof DEMO_USERS | { tenantId: string; userId: string };

let bot: BotHarness;
let links: SignedLinks;

const credential = (who: Who) => {
  const person = typeof who === 'string' ? { tenantId: DEMO_TENANT_ID, userId: DEMO_USERS[who].id } : who;
  return links.sign({ ...person, purpose: WEB_LINK_PURPOSE, arg: null }, 30 * 60_000);
};

const call = async (who: Who | null, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${bot.url}/api/web${path}`, {
    method,
    headers: {
      ...(who ? { authorization: `Link ${credential(who)}` } : {}),
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: method === 'POST' ? (typeof body === 'string' ? body : JSON.stringify(body ?? {})) : undefined,
  });
  const json = (await res.json().catch(() => null)) as Record<string, unknown> & { error?: { code: string; message: string } };
  return { status: res.status, json };
};
const get = <T>(who: Who, path: string) => call(who, 'GET', path).then((r) => ({ ...r, json: r.json as unknown as T }));
const post = (who: Who, path: string, body: unknown) => call(who, 'POST', path, body);

/** Every stored row of the demo tenant: equal before and after means the request changed nothing. */
const snapshot = async (): Promise<string> => {
  const dump: Record<string, unknown> = {};
  for (const table of TENANT_TABLES) {
    dump[table] = await bot.app.db.reader.$queryRawUnsafe(`SELECT * FROM "${table}" WHERE "${table === 'Tenant' ? 'id' : 'tenantId'}" = ? ORDER BY rowid`, DEMO_TENANT_ID);
  }
  return JSON.stringify(dump, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
};

const tokenFor = async (number = '4242 4242 4242 4242') => {
  const res = await fetch(`${bot.url}/payments/sandbox/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ number, expMonth: 12, expYear: 2035, cvc: '123', name: 'Megan Bowen' }),
  });
  return ((await res.json()) as { token: string }).token;
};

const mine = async (who: Who = 'megan') => (await get<MySubscriptionsResponse>(who, '/my/subscriptions')).json.items;
const megansPowerBi = async () => (await mine()).find((s) => s.productId === POWER_BI && s.live)!;
const charges = () => bot.app.payments.succeededCharges().length;

/** An unpaid bill on Megan's subscription, as the billing job leaves one after a declined renewal. */
const unpaidBill = async (subscriptionId: string, id = `inv-unpaid-${Math.random().toString(36).slice(2, 8)}`) => {
  await bot.app.deps.uow.run((r) =>
    r.invoices.add({
      id,
      tenantId: DEMO_TENANT_ID,
      subscriptionId,
      purchaserId: DEMO_USERS.megan.id,
      amount: { amountMinor: 8400, currency: 'USD' },
      status: 'Unpaid',
      description: 'Power BI Pro: renewal',
      issuedAt: new Date(),
      paidAt: null,
      chargeId: null,
      failureCode: 'card_declined',
    }),
  );
  return id;
};

beforeAll(async () => {
  bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  links = new SignedLinks(bot.config.linkSecret);
});
afterAll(() => bot?.close());

describe('who may call the purchaser API', () => {
  // Every row has a body slot: jest would take a missing third argument for a done callback.
  const ROUTES: Array<['GET' | 'POST', string, unknown]> = [
    ['GET', '/my/subscriptions', undefined],
    ['GET', '/my/bills', undefined],
    ['GET', '/catalog', undefined],
    ['GET', `/catalog/${POWER_BI}`, undefined],
    ['GET', '/people?q=adele', undefined],
    ['POST', '/my/subscriptions/sub-1/licenses', { action: 'add', count: 1, idempotencyKey: 'key-12345678' }],
    ['POST', '/my/subscriptions/sub-1/assign', { userIds: [DEMO_USERS.adele.id] }],
    ['POST', '/my/subscriptions/sub-1/unassign', { userIds: [DEMO_USERS.adele.id] }],
    ['POST', '/my/subscriptions/sub-1/recurring', { on: false }],
    ['POST', '/my/subscriptions/sub-1/payment-method', { token: 'tok_sbx_x.y' }],
    ['POST', '/my/subscriptions/sub-1/cancel', { reason: 'Too expensive' }],
    ['POST', '/my/bills/inv-1/pay', {}],
    ['POST', '/checkout', { mode: 'buy', productId: POWER_BI, quantity: 1, billingFrequency: 'Monthly', token: 'tok_sbx_x.y', idempotencyKey: 'key-12345678' }],
  ];

  test.each(ROUTES)('%s %s without a credential is 401 and changes nothing', async (method, path, body) => {
    const before = await snapshot();
    const res = await call(null, method, path, body);
    expect(res.status).toBe(401);
    expect(res.json.error?.code).toBe('AUTH.REQUIRED');
    expect(await snapshot()).toBe(before);
  });

  test.each(ROUTES)('%s %s with a forged, expired or foreign-purpose link is 401', async (method, path, body) => {
    const good = credential('megan');
    const forged = good.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const expired = links.sign({ tenantId: DEMO_TENANT_ID, userId: DEMO_USERS.megan.id, purpose: WEB_LINK_PURPOSE, arg: null }, -60_000);
    const exportLink = links.sign({ tenantId: DEMO_TENANT_ID, userId: DEMO_USERS.megan.id, purpose: 'export', arg: null }, 60_000);
    for (const bad of [forged, expired, exportLink]) {
      const res = await call(null, method, path, body, { authorization: `Link ${bad}` });
      expect(res.status).toBe(401);
    }
  });

  test('someone of a tenant we do not serve gets no data', async () => {
    const stranger = { tenantId: '99999999-0000-0000-0000-000000000001', userId: DEMO_USERS.megan.id };
    expect((await get(stranger, '/my/subscriptions')).status).toBe(403);
    expect((await get(stranger, '/my/bills')).status).toBe(403);
  });
});

describe('malformed requests are 400 and change nothing', () => {
  test.each([
    ['/my/subscriptions/sub-1/licenses', { action: 'add', count: 0, idempotencyKey: 'key-12345678' }],
    ['/my/subscriptions/sub-1/licenses', { action: 'add', count: 1.5, idempotencyKey: 'key-12345678' }],
    ['/my/subscriptions/sub-1/licenses', { action: 'add', count: 10_001, idempotencyKey: 'key-12345678' }],
    ['/my/subscriptions/sub-1/licenses', { action: 'add', count: '2', idempotencyKey: 'key-12345678' }],
    ['/my/subscriptions/sub-1/licenses', { action: 'double', count: 1, idempotencyKey: 'key-12345678' }],
    ['/my/subscriptions/sub-1/licenses', { action: 'add', count: 1 }],
    ['/my/subscriptions/sub-1/licenses', { action: 'add', count: 1, idempotencyKey: 'short' }],
    ['/my/subscriptions/sub-1/assign', { userIds: [] }],
    ['/my/subscriptions/sub-1/assign', { userIds: Array.from({ length: 21 }, (_, i) => `u-${i}`) }],
    ['/my/subscriptions/sub-1/assign', { userIds: ['<script>'] }],
    ['/my/subscriptions/sub-1/assign', { userIds: 'everyone' }],
    ['/my/subscriptions/sub-1/unassign', {}],
    ['/my/subscriptions/sub-1/recurring', { on: 'yes' }],
    ['/my/subscriptions/sub-1/payment-method', { token: '' }],
    ['/my/subscriptions/sub-1/payment-method', { cardNumber: '4242424242424242' }],
    ['/my/subscriptions/sub-1/cancel', { reason: 'Because' }],
    ['/my/bills/inv-1/pay', { token: 'tok', savedSubscriptionId: 'sub-1' }],
    ['/my/bills/inv-1/pay', { number: '4242424242424242' }],
    ['/checkout', { mode: 'buy', productId: POWER_BI, quantity: 1, billingFrequency: 'Weekly', token: 'tok', idempotencyKey: 'key-12345678' }],
    ['/checkout', { mode: 'buy', productId: POWER_BI, quantity: 1, billingFrequency: 'Monthly', idempotencyKey: 'key-12345678' }],
    ['/checkout', { mode: 'steal', productId: POWER_BI, idempotencyKey: 'key-12345678' }],
    ['/checkout', { mode: 'trial', productId: 'x'.repeat(200), idempotencyKey: 'key-12345678' }],
    ['/checkout', { mode: 'buy', productId: POWER_BI, quantity: 1, billingFrequency: 'Monthly', cardNumber: '4242424242424242', cvc: '123', idempotencyKey: 'key-12345678' }],
  ])('POST %s %j', async (path, body) => {
    const before = await snapshot();
    const res = await post('megan', path, body);
    expect(res.status).toBe(400);
    expect(res.json.error?.code).toBe('INPUT.INVALID');
    expect(await snapshot()).toBe(before);
  });

  test('a body that is not JSON is 400, and one sent as a form is refused', async () => {
    expect((await call('megan', 'POST', '/checkout', '{nope')).status).toBe(400);
    const form = await fetch(`${bot.url}/api/web/checkout`, {
      method: 'POST',
      headers: { authorization: `Link ${credential('megan')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'mode=buy',
    });
    expect(form.status).toBe(415);
  });
});

describe("someone else's subscriptions and bills", () => {
  test.each([
    ['licenses', { action: 'add', count: 1, idempotencyKey: 'key-other-1' }],
    ['licenses', { action: 'remove', count: 1, idempotencyKey: 'key-other-2' }],
    ['assign', { userIds: [DEMO_USERS.adele.id] }],
    ['unassign', { userIds: [DEMO_USERS.patti.id] }],
    ['recurring', { on: false }],
    ['payment-method', { token: 'TOKEN' }],
    ['cancel', { reason: 'Too expensive' }],
  ])("%s on Megan's subscription is refused for Patti (a purchaser) and Alex (an admin), and changes nothing", async (action, body) => {
    const target = await megansPowerBi();
    const payload = JSON.parse(JSON.stringify(body).replace('TOKEN', await tokenFor()));
    const before = await snapshot();
    for (const who of ['patti', 'alex'] as const) {
      const res = await post(who, `/my/subscriptions/${target.id}/${action}`, payload);
      expect([403, 404]).toContain(res.status);
      expect(res.json.error?.message).toBeTruthy();
    }
    const missing = await post('megan', `/my/subscriptions/no-such-subscription/${action}`, payload);
    expect(missing.status).toBe(404);
    expect(await snapshot()).toBe(before);
  });

  test("Megan's subscriptions and bills are not in anyone else's lists", async () => {
    const target = await megansPowerBi();
    expect(JSON.stringify(await mine('patti'))).not.toContain(target.id);
    expect(JSON.stringify((await get<BillsResponse>('patti', '/my/bills')).json)).not.toContain(target.id);
  });

  test("paying someone else's bill, or with someone else's card on file, pays nothing", async () => {
    const target = await megansPowerBi();
    const bill = await unpaidBill(target.id);
    const before = await snapshot();
    const chargesBefore = charges();
    expect((await post('patti', `/my/bills/${bill}/pay`, {})).status).toBe(404);
    expect((await post('patti', `/my/bills/${bill}/pay`, { token: await tokenFor() })).status).toBe(404);
    expect((await post('alex', `/my/bills/${bill}/pay`, { savedSubscriptionId: target.id })).status).toBe(402);
    expect(await snapshot()).toBe(before);
    expect(charges()).toBe(chargesBefore);
    // Megan pays it with her card on file.
    const paid = await post('megan', `/my/bills/${bill}/pay`, { savedSubscriptionId: target.id });
    expect(paid.status).toBe(200);
    expect(paid.json.message).toMatch(/Paid \$84\.00/);
    expect(charges()).toBe(chargesBefore + 1);
    expect((await post('megan', `/my/bills/${bill}/pay`, {})).status).toBe(409);
  });
});

describe('what the purchaser sees and does', () => {
  test('my subscriptions: product, status, licenses with the people holding them, price, card (never its token)', async () => {
    const res = await get<MySubscriptionsResponse>('megan', '/my/subscriptions');
    expect(res.status).toBe(200);
    const bi = res.json.items.find((s) => s.productId === POWER_BI)!;
    expect(bi).toMatchObject({
      productName: 'Power BI Pro',
      status: 'Active',
      live: true,
      quantity: 5,
      assigned: 3,
      available: 2,
      billingFrequency: 'Monthly',
      recurring: true,
      unitPrice: { amountMinor: 1680, currency: 'USD' },
      card: { brand: 'Visa', last4: '4242' },
      can: { addLicenses: true, removeLicenses: true, assign: true, unassign: true, setRecurring: true, updateCard: true, cancel: true },
    });
    expect(bi.assignees.map((a) => a.displayName)).toEqual(['Lynne Robbins', 'Megan Bowen', 'Patti Fernandez']);
    expect(res.json.cancelReasons).toContain('Too expensive');
    expect(JSON.stringify(res.json)).not.toMatch(/tok_/);
    expect(res.json.items.every((s) => s.productId !== VISIO_1)).toBe(true); // Adele's trial is hers
  });

  test('people search finds colleagues of the same tenant only', async () => {
    const { json } = await get<PeopleResponse>('megan', '/people?q=adele');
    expect(json.people).toEqual([{ id: DEMO_USERS.adele.id, displayName: 'Adele Vance', email: 'adelev@example.com' }]);
    expect((await get<PeopleResponse>('megan', '/people?q=')).json.people).toEqual([]);
    expect((await get<PeopleResponse>('megan', '/people?q=nobody-by-this-name')).json.people).toEqual([]);
    expect((await get('megan', `/people?q=${'a'.repeat(121)}`)).status).toBe(422);
  });

  test('assign and unassign by id; a stranger id is refused', async () => {
    const bi = await megansPowerBi();
    const assigned = await post('megan', `/my/subscriptions/${bi.id}/assign`, { userIds: [DEMO_USERS.adele.id] });
    expect(assigned).toMatchObject({
      status: 200,
      json: { message: expect.stringMatching(/Done: Adele Vance has a license now; 1 available\. Adele Vance will get a message from the bot in Teams\./) },
    });
    expect((await megansPowerBi()).assignees.map((a) => a.id)).toContain(DEMO_USERS.adele.id);
    expect((await post('megan', `/my/subscriptions/${bi.id}/assign`, { userIds: ['00000000-0000-0000-0000-000000000099'] })).status).toBe(403);
    const removed = await post('megan', `/my/subscriptions/${bi.id}/unassign`, { userIds: [DEMO_USERS.adele.id] });
    expect(removed.status).toBe(200);
    expect((await megansPowerBi()).assignees.map((a) => a.id)).not.toContain(DEMO_USERS.adele.id);
  });

  test('adding licenses charges once per request id; removing never goes below the number assigned', async () => {
    const bi = await megansPowerBi();
    const before = charges();
    const body = { action: 'add', count: 2, idempotencyKey: 'add-key-0001' };
    const [a, b] = await Promise.all([post('megan', `/my/subscriptions/${bi.id}/licenses`, body), post('megan', `/my/subscriptions/${bi.id}/licenses`, body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await megansPowerBi()).quantity).toBe(7);
    expect(charges()).toBe(before + 1);
    const tooMany = await post('megan', `/my/subscriptions/${bi.id}/licenses`, { action: 'remove', count: 5, idempotencyKey: 'remove-key-01' });
    expect(tooMany.status).toBe(422);
    expect(tooMany.json.error?.message).toMatch(/assigned/);
    expect((await post('megan', `/my/subscriptions/${bi.id}/licenses`, { action: 'remove', count: 2, idempotencyKey: 'remove-key-02' })).status).toBe(200);
    expect((await megansPowerBi()).quantity).toBe(5);
  });

  test('recurring billing off and on (off is not a cancellation), and a new card on file', async () => {
    const bi = await megansPowerBi();
    const off = await post('megan', `/my/subscriptions/${bi.id}/recurring`, { on: false });
    expect(off.json.message).toMatch(/keeps working until/);
    expect(await megansPowerBi()).toMatchObject({ recurring: false, status: 'Active' });
    await post('megan', `/my/subscriptions/${bi.id}/recurring`, { on: true });
    expect((await megansPowerBi()).recurring).toBe(true);
    const card = await post('megan', `/my/subscriptions/${bi.id}/payment-method`, { token: await tokenFor('5555 5555 5555 4444') });
    expect(card.json.message).toMatch(/Mastercard ending 4444/);
    expect((await megansPowerBi()).card).toMatchObject({ brand: 'Mastercard', last4: '4444' });
    const forged = await post('megan', `/my/subscriptions/${bi.id}/payment-method`, { token: 'tok_sbx_forged.AAAA' });
    expect(forged.status).toBe(402);
  });
});

describe('checkout', () => {
  test('buy with a good card: one subscription, one charge, even when the same request is sent twice', async () => {
    const token = await tokenFor();
    const before = charges();
    const body = { mode: 'buy', productId: POWER_APPS, quantity: 2, billingFrequency: 'Annual', token, idempotencyKey: 'checkout-key-0001' };
    const [a, b] = await Promise.all([post('isaiah', '/checkout', body), post('isaiah', '/checkout', body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const first = a.json as unknown as CheckoutResponse;
    expect(first).toMatchObject({ status: 'created', message: expect.stringMatching(/you bought 2 licenses/) });
    expect((b.json as unknown as CheckoutResponse & { subscriptionId: string }).subscriptionId).toBe((first as { subscriptionId: string }).subscriptionId);
    const subs = await mine('isaiah');
    expect(subs.filter((s) => s.productId === POWER_APPS)).toHaveLength(1);
    expect(charges()).toBe(before + 1);
    expect(bot.app.payments.succeededCharges().at(-1)?.amount).toEqual({ amountMinor: 48000, currency: 'USD' });
    // Another person can't replay Isaiah's request id into his purchase.
    const other = await post('lynne', '/checkout', body);
    expect(other.status).toBe(200);
    expect((other.json as { subscriptionId: string }).subscriptionId).not.toBe((first as { subscriptionId: string }).subscriptionId);
  });

  test('a declined card buys nothing and charges nothing', async () => {
    const before = await snapshot();
    const chargesBefore = charges();
    const res = await post('lynne', '/checkout', {
      mode: 'buy',
      productId: POWER_BI,
      quantity: 1,
      billingFrequency: 'Monthly',
      token: await tokenFor('4000 0000 0000 0002'),
      idempotencyKey: 'checkout-declined-1',
    });
    expect(res.status).toBe(402);
    expect(res.json.error?.message).toMatch(/declined.*Nothing was charged/);
    expect(await snapshot()).toBe(before);
    expect(charges()).toBe(chargesBefore);
  });

  test('a trial without a card, once per person; an unknown product is 404', async () => {
    const first = await post('patti', '/checkout', { mode: 'trial', productId: VISIO_1, idempotencyKey: 'trial-key-0001' });
    expect(first.json).toMatchObject({ status: 'created', message: expect.stringMatching(/trial has started/) });
    expect((await post('patti', '/checkout', { mode: 'trial', productId: VISIO_1, idempotencyKey: 'trial-key-0002' })).status).toBe(409);
    expect((await post('patti', '/checkout', { mode: 'trial', productId: 'NOPE00000000', idempotencyKey: 'trial-key-0003' })).status).toBe(404);
    expect((await get('patti', '/catalog/NOPE00000000')).status).toBe(404);
  });

  test('with "require admin approval" on, checkout makes a pending request and charges nothing', async () => {
    await setRequireApproval(bot.app.deps, { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.alex.id, surface: 'system' }, { enabled: true });
    try {
      const before = charges();
      const res = await post('lynne', '/checkout', {
        mode: 'buy',
        productId: POWER_APPS,
        quantity: 1,
        billingFrequency: 'Monthly',
        token: await tokenFor(),
        idempotencyKey: 'pending-key-0001',
      });
      expect(res.json).toMatchObject({ status: 'pending', requestId: expect.any(String) });
      expect(charges()).toBe(before);
    } finally {
      await setRequireApproval(bot.app.deps, { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.alex.id, surface: 'system' }, { enabled: false });
    }
  });

  test('cancel with a reason: the people lose their licenses, and it can happen once', async () => {
    const token = await tokenFor();
    const bought = await post('lynne', '/checkout', { mode: 'buy', productId: 'CFQ7TTC0HDB0', quantity: 1, billingFrequency: 'Monthly', token, idempotencyKey: 'cancel-key-0001' });
    const id = (bought.json as { subscriptionId: string }).subscriptionId;
    await post('lynne', `/my/subscriptions/${id}/assign`, { userIds: [DEMO_USERS.lynne.id] });
    const cancelled = await post('lynne', `/my/subscriptions/${id}/cancel`, { reason: 'Bought by mistake' });
    expect(cancelled.status).toBe(200);
    const after = (await mine('lynne')).find((s) => s.id === id)!;
    expect(after).toMatchObject({ status: 'Cancelled', live: false, assigned: 0, cancelReason: 'Bought by mistake', can: { cancel: false, assign: false } });
    expect((await post('lynne', `/my/subscriptions/${id}/cancel`, { reason: 'Bought by mistake' })).status).toBe(422);
  });
});
