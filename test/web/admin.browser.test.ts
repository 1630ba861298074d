import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { price } from '../../cards/format';
import { exportableSubscriptionIds } from '../../domain/admin/export-licensed-users';
import { spendSummary } from '../../domain/admin/spend-summary';
import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { assignLicenses } from '../../domain/licenses/assign-licenses';
import { getPolicy } from '../../domain/policy/view-policies';
import { setRequireApproval } from '../../domain/approvals/manage-approvals';
import type { ActorContext } from '../../domain/ports';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { browserTestsEnabled, startWebHarness, type Persona, type WebHarness, unlabelledControls } from './browser-harness';

const describeBrowser = browserTestsEnabled ? describe : describe.skip;

const PBI = 'CFQ7TTC0H9MP';
const APPS = 'CFQ7TTC0LH2H';
const AUTOMATE = 'CFQ7TTC0LH3L';
const SECTIONS = ['Purchases', 'Licenses', 'Policies', 'Approvals', 'Audit log', 'Spend', 'Roles'] as const;

/** The DOM as the in-page checks use it: this file compiles as Node code, without the DOM library. */
interface DomEl {
  tagName: string;
  textContent: string | null;
  outerHTML: string;
  hidden: boolean;
  value: string;
  labels?: ArrayLike<DomEl> | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomEl | null;
}
interface DomDoc {
  activeElement: DomEl | null;
  querySelectorAll(selector: string): ArrayLike<DomEl>;
  querySelector(selector: string): DomEl | null;
  getElementById(id: string): DomEl | null;
}
interface InPage {
  document: DomDoc;
  sessionStorage: { getItem(key: string): string | null };
}

const ctxOf = (who: Persona): ActorContext => ({ tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS[who].id, surface: 'system' });

const panel = (page: Page, name: string) => page.getByRole('tabpanel', { name });

/** Waits until a section is shown and has drawn (nothing in it still loading). */
const sectionDrawn = async (page: Page, name: (typeof SECTIONS)[number]) => {
  await page.waitForFunction((n) => {
    const { document } = globalThis as unknown as InPage;
    const tab = Array.from(document.querySelectorAll('[role=tab]')).find((t) => t.textContent === n);
    const p = tab && document.getElementById(tab.getAttribute('aria-controls') ?? '');
    return p && !p.hidden && p.getAttribute('aria-busy') === 'false' && !p.querySelector('[aria-busy=true]');
  }, name);
  return panel(page, name);
};

/** Opens a section with a click on its tab. */
const openSection = async (page: Page, name: (typeof SECTIONS)[number]) => {
  await page.getByRole('tab', { name }).click();
  return sectionDrawn(page, name);
};

