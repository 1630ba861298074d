import { activityText, cardOf, startBot, type BotHarness } from './harness';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { VERBS } from '../../cards/verbs';
import { browserTestsEnabled, startWebHarness } from '../web/browser-harness';

/**
 * The checkout dialog from the bot's side: the buy card's "secure checkout" button is an
 * Action.Submit with msteams task/fetch; Teams sends task/fetch, the bot answers with the checkout
 * page signed in as the caller; the page's dialog.url.submit comes back as task/submit with an id,
 * which the bot re-reads as the caller's own before posting the confirmation card.
 */

const POWER_APPS = 'CFQ7TTC0LH2H';
const POWER_BI = 'CFQ7TTC0H9MP';
type Person = keyof typeof DEMO_USERS;

let bot: BotHarness;
let seq = 0;

const dialogInvoke = async (who: Person, name: 'task/fetch' | 'task/submit', data: unknown, opts: { anonymous?: boolean } = {}) => {
  const person = DEMO_USERS[who];
  const conversationId = `a:dialog-${++seq}`;
  const res = await bot.post({
    type: 'invoke',
    name,
    id: `d${seq}`,
    channelId: 'msteams',
    serviceUrl: bot.connector.url,
    timestamp: new Date().toISOString(),
    from: opts.anonymous ? { id: '29:someone' } : { id: `29:${person.id}`, name: person.displayName, aadObjectId: person.id },
    recipient: { id: '28:purchases-bot', name: 'Purchases' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: DEMO_TENANT_ID },
    channelData: opts.anonymous ? {} : { tenant: { id: DEMO_TENANT_ID } },
    value: { data, context: { theme: 'default' } },
  });
  const body = (await res.json().catch(() => ({}))) as { task?: { type: string; value: unknown } };
  return { status: res.status, body, conversationId, posted: () => bot.connector.recorded.filter((r) => r.conversationId === conversationId) };
};

/** The Action.Submit that opens the dialog, as it is in the buy card (not an Action.Execute's fallback). */
const dialogButton = (card: unknown): { title: string; data: Record<string, unknown>; associatedInputs?: string } | null => {
  let found: { title: string; data: Record<string, unknown>; associatedInputs?: string } | null = null;
  const walk = (n: unknown): void => {
    if (found || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const o = n as Record<string, unknown>;
    if (o.type === 'Action.Submit' && (o.data as Record<string, unknown> | undefined)?.verb === VERBS.checkoutOpen) {
      found = o as never;
      return;
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'fallback') walk(v);
  };
  walk(card);
  return found;
};

const linkOf = (url: string): string => new URLSearchParams(new URL(url).hash.slice(1)).get('link') ?? '';
const subscriptionsOf = (userId: string) => bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, userId));

beforeAll(async () => {
  bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
});
afterAll(() => bot?.close());

