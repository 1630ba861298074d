/**
 * End to end through Microsoft's own Teams emulator: the real bot (restify + CloudAdapter + Prisma on a
 * fresh SQLite file with the demo tenant) on a loopback port, two Microsoft 365 Agents Playgrounds side
 * by side against it (Alex Wilber the admin, Megan Bowen the purchaser, from the committed persona
 * files), each driven in headless Chromium. Replies and proactive messages travel over each
 * Playground's own serviceUrl, as they would over the Bot Connector.
 *
 * Needs Chromium: installed on first run when missing (root + apt-get). E2E=0 skips on purpose.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'restify';
import pino from 'pino';
import { CardFactory, MessageFactory, type ConversationReference, type TurnContext } from 'botbuilder';
import type { Browser } from 'playwright-core';
import { loadConfig, type AppConfig } from '../../bot/config';
import { startApp, type App } from '../../bot/app';
import { createHttpServer } from '../../bot/http-server';
import { ADMIN_CHANNEL_KEY, userKey } from '../../bot/conversations';
import { listPurchases } from '../../domain/admin/list-purchases';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { ADMIN_CONFIG, PURCHASER_CONFIG, ensureChromium, launchBrowser, startPlayground, type Playground } from './playground-driver';

jest.setTimeout(60_000);

const e2e = process.env.E2E === '0' ? describe.skip : describe;

e2e('Agents Playground, end to end (admin and purchaser side by side)', () => {
  let dir: string;
  let config: AppConfig;
  let app: App;
  let server: Server;
  let browser: Browser;
  let admin: Playground;
  let purchaser: Playground;

  beforeAll(async () => {
    await ensureChromium();
    dir = mkdtempSync(path.join(tmpdir(), 'ssp-e2e-'));
    // The outbox sender is off so that only this test's messages arrive; proactive sends are made below.
    config = loadConfig({
      NODE_ENV: 'test',
      SEED_DEMO: 'true',
      BILLING_INTERVAL_MINUTES: '0',
      OUTBOX_INTERVAL_MS: '0',
      LOG_LEVEL: 'silent',
      DATABASE_URL: `file:${path.join(dir, 'e2e.db')}`,
    });
    const logger = pino({ level: 'silent' });
    app = await startApp(config, logger);
    server = createHttpServer(config, logger, app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/messages`;
    browser = await launchBrowser();
    [admin, purchaser] = await Promise.all([
      startPlayground({ browser, botEndpoint: endpoint, configPath: ADMIN_CONFIG }),
      startPlayground({ browser, botEndpoint: endpoint, configPath: PURCHASER_CONFIG }),
    ]);
  }, 15 * 60_000); // a first run may install Chromium

  afterAll(async () => {
    await Promise.all([admin?.close(), purchaser?.close()]);
    await browser?.close();
    if (server) await new Promise<void>((r) => server.close(() => r()));
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const proactive = async (reference: Partial<ConversationReference>, ...messages: Parameters<TurnContext['sendActivity']>[0][]) => {
    await app.adapter.continueConversationAsync(config.bot.appId, reference, async (context) => {
      for (const m of messages) await context.sendActivity(m);
    });
  };

  test('the two Playgrounds are the two personas of the demo tenant', () => {
    expect(admin.persona.currentUser).toBe(DEMO_USERS.alex.displayName);
    expect(purchaser.persona.currentUser).toBe(DEMO_USERS.megan.displayName);
    expect(admin.port).not.toBe(purchaser.port);
  });

  test('purchaser: "help" and "my purchases" in the personal chat, with her demo subscription', async () => {
    const before = await purchaser.mark();
    await purchaser.say('help', /catalog/i);
    await purchaser.say('my purchases', /Power BI Pro/);
    await purchaser.waitForBotMessage(/A bill is unpaid/, { since: before });
    expect(await purchaser.failedCalls()).toEqual([]);
  });

  test("the demo's payment-failed notice, waiting since the seed for Megan's first message, reaches her chat after it", async () => {
    // Her chat was stored by her first message above, which made the notice due at once (no Graph here).
    const mark = await purchaser.mark();
    await app.sender.drainOnce();
    await purchaser.waitForBotMessage(/couldn't charge your card for \*?\*?Clipchamp Premium/, { since: mark });
    expect(await purchaser.failedCalls()).toEqual([]);
  });

  test('admin: "@Purchases use this channel" then "@Purchases policies" in the Billing admins channel', async () => {
    await admin.openChannel('Billing admins');
    await admin.post('use this channel');
    await admin.waitForBotMessage(/notification/i);
    await admin.post('policies');
    await admin.waitForBotMessage(/Power BI Pro/);
    expect(await admin.failedCalls()).toEqual([]);

    // The bot remembered the channel, reached through the admin's Playground.
    const reference = await app.conversations.get(DEMO_TENANT_ID, ADMIN_CHANNEL_KEY);
    expect(reference?.conversation?.id).toBe('19:billing-admins@thread.tacv2');
    expect(reference?.serviceUrl).toBe(admin.serviceUrl);
  });

  test("proactive messages reach the right Playground: the admin channel and the purchaser's chat", async () => {
    const channel = await app.conversations.get(DEMO_TENANT_ID, ADMIN_CHANNEL_KEY);
    const megan = await app.conversations.get(DEMO_TENANT_ID, userKey(DEMO_USERS.megan.id));
    expect(channel).not.toBeNull();
    expect(megan?.serviceUrl).toBe(purchaser.serviceUrl);
    const nonce = Date.now().toString(36);

    const adminMark = await admin.mark();
    const purchaserMark = await purchaser.mark();
    await proactive(channel!, `Proactive to the admins ${nonce}`);
    await proactive(
      megan!,
      `Proactive to Megan ${nonce}`,
      MessageFactory.attachment(
        CardFactory.adaptiveCard({
          type: 'AdaptiveCard',
          version: '1.5',
          body: [
            { type: 'TextBlock', text: `Renewal of Power BI Pro ${nonce}`, weight: 'Bolder' },
            { type: 'Input.Text', id: 'note', label: 'Note', placeholder: 'Anything to add?' },
            { type: 'Input.ChoiceSet', id: 'quantity', label: 'Licenses', value: '5', choices: ['3', '5', '10'].map((n) => ({ title: n, value: n })) },
          ],
          actions: [{ type: 'Action.Submit', title: 'Keep', data: { verb: 'keep' } }],
        }),
      ),
    );

    // A new post in the channel (a channel notification starts a thread) on the admin's screen ...
    await admin.waitForBotMessage(`Proactive to the admins ${nonce}`, { since: adminMark });
    // ... and, on the purchaser's, the chat message and the card; neither leaks to the other Playground.
    await purchaser.waitForBotMessage(`Proactive to Megan ${nonce}`, { since: purchaserMark });
    const card = await purchaser.waitForCard(`Renewal of Power BI Pro ${nonce}`, { since: purchaserMark });
    expect(
      await admin
        .botMessages()
        .filter({ hasText: `Proactive to Megan ${nonce}` })
        .count(),
    ).toBe(0);
    expect(
      await purchaser
        .botMessages()
        .filter({ hasText: `Proactive to the admins ${nonce}` })
        .count(),
    ).toBe(0);

    // The card's inputs work as Teams renders them.
    await purchaser.fillCardText(card, 'Note', 'all good');
    await purchaser.pickCardChoice(card, 'Licenses', '10');
    expect(await purchaser.cardInputValue(card, 'Note')).toBe('all good');
    expect(await purchaser.cardInputValue(card, 'Licenses')).toBe('10');
    expect(await card.getByRole('button', { name: 'Keep', exact: true }).count()).toBe(1);
  });

  test('the whole flow: the purchaser buys, the admin channel gets the new-purchase card, the admin takes it over with a reason, the purchaser gets the cancellation card', async () => {
    // Megan buys with the card she already has on file.
    await purchaser.openPersonalChat();
    const form = await purchaser.say('buy power apps 2', /Buy Power Apps per user/);
    const buyCard = await purchaser.waitForCard(/Buy Power Apps per user/, { since: 'any' });
    expect(form).toBeTruthy();
    let mark = await purchaser.mark();
    await purchaser.clickCardButton(buyCard, 'Buy');
    await purchaser.waitForCard(/Done: you bought 2 licenses/, { since: mark });

    // The outbox delivers the new-purchase card to the admin channel, through the admin's Playground.
    await admin.openChannel('Billing admins');
    const adminMark = await admin.mark();
    await app.sender.drainOnce();
    const posted = await admin.waitForCard(/Megan Bowen\s*bought\s*Power Apps per user/, { since: adminMark });
    // Everyone in the channel reads the card as posted: it offers only Review, which opens the reader's own view.
    for (const title of ['Take over', 'Disable product', 'Acknowledge']) expect(await posted.getByRole('button', { name: title, exact: true }).count()).toBe(0);
    let newPurchase = posted;
    if ((await posted.getByRole('button', { name: 'Review', exact: true }).count()) === 1) {
      const reviewMark = await admin.mark();
      await admin.clickCardButton(posted, 'Review');
      newPurchase = await admin.waitForCard(/Megan Bowen\s*bought\s*Power Apps per user|Power Apps per user/, { since: reviewMark });
    }
    for (const title of ['Take over', 'Disable product', 'Acknowledge']) expect(await newPurchase.getByRole('button', { name: title, exact: true }).count()).toBe(1);

    // Take over: the card becomes the confirmation with the reasons, then the outcome, in place.
    mark = await admin.mark();
    await admin.clickCardButton(newPurchase, 'Take over');
    const confirm = await admin.waitForCard(/Take over Power Apps per user from Megan Bowen\?/, { since: mark });
    await admin.pickCardChoice(confirm, 'Reason (the purchaser sees it)', 'Cost control');
    mark = await admin.mark();
    await admin.clickCardButton(confirm, 'Take over');
    const outcome = await admin.waitForCard(/Taken over: the subscription is cancelled/, { since: mark });
    expect(await outcome.getByRole('button', { name: 'Take over', exact: true }).count()).toBe(0);

    // Megan is told, with the reason, in her chat.
    const purchaserMark = await purchaser.mark();
    await app.sender.drainOnce();
    await purchaser.waitForCard(/Alex Wilber cancelled your\s*Power Apps per user\s*subscription \(reason: Cost control\)/, { since: purchaserMark });
    expect(await admin.failedCalls()).toEqual([]);
    expect(await purchaser.failedCalls()).toEqual([]);
  });

  test('a purchaser with two subscriptions of one product: "add 1 license to Power BI Pro" asks which one, and the chosen button adds it', async () => {
    await purchaser.openPersonalChat();
    await purchaser.say('buy power bi pro 2 yearly', /Buy Power BI Pro/);
    const buyCard = await purchaser.waitForCard(/Buy Power BI Pro/, { since: 'any' });
    let mark = await purchaser.mark();
    await purchaser.clickCardButton(buyCard, 'Buy');
    await purchaser.waitForCard(/Done: you bought 2 licenses/, { since: mark });

    mark = await purchaser.mark();
    await purchaser.send('add 1 license to Power BI Pro');
    const choice = await purchaser.waitForCard(/Which subscription\?/, { since: mark });
    expect(await choice.getByRole('button', { name: 'Add 1 here', exact: true }).count()).toBe(2);
    const before = await app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.megan.id));
    mark = await purchaser.mark();
    await purchaser.clickCardButton(choice, 'Add 1 here');
    await purchaser.waitForCard(/Done: \d+ licenses now/, { since: mark });
    const after = await app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.megan.id));
    const grown = after.filter((s) => s.quantity === (before.find((b) => b.id === s.id)?.quantity ?? 0) + 1);
    expect(grown).toHaveLength(1);
    expect(await purchaser.failedCalls()).toEqual([]);
  });

  test('take over by moving the users: the card says no central subscription exists, buys one, moves the users with a reason, and the purchaser is told why', async () => {
    await admin.openChannel('Billing admins');
    let mark = await admin.mark();
    // Megan now has two Power BI Pro subscriptions (the test above): name her, and the card tells them apart.
    await admin.post('take over Power BI Pro from Megan Bowen');
    const which = await admin.waitForCard(/Which subscription\?/, { since: mark });
    // The one with people on it (the seeded one), in the card's own order (the purchases list's).
    const rows = (
      await listPurchases(
        app.deps,
        { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.alex.id, surface: 'chat' },
        { origin: 'SelfService', productId: 'CFQ7TTC0H9MP', purchaserId: DEMO_USERS.megan.id, pageSize: 50 },
      )
    ).items.filter((r) => r.subscription.status === 'Active');
    const index = rows.findIndex((r) => r.assigned > 0);
    const moving = rows[index].assigned;
    mark = await admin.mark();
    await which.getByRole('button', { name: 'Take over…', exact: true }).nth(index).click();
    const confirm = await admin.waitForCard(/Take over Power BI Pro from Megan Bowen\?/, { since: mark });
    await admin.waitForCard(/There is no central Power BI Pro subscription yet/, { since: mark });
    const buyTitle = await confirm
      .getByRole('button', { name: /^Buy \d+ central licenses? of Power BI Pro$/ })
      .first()
      .textContent();
    mark = await admin.mark();
    await admin.clickCardButton(confirm, buyTitle!.trim());
    const ready = await admin.waitForCard(/Bought: a central Power BI Pro subscription/, { since: mark });
    await admin.pickCardChoice(ready, 'What happens to the licenses', `Move its ${moving} users to the central Power BI Pro subscription (${moving} available), then cancel`);
    await admin.pickCardChoice(ready, 'Reason (the purchaser sees it)', 'Duplicate of a central subscription');
    mark = await admin.mark();
    await admin.clickCardButton(ready, 'Take over');
    await admin.waitForCard(/Taken over: \d+ users? moved to the central subscription/, { since: mark });

    const purchaserMark = await purchaser.mark();
    await app.sender.drainOnce();
    await app.sender.drainOnce();
    await purchaser.waitForCard(/took over your\s*Power BI Pro\s*subscription and moved its[\s\S]*reason: Duplicate of a central subscription/, { since: purchaserMark });
    expect(await admin.failedCalls()).toEqual([]);
  });
});
