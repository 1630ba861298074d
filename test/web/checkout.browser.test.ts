import type { Page, Request } from 'playwright-core';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { browserTestsEnabled, startWebHarness, type Persona, type WebHarness, focused, unlabelledControls } from './browser-harness';

/**
 * The checkout dialog in Chromium against the real server: the order as an Adaptive Card, the card
 * checked in the browser, tokenized by the provider, and only the token sent to our API.
 */
const describeBrowser = browserTestsEnabled ? describe : describe.skip;

const POWER_APPS = 'CFQ7TTC0LH2H';
const PROJECT_3 = 'CFQ7TTC0HDB0';
const VISIO_1 = 'CFQ7TTC0HD33'; // trial without a card
const GOOD = { number: '4242 4242 4242 4242', expiry: '12/35', cvc: '123', name: 'Megan Bowen' };
const TABLES = ['Subscription', 'LicenseAssignment', 'OrderEntry', 'Invoice', 'PurchaseRequest', 'AuditEntry', 'IdempotencyRecord', 'OutboxNotification'];

describeBrowser('checkout dialog in Chromium', () => {
  let web: WebHarness;
  beforeAll(async () => {
    web = await startWebHarness({ OUTBOX_INTERVAL_MS: '0' });
  }, 15 * 60_000);
  afterAll(async () => {
    await web?.close();
  });

  const charges = () => web.bot.app.payments.succeededCharges().length;
  const subscriptionsOf = (who: Persona) => web.bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS[who].id));
  const snapshot = async () => {
    const dump: Record<string, unknown> = {};
    for (const t of TABLES) dump[t] = await web.bot.app.db.reader.$queryRawUnsafe(`SELECT * FROM "${t}" WHERE "tenantId" = ? ORDER BY rowid`, DEMO_TENANT_ID);
    return JSON.stringify(dump, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
  };
  /** Requests the page makes to our purchase API and to the payment provider. */
  const watch = (page: Page) => {
    const seen: string[] = [];
    page.on('request', (r: Request) => {
      const path = new URL(r.url()).pathname;
      if (path === '/api/web/checkout' || path === '/payments/sandbox/tokens') seen.push(`${r.method()} ${path}`);
    });
    return seen;
  };
  const fillCard = async (page: Page, card: Partial<typeof GOOD> = {}) => {
    const c = { ...GOOD, ...card };
    await page.getByLabel('Card number').fill(c.number);
    await page.getByLabel('Expiry date (MM/YY)').fill(c.expiry);
    await page.getByLabel('Security code (CVC)').fill(c.cvc);
    await page.getByLabel('Name on card').fill(c.name);
  };

  test('loads with the order as an Adaptive Card, every input labelled, no console errors', async () => {
    const { page, problems } = await web.open('megan', 'checkout', { productId: POWER_APPS, mode: 'buy', quantity: '2' });
    await page.getByRole('heading', { name: 'Buy Power Apps per user' }).waitFor();
    const order = page.getByRole('region', { name: 'Your order' });
    await order.locator('.ac-adaptiveCard').waitFor();
    expect(await order.innerText()).toMatch(/Power Apps per user[\s\S]*Licenses\s*2[\s\S]*Yearly[\s\S]*Total today\s*\$480\.00/);
    // The total follows the order.
    await page.getByLabel('Licenses').fill('3');
    await page.getByLabel(/^Monthly/).check();
    await order.getByText('$72.00').waitFor();
    expect(await page.getByRole('button', { name: 'Pay $72.00' }).count()).toBe(1);
    for (const label of ['Licenses', 'Card number', 'Expiry date (MM/YY)', 'Security code (CVC)', 'Name on card']) expect(await page.getByLabel(label).count()).toBe(1);
    expect(await unlabelledControls(page)).toEqual([]);
    // The card takes the page's colours, and follows a theme change in Teams (session.ts sets data-theme).
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.ac-adaptiveCard')).backgroundColor`)).toBe('rgb(255, 255, 255)');
    await page.evaluate("document.documentElement.dataset.theme = 'dark'");
    await page.waitForFunction(`getComputedStyle(document.querySelector('.ac-adaptiveCard')).backgroundColor === 'rgb(41, 41, 41)'`);
    expect(problems).toEqual([]);
  });

  test('buying what they already have: the page says so first, with the licenses they could assign instead (the buy card’s words); nothing said for a product they don’t have', async () => {
    const { page, problems } = await web.open('megan', 'checkout', { productId: 'CFQ7TTC0H9MP', mode: 'buy' });
    await page.getByRole('heading', { name: 'Buy Power BI Pro' }).waitFor();
    // The demo seed: Megan's Power BI Pro has 5 licenses, 3 assigned.
    expect(await page.locator('#owned').innerText()).toBe('You already have Power BI Pro: 5 licenses, 2 not assigned yet. You can assign those instead of buying more.');
    const other = await web.open('megan', 'checkout', { productId: PROJECT_3, mode: 'buy' });
    await other.page.getByRole('heading', { name: 'Buy Project Plan 3' }).waitFor();
    expect(await other.page.locator('#owned').count()).toBe(0);
    expect([...problems, ...other.problems]).toEqual([]);
  });

  test('a good test card completes the purchase: one subscription, one charge, a clear result', async () => {
    const before = charges();
    const { page, problems } = await web.open('megan', 'checkout', { productId: POWER_APPS, mode: 'buy' });
    const seen = watch(page);
    await page.getByLabel('Licenses').fill('2');
    await page.getByLabel(/^Monthly/).check();
    await fillCard(page);
    await page.getByRole('button', { name: 'Pay $48.00' }).click();
    await page.getByRole('heading', { name: 'All set' }).waitFor();
    expect(await page.locator('.result').innerText()).toMatch(/you bought 2 licenses for \$48\.00, charged to the Visa ending 4242/);
    expect(await page.getByRole('link', { name: 'Go to My purchases' }).getAttribute('href')).toBe('/web/purchases');
    expect(seen).toEqual(['POST /payments/sandbox/tokens', 'POST /api/web/checkout']);
    const bought = (await subscriptionsOf('megan')).filter((s) => s.productId === POWER_APPS);
    expect(bought).toHaveLength(1);
    expect(bought[0]).toMatchObject({ quantity: 2, billingFrequency: 'Monthly', status: 'Active', card: { last4: '4242' } });
    expect(charges()).toBe(before + 1);
    expect(web.bot.app.payments.succeededCharges().at(-1)?.amount).toEqual({ amountMinor: 4800, currency: 'USD' });
    expect(problems).toEqual([]);
  });

  test('a declined card shows the decline and changes nothing; another card then goes through', async () => {
    const before = await snapshot();
    const chargesBefore = charges();
    const { page, problems } = await web.open('lynne', 'checkout', { productId: PROJECT_3, mode: 'buy' });
    await fillCard(page, { number: '4000 0000 0000 0002', name: 'Lynne Robbins' });
    await page.getByRole('button', { name: /^Pay / }).click();
    const alert = page.getByRole('alert');
    await alert.getByText(/Payment declined\. Your Visa card ending 0002 was declined/).waitFor();
    expect(await alert.innerText()).toMatch(/Nothing was charged/);
    expect(await snapshot()).toBe(before);
    expect(charges()).toBe(chargesBefore);
    expect(await subscriptionsOf('lynne')).toHaveLength(0);
    // Focus is back on the card number to try another card; the next try is a new attempt.
    expect(await focused(page).then((f) => f.id)).toBe('card-number');
    await page.getByLabel('Card number').fill('5555 5555 5555 4444');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.getByRole('heading', { name: 'All set' }).waitFor();
    expect((await subscriptionsOf('lynne')).map((s) => s.card?.last4)).toEqual(['4444']);
    expect(charges()).toBe(chargesBefore + 1);
    // The browser console shows the API's 402 as a failed resource load; that is the decline, not a page error.
    expect(problems.filter((p) => !/status of 402/.test(p))).toEqual([]);
  });

  test.each([
    ['a number that fails the Luhn check', { number: '4242 4242 4242 4241' }, 'Card number', /not valid/],
    ['a number too short', { number: '4242 4242' }, 'Card number', /12 to 19 digits/],
    ['an expiry in the past', { expiry: '01/20' }, 'Expiry date (MM/YY)', /expired/],
    ['an expiry that is not a date', { expiry: '13/30' }, 'Expiry date (MM/YY)', /MM\/YY/],
    ['a CVC of two digits', { cvc: '12' }, 'Security code (CVC)', /3 or 4 digits/],
    ['a CVC with a letter', { cvc: '1a3' }, 'Security code (CVC)', /3 or 4 digits/],
    ['no name', { name: '' }, 'Name on card', /name on the card/],
  ])('%s shows an inline error at the field and sends nothing anywhere', async (_what, card, label, message) => {
    const { page, problems } = await web.open('isaiah', 'checkout', { productId: POWER_APPS, mode: 'buy' });
    const seen = watch(page);
    await fillCard(page, card);
    await page.getByRole('button', { name: /^Pay / }).click();
    const field = page.getByLabel(label);
    await field.and(page.locator('[aria-invalid="true"]')).waitFor();
    const errorId = (await field.getAttribute('aria-describedby'))!.split(' ').find((id) => id.endsWith('-error'))!;
    expect(await page.locator(`#${errorId}`).innerText()).toMatch(message);
    // The error is the field's description, so a screen reader reads it with the field, which has focus.
    expect(await focused(page).then((f) => f.invalid)).toBe('true');
    await page.waitForTimeout(200);
    expect(seen).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('an invalid quantity is an inline error too, and nothing is sent', async () => {
    const { page } = await web.open('isaiah', 'checkout', { productId: POWER_APPS, mode: 'buy' });
    const seen = watch(page);
    await page.getByLabel('Licenses').fill('0');
    await fillCard(page);
    await page.getByRole('button', { name: /^Pay / }).click();
    expect(await page.locator('#quantity-error').innerText()).toMatch(/From 1 to 10,000/);
    expect(await page.getByLabel('Licenses').getAttribute('aria-invalid')).toBe('true');
    expect(seen).toEqual([]);
  });

  test('a double submit buys once, and so does a retry after the answer was lost on the way back', async () => {
    const before = charges();
    const { page } = await web.open('isaiah', 'checkout', { productId: PROJECT_3, mode: 'buy' });
    const seen = watch(page);
    await fillCard(page, { name: 'Isaiah Langer' });
    // Two submits in the same instant (a double click that beats any re-render).
    await page.evaluate("(() => { const form = document.querySelector('form'); form.requestSubmit(); form.requestSubmit(); })()");
    await page.getByRole('heading', { name: 'All set' }).waitFor();
    expect(seen.filter((s) => s.endsWith('/api/web/checkout'))).toHaveLength(1);
    expect((await subscriptionsOf('isaiah')).filter((s) => s.productId === PROJECT_3)).toHaveLength(1);
    expect(charges()).toBe(before + 1);

    // The server buys, but the answer never reaches the page: the page can't know, so the person
    // tries again, and the same request id with the same token finds the first purchase.
    const { page: again } = await web.open('isaiah', 'checkout', { productId: POWER_APPS, mode: 'buy' });
    let dropped = 0;
    await again.route('**/api/web/checkout', async (route) => {
      if (dropped++ === 0) {
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await fillCard(again, { name: 'Isaiah Langer' });
    await again.getByRole('button', { name: /^Pay / }).click();
    await again
      .getByRole('alert')
      .getByText(/won't charge you twice/)
      .waitFor();
    await again.getByRole('button', { name: /^Pay / }).click();
    await again.getByRole('heading', { name: 'All set' }).waitFor();
    expect((await subscriptionsOf('isaiah')).filter((s) => s.productId === POWER_APPS)).toHaveLength(1);
    expect(charges()).toBe(before + 2);
  });

  test('checkout with the keyboard only: Tab through labelled fields in order, arrows for billing, Enter to pay', async () => {
    const before = charges();
    const { page, problems } = await web.open('patti', 'checkout', { productId: POWER_APPS, mode: 'buy' });
    const order: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused(page).then((f) => f.id || f.text));
    }
    expect(order.slice(0, 7)).toEqual(['quantity', 'billing-Annual', 'card-number', 'card-expiry', 'card-cvc', 'card-name', 'submit']);
    // Back to the start of the form and through it again, typing.
    await page.getByLabel('Licenses').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('3');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown'); // Monthly
    await page.keyboard.press('Tab');
    await page.keyboard.type(GOOD.number);
    await page.keyboard.press('Tab');
    await page.keyboard.type(GOOD.expiry);
    await page.keyboard.press('Tab');
    await page.keyboard.type(GOOD.cvc);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Patti Fernandez');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'All set' }).waitFor();
    // The result takes focus, so a screen reader starts there.
    expect(await focused(page).then((f) => f.text)).toBe('All set');
    const bought = (await subscriptionsOf('patti')).find((s) => s.productId === POWER_APPS);
    expect(bought).toMatchObject({ quantity: 3, billingFrequency: 'Monthly' });
    expect(charges()).toBe(before + 1);
    expect(problems).toEqual([]);
  });

  test('a trial without a card asks for none and starts', async () => {
    const { page, problems } = await web.open('patti', 'checkout', { productId: VISIO_1, mode: 'trial' });
    await page.getByRole('heading', { name: 'Try Visio Plan 1' }).waitFor();
    expect(await page.getByLabel('Card number').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Your order' }).innerText()).toMatch(/It simply ends; no card needed/);
    await page.getByRole('button', { name: 'Start trial' }).click();
    await page.getByRole('heading', { name: 'All set' }).waitFor();
    expect((await subscriptionsOf('patti')).find((s) => s.productId === VISIO_1)).toMatchObject({ status: 'Trial', isTrial: true, card: null });
    expect(problems).toEqual([]);
  });

  test('a product the organization does not allow is explained, with no form', async () => {
    const { setPolicy } = await import('../../domain/policy/set-policy');
    const admin = { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.alex.id, surface: 'system' as const };
    await setPolicy(web.bot.app.deps, admin, { productId: 'CFQ7TTC0MM8R', value: 'Disabled' });
    try {
      const { page, problems } = await web.open('patti', 'checkout', { productId: 'CFQ7TTC0MM8R', mode: 'buy' });
      await page
        .getByRole('alert')
        .getByText(/doesn't allow buying Microsoft 365 Copilot/)
        .waitFor();
      expect(await page.getByLabel('Card number').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await setPolicy(web.bot.app.deps, admin, { productId: 'CFQ7TTC0MM8R', value: 'Enabled' });
    }
  });
});