/** Calls the API from inside the page with its own credential (the signed link the page keeps for its tab). */
const apiFromPage = (page: Page, method: 'GET' | 'POST', apiPath: string, body?: unknown) =>
  page.evaluate(
    async ({ method, apiPath, body }) => {
      const { sessionStorage } = globalThis as unknown as InPage;
      const res = await fetch(`/api/web${apiPath}`, {
        method,
        headers: { authorization: `Link ${sessionStorage.getItem('ssp.link')}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, apiPath, body },
  );

describeBrowser('Admin tab in Chromium', () => {
  let web: WebHarness;
  /** Opens the Admin tab as a persona; waits fail after 10 s, so a failure names its step before the test's timeout. */
  const open = async (who: Persona, query?: Record<string, string>) => {
    const opened = await web.open(who, 'admin', query);
    opened.page.setDefaultTimeout(10_000);
    return opened;
  };
  let meganPbi: string;
  let adeleApps: string;
  let meganApps: string;

  beforeAll(async () => {
    web = await startWebHarness();
    const deps = web.bot.app.deps;
    const card = () => web.bot.app.payments.tokenize({ number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123', name: 'Demo' }).token;
    // More than the demo's one purchase, so a chart has several bars and an export has something to leave out.
    const buy = async (who: Persona, productId: string, quantity: number, users: Persona[], billingFrequency = 'Monthly') => {
      const r = await buySubscription(deps, ctxOf(who), { productId, quantity, billingFrequency, cardToken: card() });
      if (r.status !== 'created') throw new Error('expected a purchase');
      await assignLicenses(deps, ctxOf(who), { subscriptionId: r.subscription.id, userIds: users.map((u) => DEMO_USERS[u].id) });
      return r.subscription.id;
    };
    adeleApps = await buy('adele', APPS, 3, ['adele', 'isaiah'], 'Annual');
    meganApps = await buy('megan', APPS, 1, ['alex']);
    await buy('patti', AUTOMATE, 2, ['patti']);
    meganPbi = (await exportableSubscriptionIds(deps, ctxOf('alex'), { productId: PBI })).find((id) => id !== adeleApps)!;
  }, 15 * 60_000);
  afterAll(async () => {
    await web?.close();
  });

  it('loads with the seeded data on every section, every control labelled, and no console errors', async () => {
    const { page, problems } = await open('alex');
    await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
    const purchases = await openSection(page, 'Purchases');
    await purchases.getByRole('button', { name: /^Power BI Pro, bought by Megan Bowen/ }).waitFor();
    expect(await purchases.getByRole('row').count()).toBe(1 + 6); // header + the demo's 3 (Megan's Power BI Pro and Clipchamp, Adele's trial) + 3 bought above
    expect(await unlabelledControls(page)).toEqual([]);

    const licenses = await openSection(page, 'Licenses');
    await licenses.getByRole('heading', { name: 'Power BI Pro' }).waitFor();
    await licenses.getByRole('button', { name: 'People by purchaser for Power BI Pro' }).click();
    await licenses.getByRole('heading', { name: 'Bought by Megan Bowen' }).first().waitFor();
    await licenses.getByRole('rowheader', { name: 'Patti Fernandez' }).first().waitFor();

    const policies = await openSection(page, 'Policies');
    await policies.getByRole('combobox', { name: 'AllowSelfServicePurchase for Power BI Pro' }).waitFor();
    expect(await policies.getByRole('combobox').count()).toBe(1 + 15); // "set all" + one per product

    const approvals = await openSection(page, 'Approvals');
    await approvals.getByText('No purchase requests are waiting.').waitFor();

    const audit = await openSection(page, 'Audit log');
    await audit.getByRole('cell', { name: /Bought Power BI Pro, 5 licenses/ }).waitFor();

    const spend = await openSection(page, 'Spend');
    await spend.getByRole('img', { name: /^Power BI Pro: / }).waitFor();

    const roles = await openSection(page, 'Roles');
    await roles.getByRole('row', { name: /^Isaiah Langer Global reader .* by Alex Wilber/ }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('purchases: the filters narrow the list, a row opens its detail (R5), and Acknowledge records it', async () => {
    const { page, problems } = await open('alex');
    const p = await openSection(page, 'Purchases');
    await p.getByRole('combobox', { name: 'Bought' }).selectOption('Central');
    await p.getByText('No purchases match these filters.').first().waitFor();
    await p.getByRole('combobox', { name: 'Bought' }).selectOption('SelfService');
    await p.getByRole('combobox', { name: 'Purchaser' }).selectOption({ label: 'Megan Bowen' });
    await p.getByRole('status').filter({ hasText: '3 purchases found' }).waitFor(); // Power BI Pro and Clipchamp (demo), Power Apps (above)
    await p.getByRole('combobox', { name: 'Product' }).selectOption({ label: 'Power BI Pro' });
    await p.getByRole('combobox', { name: 'Status' }).selectOption('Active');
    await p.getByRole('status').filter({ hasText: '1 purchase found' }).waitFor();

    await p.getByRole('button', { name: /^Power BI Pro, bought by Megan Bowen/ }).click();
    const detail = p.getByRole('article', { name: 'Power BI Pro' });
    await detail.waitFor();
    await expect(page.locator(':focus').textContent()).resolves.toBe('Power BI Pro');
    for (const text of ['Megan Bowen (meganb@example.com)', '5 (3 assigned, 2 available)', '$16.80 per license per month · $84.00 per month in all'])
      await detail.getByText(text).waitFor();
    for (const name of ['Megan Bowen', 'Patti Fernandez', 'Lynne Robbins']) await detail.getByRole('rowheader', { name }).waitFor();
    await detail.getByRole('cell', { name: 'Bought' }).waitFor();
    // The admin actions the domain allows here, and its reason for the one it doesn't (no central subscription to move users to).
    const actions = detail.getByRole('region', { name: 'Admin actions' });
    await actions.getByText('Take over and cancel it: say “take over Power BI Pro from Megan Bowen” to the bot.').waitFor();
    await actions.getByText('Centralize its licenses: say “centralize Power BI Pro from Megan Bowen” to the bot.').waitFor();
    await actions.getByText(/There is no central Power BI Pro subscription yet/).waitFor();
    await actions.getByRole('button', { name: 'Turn off self-service purchase of Power BI Pro' }).waitFor();
    await detail.getByRole('button', { name: 'Acknowledge' }).click();
    await detail.getByText(/^Acknowledged by Alex Wilber on \d{4}-\d{2}-\d{2}$/).waitFor();
    await detail.getByRole('button', { name: '← All purchases' }).click();
    await p.getByRole('button', { name: /^Power BI Pro, bought by Megan Bowen/ }).waitFor();
    expect(problems).toEqual([]);
  });

  it('a policy change on the page (real clicks) shows up in chat: the purchaser is refused, the admin channel lists it', async () => {
    const { page, problems } = await open('alex');
    const p = await openSection(page, 'Policies');
    const save = p.getByRole('button', { name: 'Save Power BI Pro' });
    await expect(save.isDisabled()).resolves.toBe(true);
    await p.getByRole('combobox', { name: 'AllowSelfServicePurchase for Power BI Pro' }).selectOption({ label: 'Disabled' });
    await save.click();
    await p.getByRole('status').filter({ hasText: 'Power BI Pro: Enabled → Disabled.' }).waitFor();
    await p.getByRole('row', { name: /Power BI Pro .*by Alex Wilber/ }).waitFor();

    const buy = await web.bot.say('megan', 'buy Power BI Pro 1');
    expect(buy.replies.join('\n')).toMatch(/turned off buying Power BI Pro/);
    const listed = await web.bot.sayInChannel('alex', 'policies');
    expect(listed.replies.join('\n')).toContain('Power BI Pro: Disabled\n');
    expect((await getPolicy(web.bot.app.deps, ctxOf('alex'), PBI)).value).toBe('Disabled');

    const audit = await openSection(page, 'Audit log');
    await expect(audit.getByRole('row').nth(1).textContent()).resolves.toContain('AllowSelfServicePurchase for Power BI Pro: Enabled → Disabled');

    // Back to Enabled for every product, through "set all" and its confirmation.
    const again = await openSection(page, 'Policies');
    await again.getByRole('combobox', { name: 'Set all products to' }).selectOption('Enabled');
    await again.getByRole('button', { name: 'Apply to all products…' }).click();
    await again.getByRole('button', { name: 'Yes, set all 15 products' }).click();
    await again.getByRole('status').filter({ hasText: 'Every product is now Enabled (1 product changed).' }).waitFor();
    expect((await web.bot.say('megan', 'buy Power BI Pro 1')).replies.join('\n')).not.toMatch(/doesn.t allow/);
    expect(problems).toEqual([]);
  });

  it('the CSV download has exactly the licensed users of the chosen subscriptions, none of the others', async () => {
    const { page, problems } = await open('alex');
    const p = await openSection(page, 'Licenses');
    await p.getByRole('button', { name: 'People by purchaser for Power BI Pro' }).click();
    await p.getByRole('button', { name: 'People by purchaser for Power Apps per user' }).click();
    const exportButton = p.getByRole('button', { name: 'Export licensed users (CSV)' });
    await expect(exportButton.isDisabled()).resolves.toBe(true);
    await page.locator(`input[data-subscription="${meganPbi}"]`).check();
    await page.locator(`input[data-subscription="${adeleApps}"]`).check();
    await p.getByText('2 subscriptions chosen').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    // Each checkbox is named for what it chooses.
    await expect(
      page
        .locator(`input[data-subscription="${adeleApps}"]`)
        .getAttribute('id')
        .then((id) => page.locator(`label[for="${id}"]`).textContent()),
    ).resolves.toMatch(/^Power Apps per user — self-service, 3 licenses, 2 assigned, expires/);

    const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
    expect(download.suggestedFilename()).toMatch(/^licensed-users-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const [header, ...lines] = csv.trim().split('\r\n');
    expect(header).toBe('Display name,Email,User id,Product,Subscription id,Purchaser,Assigned at');
    const got = lines
      .map((l) => l.split(','))
      .map((c) => `${c[4]} ${c[2]}`)
      .sort();
    const stored = await web.bot.app.deps.uow.read((r) => r.assignments.listBySubscriptions(DEMO_TENANT_ID, [meganPbi, adeleApps]));
    expect(got).toEqual(stored.map((a) => `${a.subscriptionId} ${a.userId}`).sort());
    expect(got).toHaveLength(5);
    expect(csv).not.toContain(meganApps);
    expect(csv).not.toContain(DEMO_USERS.alex.id); // licensed only through the subscription left out
    await p.getByRole('status').filter({ hasText: 'Downloaded the licensed users of 2 subscriptions.' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('spend: the totals and every bar match the domain’s numbers', async () => {
    const { page, problems } = await open('alex', { section: 'spend' });
    const p = await openSection(page, 'Spend');
    const s = await spendSummary(web.bot.app.deps, ctxOf('alex'));
    expect(s.byProduct.length).toBeGreaterThanOrEqual(3);
    for (const [title, lines] of [
      ['Spend per product (USD)', s.byProduct],
      ['Spend per purchaser (USD)', s.byPurchaser],
    ] as const) {
      const figure = p.getByRole('figure', { name: title });
      const rows = await figure.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
      expect(rows).toEqual(lines.map((l) => [l.name, price(l.billed), price(l.paid), String(l.invoices)]));
      for (const l of lines) await figure.getByRole('img', { name: new RegExp(`^${l.name}: ${price(l.billed).replace(/[$.]/g, '\\$&')} billed`) }).waitFor();
    }
    const total = s.totals[0];
    await expect(p.locator('[data-currency="USD"] dd').first().textContent()).resolves.toBe(price(total.billed));
    await p.getByRole('combobox', { name: 'Period' }).selectOption('3');
    await p
      .getByRole('status')
      .filter({ hasText: `Last 3 months: ${price((await spendSummary(web.bot.app.deps, ctxOf('alex'), { months: 3 })).totals[0].billed)} billed.` })
      .waitFor();
    expect(problems).toEqual([]);
  });

  it('approvals: the setting, then a request approved and another rejected with a reason, from the page', async () => {
    const { page, problems } = await open('alex');
    let p = await openSection(page, 'Approvals');
    await p.getByRole('checkbox', { name: 'Require admin approval for purchases' }).check();
    await p.getByRole('status').filter({ hasText: 'now wait for an admin’s approval' }).waitFor();
    const card = web.bot.app.payments.tokenize({ number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123', name: 'Megan' }).token;
    for (const productId of ['CFQ7TTC0HD32', 'CFQ7TTC0HDB0']) {
      expect((await buySubscription(web.bot.app.deps, ctxOf('megan'), { productId, quantity: 2, cardToken: card })).status).toBe('pending');
    }
    p = await openSection(page, 'Audit log');
    p = await openSection(page, 'Approvals');
    await p.getByRole('button', { name: 'Reject 2 licenses of Visio Plan 2, monthly for Megan Bowen' }).click(); // opens its reason form
    expect(await unlabelledControls(page)).toEqual([]);
    await p.getByRole('button', { name: 'Reject 2 licenses of Visio Plan 2, monthly for Megan Bowen' }).click(); // and closes it
    await p.getByRole('button', { name: 'Approve 2 licenses of Visio Plan 2, monthly for Megan Bowen' }).click();
    await p.getByRole('status').filter({ hasText: 'Approved: 2 licenses of Visio Plan 2, monthly for Megan Bowen.' }).waitFor();
    await p.getByRole('button', { name: 'Reject 2 licenses of Project Plan 3, monthly for Megan Bowen' }).click();
    await p.getByRole('textbox', { name: 'Why? Megan Bowen will see this (optional)' }).fill('Use the central Project licenses');
    await p.getByRole('button', { name: 'Reject request' }).click();
    await p.getByRole('status').filter({ hasText: 'Rejected 2 licenses of Project Plan 3' }).waitFor();
    await p.getByText('No purchase requests are waiting.').waitFor();
    await p.getByRole('checkbox', { name: 'Require admin approval for purchases' }).uncheck();
    await p.getByRole('status').filter({ hasText: 'without waiting for approval' }).waitFor();
    const requests = await web.bot.app.deps.uow.read((r) => r.requests.listPending(DEMO_TENANT_ID));
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('keyboard only: the tabs follow the arrow keys, and a policy is changed without the mouse', async () => {
    const { page, problems } = await open('alex');
    await openSection(page, 'Purchases');
    const focusedTab = () =>
      page.evaluate(() => {
        const el = (globalThis as unknown as InPage).document.activeElement;
        return el?.getAttribute('role') === 'tab' ? el.textContent : `not a tab: ${el?.tagName}`;
      });
    const selectedTab = () => page.locator('[role=tab][aria-selected=true]').textContent();
    await page.locator('body').focus();
    for (let i = 0; i < 5 && (await focusedTab()) !== 'Purchases'; i++) await page.keyboard.press('Tab');
    expect(await focusedTab()).toBe('Purchases');
    for (const [key, expected] of [
      ['ArrowRight', 'Licenses'],
      ['ArrowRight', 'Policies'],
      ['End', 'Roles'],
      ['ArrowRight', 'Purchases'],
      ['ArrowLeft', 'Roles'],
      ['Home', 'Purchases'],
      ['ArrowLeft', 'Roles'],
      ['ArrowLeft', 'Spend'],
      ['ArrowLeft', 'Audit log'],
      ['ArrowLeft', 'Approvals'],
      ['ArrowLeft', 'Policies'],
    ] as const) {
      await page.keyboard.press(key);
      expect([key, await focusedTab(), await selectedTab()]).toEqual([key, expected, expected]);
    }
    // Only the selected tab is in the tab order; Tab moves into its panel.
    expect(await page.locator('[role=tab][tabindex="0"]').count()).toBe(1);
    await sectionDrawn(page, 'Policies');
    const target = 'AllowSelfServicePurchase for Visio Plan 2';
    const focusedName = () =>
      page.evaluate(() => {
        const el = (globalThis as unknown as InPage).document.activeElement;
        return el?.tagName === 'SELECT'
          ? Array.from(el.labels ?? [])
              .map((l) => l.textContent)
              .join('')
          : (el?.textContent ?? '');
      });
    for (let i = 0; i < 80 && (await focusedName()) !== target; i++) await page.keyboard.press('Tab');
    expect(await focusedName()).toBe(target);
    await page.keyboard.press('ArrowDown'); // Enabled → Disabled
    await expect(page.locator(':focus').inputValue()).resolves.toBe('Disabled');
    await page.keyboard.press('Tab');
    expect(await focusedName()).toBe('Save Visio Plan 2');
    await page.keyboard.press('Enter');
    await panel(page, 'Policies').getByRole('status').filter({ hasText: 'Visio Plan 2: Enabled → Disabled.' }).waitFor();
    expect((await getPolicy(web.bot.app.deps, ctxOf('alex'), 'CFQ7TTC0HD32')).value).toBe('Disabled');
    // Focus comes back to the control that was changed, ready for the next key.
    expect(await focusedName()).toBe(target);
    expect(problems).toEqual([]);
  });

  it('roles: a Global admin grants a role by finding the person, and revokes it; the last Global admin has no Revoke, with the reason', async () => {
    const { page, problems } = await open('alex');
    const p = await openSection(page, 'Roles');
    const alexRow = p.getByRole('row', { name: /^Alex Wilber Global admin/ });
    await alexRow.getByText("You can't remove the last Global admin.").waitFor();
    expect(await alexRow.getByRole('button').count()).toBe(0);
    await p.getByRole('button', { name: 'Revoke Global reader from Isaiah Langer' }).waitFor();

    await p.getByRole('combobox', { name: 'Role to grant' }).selectOption({ label: 'Billing admin' });
    await p.getByRole('searchbox', { name: 'Person (name or email)' }).fill('adele');
    await p.getByRole('button', { name: 'Grant Billing admin to Adele Vance (adelev@example.com)' }).click();
    await p.getByRole('status').filter({ hasText: 'Granted Billing admin to Adele Vance.' }).waitFor();
    await p.getByRole('button', { name: 'Revoke Billing admin from Adele Vance' }).click();
    await p.getByRole('status').filter({ hasText: 'Revoked Billing admin from Adele Vance.' }).waitFor();
    expect(await web.bot.app.deps.uow.read((r) => r.roles.listForUser(DEMO_TENANT_ID, DEMO_USERS.adele.id))).toEqual([]);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('a Global reader sees everything with no control the domain refuses them (each refusal in its words), and the API refuses their change (403)', async () => {
    // A request waiting for a decision, which a reader may see but not decide.
    const deps = web.bot.app.deps;
    await setRequireApproval(deps, ctxOf('alex'), { enabled: true });
    const card = web.bot.app.payments.tokenize({ number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123', name: 'Megan' }).token;
    const pending = await buySubscription(deps, ctxOf('megan'), { productId: 'CFQ7TTC0HD33', quantity: 1, cardToken: card });
    if (pending.status !== 'pending') throw new Error('expected a request');
    await setRequireApproval(deps, ctxOf('alex'), { enabled: false });

    const { page, problems } = await open('isaiah');
    await page.getByText('only Global admins and Billing admins can change it').waitFor();
    const p = await openSection(page, 'Policies');
    await p.getByText('Read-only: Global readers can view but not change this. Ask a Global or Billing admin.').waitFor();
    expect(await p.getByRole('combobox').count()).toBe(0);
    expect(await p.getByRole('button').count()).toBe(0);
    await p.getByRole('row', { name: /Power BI Pro Enabled/ }).waitFor();

    const approvals = await openSection(page, 'Approvals');
    await expect(approvals.getByRole('checkbox', { name: 'Require admin approval for purchases' }).isDisabled()).resolves.toBe(true);
    const request = approvals.getByRole('row', { name: /1 license of Visio Plan 1, monthly/ });
    await request.getByText('Global readers can view but not change this. Ask a Global or Billing admin.').waitFor();
    expect(await approvals.getByRole('button', { name: /^(Approve|Reject)/ }).count()).toBe(0);
    expect(await approvals.getByRole('button').count()).toBe(0);

    const purchases = await openSection(page, 'Purchases');
    await purchases.getByRole('button', { name: /^Power BI Pro, bought by Megan Bowen/ }).click();
    const detail = purchases.getByRole('article', { name: 'Power BI Pro' });
    await detail.getByRole('region', { name: 'Admin actions' }).getByText('Global readers can view but not change this. Ask a Global or Billing admin.').waitFor();
    expect(await detail.getByRole('button').allTextContents()).toEqual(['← All purchases']);

    const roles = await openSection(page, 'Roles');
    await roles.getByText('Only a Global admin can manage roles.').waitFor();
    expect(await roles.getByRole('button').count()).toBe(0);
    expect(await roles.getByRole('searchbox').count()).toBe(0);

    for (const section of SECTIONS) await openSection(page, section);
    expect(problems).toEqual([]);
    // The same request, as an admin sees it: Approve and Reject are there.
    const admin = await open('alex');
    const forAdmin = await openSection(admin.page, 'Approvals');
    await forAdmin.getByRole('button', { name: 'Approve 1 license of Visio Plan 1, monthly for Megan Bowen' }).waitFor();
    await forAdmin.getByRole('button', { name: 'Reject 1 license of Visio Plan 1, monthly for Megan Bowen' }).waitFor();
    expect(admin.problems).toEqual([]);
    const refused = await apiFromPage(page, 'POST', `/admin/policies/${PBI}`, { value: 'Disabled' });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'AUTH.READ_ONLY' } } });
    expect((await getPolicy(web.bot.app.deps, ctxOf('alex'), PBI)).value).toBe('Enabled');
  });

  it('a purchaser opening the Admin tab is told it is for admins; the API answers 403', async () => {
    const { page, problems } = await open('megan');
    await page.getByRole('alert').getByRole('heading', { name: 'Only admins can open this page' }).waitFor();
    expect(await page.getByRole('tab').count()).toBe(0);
    expect(problems).toEqual([]);
    for (const apiPath of ['/admin/purchases', '/admin/policies', '/admin/spend']) expect((await apiFromPage(page, 'GET', apiPath)).status).toBe(403);
  });
});
