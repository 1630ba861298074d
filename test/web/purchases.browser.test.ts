import type { Page } from 'playwright-core';
import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { browserTestsEnabled, startWebHarness, type Persona, type WebHarness, focused, unlabelledControls } from './browser-harness';

/**
 * The My purchases tab in Chromium against the real server and the demo tenant: Megan's Power BI Pro
 * (5 licenses, 3 assigned) and her bill. Every action is checked in the database, not only on screen.
 */
const describeBrowser = browserTestsEnabled ? describe : describe.skip;

const POWER_BI = 'CFQ7TTC0H9MP';
const GOOD = { number: '4242 4242 4242 4242', expiry: '12/35', cvc: '123' };

/** Buttons and links that a screen reader would announce without a name. */
const unnamedButtons = (page: Page): Promise<string[]> =>
  page.evaluate<string[]>(`[...document.querySelectorAll('button, a[href], summary')]
    .filter((el) => !((el.getAttribute('aria-label') || '').trim() || (el.textContent || '').trim()))
    .map((el) => el.outerHTML.slice(0, 120))`);

describeBrowser('My purchases tab in Chromium', () => {
  let web: WebHarness;
  beforeAll(async () => {
    web = await startWebHarness({ OUTBOX_INTERVAL_MS: '0' });
  }, 15 * 60_000);
  afterAll(async () => {
    await web?.close();
  });

  const subscriptionsOf = (who: Persona) => web.bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS[who].id));
  const megansPowerBi = async () => (await subscriptionsOf('megan')).find((s) => s.productId === POWER_BI && s.status === 'Active')!;
  const holders = async (subscriptionId: string) => (await web.bot.app.deps.uow.read((r) => r.assignments.listBySubscription(DEMO_TENANT_ID, subscriptionId))).map((a) => a.userId);
  const article = (page: Page, product: string) => page.getByRole('article', { name: product });
  const notice = (page: Page) => page.locator('#notice');
  /** Opens one of a subscription's action panels (a <details>) by its summary. */
  const openPanel = (scope: ReturnType<typeof article>, name: string | RegExp) => scope.locator('summary', { hasText: name }).click();
  const buyFor = async (who: Persona, productId: string) => {
    const token = web.bot.app.payments.tokenize({ number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' }).token;
    const r = await buySubscription(
      web.bot.app.deps,
      { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS[who].id, surface: 'system' },
      { productId, quantity: 2, billingFrequency: 'Monthly', cardToken: token },
    );
    if (r.status !== 'created') throw new Error('expected a purchase');
    return r.subscription;
  };

  test("loads Megan's seeded subscription, its people and her bill, every control labelled, no console errors", async () => {
    const { page, problems } = await web.open('megan', 'purchases');
    const bi = article(page, 'Power BI Pro');
    await bi.waitFor();
    const text = await bi.innerText();
    expect(text).toMatch(/active/);
    expect(text).toMatch(/Licenses\s+5 \(3 assigned, 2 available\)/);
    expect(text).toMatch(/Price\s+\$16\.80 per license, monthly/);
    expect(text).toMatch(/Renews on\s+\d{4}-\d{2}-\d{2}/);
    expect(text).toMatch(/Card\s+Visa ending 4242/);
    expect(text).toMatch(/Lynne Robbins[\s\S]*Megan Bowen[\s\S]*Patti Fernandez/);
    expect(await bi.getByRole('switch', { name: 'Recurring billing' }).isChecked()).toBe(true);
    const bills = page.getByRole('table');
    expect(await bills.innerText()).toMatch(/Power BI Pro, 5 licenses, monthly\s+\$84\.00\s+paid/);
    // Open every panel so that the check covers every form on the page.
    for (const summary of await page.locator('summary').all()) await summary.click();
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await unnamedButtons(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  test("Adele's trial without a card says it is free and simply ends (no price afterwards, no renewal)", async () => {
    const { page, problems } = await web.open('adele', 'purchases');
    const visio = article(page, 'Visio Plan 1');
    await visio.waitFor();
    const text = await visio.innerText();
    expect(text).toMatch(/Price\s+Free trial\s/);
    expect(text).not.toMatch(/then \$/);
    expect(text).toMatch(/Ends on\s+\d{4}-\d{2}-\d{2}/);
    expect(text).not.toMatch(/Renews/);
    expect(problems).toEqual([]);
  });

  test('someone who bought nothing sees an empty state with the way to the catalog, and checkout opens from it', async () => {
    const { page, problems } = await web.open('alex', 'purchases');
    await page.getByText("You haven't bought anything yet.").waitFor();
    expect(await page.getByText('You have no bills.').count()).toBe(1);
    await page.getByRole('button', { name: 'Browse the catalog' }).click();
    const buy = page.getByRole('link', { name: 'Buy Power BI Pro' });
    await buy.waitFor();
    expect(await focused(page).then((f) => f.text)).toBe('Buy or try');
    expect(await buy.getAttribute('href')).toBe(`/web/checkout?productId=${POWER_BI}&mode=buy`);
    await buy.click();
    // Outside Teams the tab's sign-in travels with the tab: checkout opens as Alex.
    await page.waitForURL(/\/web\/checkout/);
    await page.waitForSelector('#app[aria-busy="false"]');
    await page.getByRole('heading', { name: 'Buy Power BI Pro' }).waitFor();
    await page.getByText('Signed in as Alex Wilber').waitFor();
    expect(problems).toEqual([]);
  });

  test('the catalog says what they already have of a product, in the buy card’s words', async () => {
    const { page, problems } = await web.open('megan', 'purchases');
    await page.getByRole('button', { name: 'Buy something' }).click();
    const item = page.locator('.catalog li', { has: page.getByRole('heading', { name: 'Power BI Pro', exact: true }) });
    await item.waitFor();
    expect(await item.locator('.owned').innerText()).toMatch(/^You already have Power BI Pro: \d+ licenses/);
    const other = page.locator('.catalog li', { has: page.getByRole('heading', { name: 'Project Plan 3', exact: true }) });
    expect(await other.locator('.owned').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  test('assign by searching for a person and picking them, then unassign: both in the database', async () => {
    const s = await megansPowerBi();
    const { page, problems } = await web.open('megan', 'purchases');
    const bi = article(page, 'Power BI Pro');
    await openPanel(bi, 'Assign licenses (2 available)');
    await bi.getByLabel('Find people in your organization').fill('adel');
    await bi.getByRole('button', { name: /Adele Vance/ }).click();
    await bi.getByRole('button', { name: 'Remove Adele Vance' }).waitFor();
    await bi.getByRole('button', { name: 'Assign 1 license' }).click();
    await notice(page)
      .getByText(/Done: Adele Vance has a license now; 1 available/)
      .waitFor();
    expect(await holders(s.id)).toContain(DEMO_USERS.adele.id);
    // Re-read from the server: the list shows her, and focus is back on the subscription.
    await article(page, 'Power BI Pro').getByText('Adele Vance').waitFor();
    expect(await focused(page).then((f) => f.text)).toBe('Power BI Pro');

    await article(page, 'Power BI Pro').getByRole('button', { name: 'Unassign Adele Vance' }).click();
    await notice(page)
      .getByText(/Done: Adele Vance no longer has a license; 2 available\. Adele Vance will get a message from the bot in Teams\./)
      .waitFor();
    expect(await holders(s.id)).not.toContain(DEMO_USERS.adele.id);
    expect(await article(page, 'Power BI Pro').getByText('Adele Vance').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  test('people who already hold a license cannot be picked again', async () => {
    const { page } = await web.open('megan', 'purchases');
    const bi = article(page, 'Power BI Pro');
    await openPanel(bi, /^Assign licenses/);
    await bi.getByLabel('Find people in your organization').fill('patti');
    const patti = bi.locator('ul.results').getByRole('button', { name: /Patti Fernandez/ });
    await patti.waitFor();
    expect(await patti.isDisabled()).toBe(true);
    expect(await patti.innerText()).toMatch(/already has a license/);
  });

  test('add licenses (charged once, even on a double click); removing below the number assigned is stopped at the form', async () => {
    const before = (await megansPowerBi()).quantity;
    const charges = web.bot.app.payments.succeededCharges().length;
    const { page } = await web.open('megan', 'purchases');
    const bi = article(page, 'Power BI Pro');
    await openPanel(bi, 'Add licenses');
    await bi.getByLabel('Licenses to add').fill('2');
    await bi.getByRole('button', { name: 'Add licenses' }).dblclick();
    await notice(page)
      .getByText(new RegExp(`Done: ${before + 2} licenses now; \\$[\\d.]+ charged`))
      .waitFor();
    expect((await megansPowerBi()).quantity).toBe(before + 2);
    expect(web.bot.app.payments.succeededCharges().length).toBe(charges + 1);
    await article(page, 'Power BI Pro')
      .getByText(new RegExp(`${before + 2} \\(3 assigned`))
      .waitFor();

    // Remove below the number assigned (3): the form says how far it can go and sends nothing.
    const after = article(page, 'Power BI Pro');
    await openPanel(after, 'Remove licenses');
    await after.getByLabel('Licenses to remove').fill(String(before + 2 - 2));
    await after.getByRole('button', { name: 'Remove licenses' }).click();
    await page
      .getByRole('alert')
      .getByText(`You can remove from 1 to ${before + 2 - 3} licenses.`)
      .waitFor();
    expect(await after.getByLabel('Licenses to remove').getAttribute('aria-invalid')).toBe('true');
    expect((await megansPowerBi()).quantity).toBe(before + 2);
    await after.getByLabel('Licenses to remove').fill(String(before + 2 - 5));
    await after.getByRole('button', { name: 'Remove licenses' }).click();
    await notice(page).getByText(new RegExp('Done: 5 licenses from the next bill')).waitFor();
    expect((await megansPowerBi()).quantity).toBe(5);
  });

  test('recurring billing off and on with the keyboard only (Tab to the switch, Space)', async () => {
    const { page, problems } = await web.open('megan', 'purchases');
    await article(page, 'Power BI Pro').waitFor();
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await focused(page).then((f) => f.role === 'switch');
    }
    expect(found).toBe(true);
    await page.keyboard.press('Space');
    await notice(page)
      .getByText(/Recurring billing is off: it keeps working until/)
      .waitFor();
    expect(await megansPowerBi()).toMatchObject({ recurring: false, status: 'Active' });
    // Focus stays on the switch after the page re-read its state, so Space again turns it back on.
    expect(await focused(page).then((f) => f.role)).toBe('switch');
    expect(await article(page, 'Power BI Pro').getByRole('switch', { name: 'Recurring billing' }).isChecked()).toBe(false);
    await page.keyboard.press('Space');
    await notice(page)
      .getByText(/Recurring billing is on/)
      .waitFor();
    expect((await megansPowerBi()).recurring).toBe(true);
    expect(problems).toEqual([]);
  });

  test('a panel opens with Enter and its form submits with Enter: update the payment method by keyboard', async () => {
    const { page } = await web.open('megan', 'purchases');
    const bi = article(page, 'Power BI Pro');
    await bi.locator('summary', { hasText: 'Update payment method' }).focus();
    await page.keyboard.press('Enter');
    await bi.getByLabel('Card number').focus();
    await page.keyboard.type('5555 5555 5555 4444');
    await page.keyboard.press('Tab');
    await page.keyboard.type(GOOD.expiry);
    await page.keyboard.press('Tab');
    await page.keyboard.type(GOOD.cvc);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Megan Bowen');
    await page.keyboard.press('Enter');
    await notice(page).getByText('Saved: future bills go to the Mastercard ending 4444.').waitFor();
    expect((await megansPowerBi()).card).toMatchObject({ brand: 'Mastercard', last4: '4444' });
    await article(page, 'Power BI Pro')
      .getByText(/Mastercard ending 4444/)
      .waitFor();
  });

  test('pay an unpaid bill with a new card; the bill shows paid and is paid in the database', async () => {
    const s = await megansPowerBi();
    await web.bot.app.deps.uow.run((r) =>
      r.invoices.add({
        id: 'inv-page-unpaid',
        tenantId: DEMO_TENANT_ID,
        subscriptionId: s.id,
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
    const { page, problems } = await web.open('megan', 'purchases');
    const row = page.getByRole('row', { name: /Power BI Pro: renewal/ });
    expect(await row.innerText()).toMatch(/unpaid: the card was declined/);
    await row.getByText('Pay', { exact: true }).click();
    // The card this bill was declined on isn't the one offered first.
    expect(await row.getByLabel('Pay with').inputValue()).not.toBe(s.id);
    await row.getByLabel('Pay with').selectOption('new');
    await row.getByLabel('Card number').fill(GOOD.number);
    await row.getByLabel('Expiry date (MM/YY)').fill(GOOD.expiry);
    await row.getByLabel('Security code (CVC)').fill(GOOD.cvc);
    await row.getByLabel('Name on card').fill('Megan Bowen');
    await row.getByRole('button', { name: 'Pay $84.00' }).click();
    await notice(page).getByText("Paid $84.00. Thank you. Visa ending 4242 is now this subscription's card").waitFor();
    const bill = await web.bot.app.deps.uow.read((r) => r.invoices.get(DEMO_TENANT_ID, 'inv-page-unpaid'));
    expect(bill).toMatchObject({ status: 'Paid', chargeId: expect.any(String) });
    expect(await page.getByRole('row', { name: /Power BI Pro: renewal/ }).innerText()).toMatch(/paid \d{4}/);
    expect(problems).toEqual([]);
  });

  test('cancel asks for a reason and "Are you sure?"; keeping it changes nothing, confirming cancels', async () => {
    const s = await buyFor('lynne', 'CFQ7TTC0HDB0');
    const { page, problems } = await web.open('lynne', 'purchases');
    const project = article(page, 'Project Plan 3');
    await openPanel(project, 'Cancel subscription');
    await project.getByRole('button', { name: 'Cancel subscription…' }).click();
    await page.getByRole('alert').getByText('Choose a reason for cancelling.').waitFor();
    await project.getByLabel('Why are you cancelling?').selectOption('Too expensive');
    await project.getByRole('button', { name: 'Cancel subscription…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Cancel Project Plan 3?' });
    await confirm.waitFor();
    expect(await confirm.innerText()).toMatch(/Are you sure\? You won't be charged again\. This can't be undone\./);
    // Esc (or Keep it) closes it and nothing happens.
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    expect(await focused(page).then((f) => f.text)).toBe('Cancel subscription…');
    expect((await subscriptionsOf('lynne')).find((x) => x.id === s.id)?.status).toBe('Active');

    await project.getByRole('button', { name: 'Cancel subscription…' }).click();
    await confirm.getByRole('button', { name: 'Yes, cancel it' }).click();
    await notice(page)
      .getByText(/Cancelled\. Its licenses have been removed/)
      .waitFor();
    expect((await subscriptionsOf('lynne')).find((x) => x.id === s.id)).toMatchObject({ status: 'Cancelled', cancelReason: 'Too expensive' });
    await page.getByText('Ended (1)').click();
    expect(await article(page, 'Project Plan 3').innerText()).toMatch(/cancelled[\s\S]*Reason\s+Too expensive/);
    expect(await article(page, 'Project Plan 3').getByRole('button').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  test('state changed elsewhere: the refusal is shown and the page re-reads what is true now', async () => {
    const s = await buyFor('isaiah', 'CFQ7TTC0LH3L');
    const { page } = await web.open('isaiah', 'purchases');
    const automate = article(page, 'Power Automate per user');
    await automate.waitFor();
    // Cancelled from chat while the tab is open.
    const { cancelSubscription } = await import('../../domain/purchasing/cancel-subscription');
    await cancelSubscription(web.bot.app.deps, { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.isaiah.id, surface: 'chat' }, { subscriptionId: s.id, reason: 'Other' });
    await page.getByRole('switch', { name: 'Recurring billing' }).click();
    await page
      .getByRole('alert')
      .getByText(/That subscription was cancelled/)
      .waitFor();
    expect(await page.getByRole('switch').count()).toBe(0);
  });
});