describe('task/fetch: the buy card opens checkout as a Teams dialog', () => {
  test('the buy card has the button; task/fetch answers with the checkout page, signed in as the caller', async () => {
    const { cards } = await bot.say('megan', 'buy power apps 3');
    const button = dialogButton(cards[0])!;
    expect(button).toMatchObject({
      title: 'Pay with a new card (secure checkout)',
      associatedInputs: 'none',
      data: { msteams: { type: 'task/fetch' }, verb: VERBS.checkoutOpen, productId: POWER_APPS, mode: 'buy', quantity: 3 },
    });

    // Teams merges nothing (associatedInputs none) and sends the button's data as the invoke's value.data.
    const { status, body } = await dialogInvoke('megan', 'task/fetch', button.data);
    expect(status).toBe(200);
    expect(body.task?.type).toBe('continue');
    const value = body.task!.value as { title: string; url: string; height: number; width: number };
    expect(value).toMatchObject({ title: 'Secure checkout', height: expect.any(Number), width: expect.any(Number) });
    const url = new URL(value.url);
    expect(`${url.origin}`).toBe(bot.config.publicUrl);
    expect(url.pathname).toBe('/web/checkout');
    expect(Object.fromEntries(url.searchParams)).toEqual({ productId: POWER_APPS, mode: 'buy', quantity: '3' });

    // The link in the fragment is Megan's, for the pages only.
    const me = await fetch(`${bot.url}/api/web/me`, { headers: { authorization: `Link ${linkOf(value.url)}` } });
    expect(await me.json()).toMatchObject({ userId: DEMO_USERS.megan.id, signedInVia: 'signed-link' });
    const page = await fetch(`${bot.url}${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/web/assets/checkout.js');
  });

  test('a trial that needs a card has the button; one that needs none does not', async () => {
    expect(dialogButton((await bot.say('megan', 'trial power apps')).cards[0])?.title).toBe('Add a card (secure checkout)');
    expect(dialogButton((await bot.say('megan', 'trial visio plan 1')).cards[0])).toBeNull();
  });

  test('tampered data never reaches the URL; someone without a Teams identity gets no link', async () => {
    const wrongVerb = await dialogInvoke('megan', 'task/fetch', { verb: 'admin.everything', productId: POWER_APPS });
    expect(wrongVerb.body.task).toEqual({ type: 'message', value: expect.stringMatching(/doesn't open anything/) });
    const badId = await dialogInvoke('megan', 'task/fetch', { verb: VERBS.checkoutOpen, productId: '"><script>', mode: 'buy' });
    expect(badId.body.task).toEqual({ type: 'message', value: expect.stringMatching(/isn't valid/) });
    const noQuantity = await dialogInvoke('megan', 'task/fetch', { verb: VERBS.checkoutOpen, productId: POWER_APPS, mode: 'buy', quantity: 'lots' });
    expect(new URL((noQuantity.body.task!.value as { url: string }).url).searchParams.has('quantity')).toBe(false);
    const anonymous = await dialogInvoke('megan', 'task/fetch', { verb: VERBS.checkoutOpen, productId: POWER_APPS, mode: 'buy' }, { anonymous: true });
    expect(anonymous.body.task).toEqual({ type: 'message', value: expect.stringMatching(/work account/) });
  });

  test('where dialogs are not available, the same button (a Submit message) answers with a signed checkout link', async () => {
    const { cards } = await bot.say('megan', 'buy power apps');
    const button = dialogButton(cards[0])!;
    const { recorded } = await bot.submit('megan', button.data, 'buy-card-1');
    const card = cardOf(recorded[0].activity);
    expect(activityText(recorded[0].activity)).toMatch(/Secure checkout: Power Apps per user/);
    const open = (card?.actions as Array<{ type: string; url?: string }>).find((a) => a.type === 'Action.OpenUrl')!;
    expect(open.url).toContain('/web/checkout?productId=CFQ7TTC0LH2H&mode=buy#link=');
    const me = await fetch(`${bot.url}/api/web/me`, { headers: { authorization: `Link ${linkOf(open.url!)}` } });
    expect(((await me.json()) as { userId: string }).userId).toBe(DEMO_USERS.megan.id);
  });
});

describe('task/submit: what the dialog bought, confirmed in chat', () => {
  test("the caller's own new subscription: a confirmation card in chat and a short message in the dialog", async () => {
    const megans = (await subscriptionsOf(DEMO_USERS.megan.id)).find((s) => s.productId === POWER_BI)!;
    const r = await dialogInvoke('megan', 'task/submit', { subscriptionId: megans.id });
    expect(r.body.task).toEqual({ type: 'message', value: expect.stringMatching(/You bought 5 licenses of Power BI Pro/) });
    const posted = r.posted();
    expect(posted).toHaveLength(1);
    const text = activityText(posted[0].activity);
    expect(text).toMatch(/Power BI Pro/);
    expect(text).toMatch(/Licenses: 5 \(3 assigned, 2 available\)/);
  });

  test("another user's subscription id is refused, for a purchaser and an admin alike; nothing is posted", async () => {
    const megans = (await subscriptionsOf(DEMO_USERS.megan.id)).find((s) => s.productId === POWER_BI)!;
    for (const who of ['patti', 'alex'] as const) {
      const r = await dialogInvoke(who, 'task/submit', { subscriptionId: megans.id });
      expect(r.body.task).toEqual({ type: 'message', value: expect.stringMatching(/couldn't find that subscription among yours/) });
      expect(r.posted()).toEqual([]);
    }
    const forged = await dialogInvoke('megan', 'task/submit', { subscriptionId: { $ne: null } });
    expect(forged.body.task?.type).toBe('message');
    expect(forged.posted()).toEqual([]);
  });

  test("a request id: the caller's own pending request is described; anyone else's is refused", async () => {
    const { createPurchaseRequestForTest } = await requestFixture();
    const requestId = await createPurchaseRequestForTest();
    const own = await dialogInvoke('lynne', 'task/submit', { requestId });
    expect(own.body.task).toEqual({ type: 'message', value: expect.stringMatching(/waiting for an admin's approval/) });
    expect(own.posted()).toHaveLength(1);
    const other = await dialogInvoke('megan', 'task/submit', { requestId });
    expect(other.body.task).toEqual({ type: 'message', value: expect.stringMatching(/couldn't find that request/) });
    expect(other.posted()).toEqual([]);
  });

  test('closed without a result (Cancel): an empty answer, nothing posted', async () => {
    const r = await dialogInvoke('megan', 'task/submit', undefined);
    expect(r.status).toBe(200);
    expect(r.body.task).toBeUndefined();
    expect(r.posted()).toEqual([]);
  });
});

/** Lynne asks for Power Apps while the tenant requires approval (the pending path of checkout). */
const requestFixture = async () => {
  const { setRequireApproval } = await import('../../domain/approvals/manage-approvals');
  const { buySubscription } = await import('../../domain/purchasing/buy-subscription');
  const admin = { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.alex.id, surface: 'system' as const };
  return {
    createPurchaseRequestForTest: async (): Promise<string> => {
      await setRequireApproval(bot.app.deps, admin, { enabled: true });
      try {
        const token = bot.app.payments.tokenize({ number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' }).token;
        const r = await buySubscription(
          bot.app.deps,
          { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.lynne.id, surface: 'web' },
          { productId: POWER_APPS, quantity: 1, billingFrequency: 'Monthly', cardToken: token },
        );
        if (r.status !== 'pending') throw new Error('expected a pending request');
        return r.request.id;
      } finally {
        await setRequireApproval(bot.app.deps, admin, { enabled: false });
      }
    },
  };
};

(browserTestsEnabled ? describe : describe.skip)('the dialog URL in a browser', () => {
  test('opens the checkout page as the caller, with the order from the card', async () => {
    const web = await startWebHarness();
    try {
      const r = await (async () => {
        const person = DEMO_USERS.megan;
        const res = await web.bot.post({
          type: 'invoke',
          name: 'task/fetch',
          id: 'd-browser',
          channelId: 'msteams',
          serviceUrl: web.bot.connector.url,
          timestamp: new Date().toISOString(),
          from: { id: `29:${person.id}`, name: person.displayName, aadObjectId: person.id },
          recipient: { id: '28:purchases-bot', name: 'Purchases' },
          conversation: { id: 'a:dialog-browser', conversationType: 'personal', tenantId: DEMO_TENANT_ID },
          channelData: { tenant: { id: DEMO_TENANT_ID } },
          value: { data: { msteams: { type: 'task/fetch' }, verb: VERBS.checkoutOpen, productId: POWER_APPS, mode: 'buy', quantity: 4 } },
        });
        return (await res.json()) as { task: { value: { url: string } } };
      })();
      // The public URL is configured for Teams; the test server listens on a loopback port.
      const url = r.task.value.url.replace(web.bot.config.publicUrl, web.bot.url);
      const context = await web.browser.newContext();
      await context.route('https://res.cdn.office.net/**', (route) => route.fulfill({ json: { validOrigins: [] } }));
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(url);
      await page.waitForSelector('#app[aria-busy="false"]');
      await page.getByRole('heading', { name: 'Buy Power Apps per user' }).waitFor();
      await page.getByText('Signed in as Megan Bowen').waitFor();
      expect(await page.getByLabel('Licenses').inputValue()).toBe('4');
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      await web.close();
    }
  }, 120_000);
});
