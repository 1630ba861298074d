import pino from 'pino';
import { Prisma } from '../../prisma/generated/client';
import { startBot, type BotHarness } from './harness';
import { startApp } from '../../bot/app';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { userKey } from '../../bot/conversations';
import { asGraphUsers, GraphStandIn } from '../support/graph-stand-in';

/**
 * Notifications reach people who never opened a chat with the bot: the turns record how Teams knows
 * each person (the speaker, and whoever they @mention), and the outbox starts the 1:1 chat with the
 * Bot Connector's create-conversation call. Through the real adapter and the loopback connector.
 */
describe('reaching someone who never chatted with the bot', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
    // The demo seed's own notifications are out of the way: only this test's are drained.
    await bot.app.db.writeSql.execute(Prisma.sql`DELETE FROM "OutboxNotification"`);
  });
  afterEach(() => bot.close());

  /** The notifications that arrived in a conversation (proactive sends are posted as botbuilder posts replies). */
  const delivered = (conversationId: string) =>
    bot.connector.recorded.filter((r) => r.conversationId === conversationId && (r.activity.channelData as { notificationId?: string } | undefined)?.notificationId);

  test('someone Teams never showed the bot, without Graph: the notification waits and says why; nothing is tried', async () => {
    const adele = DEMO_USERS.adele.id;
    await bot.say('megan', 'assign Power BI Pro to Adele Vance');
    // The turn recorded Megan as Teams knows her; Adele has never been seen in Teams.
    expect(await bot.app.conversations.accounts(DEMO_TENANT_ID, [DEMO_USERS.megan.id, adele])).toEqual(
      new Map([[DEMO_USERS.megan.id, { teamsUserId: `29:${DEMO_USERS.megan.id}`, serviceUrl: bot.connector.url }]]),
    );
    await bot.app.sender.drainOnce();
    expect(bot.connector.createRequests).toEqual([]);
    const [row] = await bot.app.db.reader.outboxNotification.findMany({ where: { recipientUserId: adele } });
    expect(row).toMatchObject({ sentAt: null, nextAttemptAt: expect.any(Date) });
    expect(row.lastError).toMatch(/Microsoft Graph is not configured to install the app for them/);
  });

  test('someone @mentioned is started with the Teams user id the mention carried', async () => {
    const adele = DEMO_USERS.adele;
    const mention = `<at>${adele.displayName}</at>`;
    await bot.say('megan', `assign Power BI Pro to ${mention}`, {
      entities: [{ type: 'mention', text: mention, mentioned: { id: '29:adele-in-teams', name: adele.displayName, aadObjectId: adele.id } }],
    });
    expect((await bot.app.conversations.accounts(DEMO_TENANT_ID, [adele.id])).get(adele.id)).toEqual({ teamsUserId: '29:adele-in-teams', serviceUrl: bot.connector.url });
    await bot.app.sender.drainOnce();
    expect(bot.connector.createRequests).toEqual([{ memberIds: ['29:adele-in-teams'], tenantId: DEMO_TENANT_ID }]);
    expect(delivered(bot.connector.created[0].conversationId)).toHaveLength(1);
  });

  test("a mention never replaces how a person's own messages say Teams knows them", async () => {
    await bot.say('adele', 'help'); // Adele's own activity: 29:<her id>
    const mention = '<at>Adele Vance</at>';
    await bot.say('megan', `assign Power BI Pro to ${mention}`, {
      entities: [{ type: 'mention', text: mention, mentioned: { id: '29:someone-else', name: 'Adele Vance', aadObjectId: DEMO_USERS.adele.id } }],
    });
    expect((await bot.app.conversations.accounts(DEMO_TENANT_ID, [DEMO_USERS.adele.id])).get(DEMO_USERS.adele.id)).toEqual({
      teamsUserId: `29:${DEMO_USERS.adele.id}`,
      serviceUrl: bot.connector.url,
    });
  });

  test('when Teams refuses to start the chat, nothing is sent and the row says why', async () => {
    const adele = DEMO_USERS.adele.id;
    const mention = '<at>Adele Vance</at>';
    bot.connector.unreachable.add('29:adele-in-teams');
    await bot.say('megan', `assign Power BI Pro to ${mention}`, {
      entities: [{ type: 'mention', text: mention, mentioned: { id: '29:adele-in-teams', name: 'Adele Vance', aadObjectId: adele } }],
    });
    await bot.app.sender.drainOnce();
    const rows = await bot.app.db.reader.outboxNotification.findMany({ where: { recipientUserId: adele } });
    expect(rows.map((n) => [n.sentAt, n.nextAttemptAt, n.lastError?.slice(0, 36)])).toEqual([[null, null, 'could not start a 1:1 chat with them']]);
    expect(bot.connector.created).toEqual([]);
  });
});

describe('reaching someone Teams won’t start a chat with: the app installed for them through Microsoft Graph', () => {
  let bot: BotHarness;
  let graph: GraphStandIn;
  beforeEach(async () => {
    graph = await new GraphStandIn().start();
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0', ...graph.botEnv });
    await bot.app.db.writeSql.execute(Prisma.sql`DELETE FROM "OutboxNotification"`);
    // Adele has neither the app nor a team with the bot: Teams refuses to start a chat with her.
    bot.connector.unreachable.add(DEMO_USERS.adele.id);
  });
  afterEach(async () => {
    await bot.close();
    await graph.stop();
  });

  const toAdele = () => bot.app.db.reader.outboxNotification.findMany({ where: { recipientUserId: DEMO_USERS.adele.id } });

  test('never seen in Teams, but Teams accepts to start the chat with her Entra id (the app is installed for her): delivered there once, no install needed', async () => {
    graph.tenant(DEMO_TENANT_ID, asGraphUsers(Object.values(DEMO_USERS)));
    bot.connector.unreachable.delete(DEMO_USERS.adele.id);
    await bot.say('megan', 'assign Power BI Pro to Adele Vance');
    await bot.app.sender.drainOnce();
    expect(bot.connector.createRequests).toEqual([{ memberIds: [DEMO_USERS.adele.id], tenantId: DEMO_TENANT_ID }]);
    const [chat] = bot.connector.created;
    const sent = bot.connector.recorded.filter((r) => r.conversationId === chat.conversationId);
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0].activity)).toMatch(/Power BI Pro/);
    expect(graph.requests.filter((r) => r.path.includes('installedApps'))).toEqual([]);
    await bot.app.sender.drainOnce();
    expect(bot.connector.recorded.filter((r) => r.conversationId === chat.conversationId)).toHaveLength(1);
  });

  test('installed for her (with her organization’s token), the license notice reaches her new chat once; nothing again after a restart', async () => {
    graph.tenant(DEMO_TENANT_ID, asGraphUsers(Object.values(DEMO_USERS)));
    await bot.say('megan', 'assign Power BI Pro to Adele Vance');
    await bot.app.sender.drainOnce();
    const chat = `19:${DEMO_USERS.adele.id}_bot@unq.gbl.spaces`;
    const sent = bot.connector.recorded.filter((r) => r.conversationId === chat);
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0].activity)).toMatch(/Power BI Pro/);
    expect(graph.tenants.get(DEMO_TENANT_ID)!.installed).toEqual(new Set([DEMO_USERS.adele.id]));
    expect(new Set(graph.requests.map((r) => r.tenantId))).toEqual(new Set([DEMO_TENANT_ID]));
    expect((await toAdele()).map((n) => [Boolean(n.sentAt), n.lastError])).toEqual([[true, null]]);
    expect(await bot.app.conversations.get(DEMO_TENANT_ID, userKey(DEMO_USERS.adele.id))).toMatchObject({ conversation: { id: chat } });
    await bot.app.sender.drainOnce();
    expect(bot.connector.recorded.filter((r) => r.conversationId === chat)).toHaveLength(1);
  });

  test('without the admin’s consent (Graph 403), nothing is sent and the row gives both reasons; the turn was answered', async () => {
    graph.tenant(DEMO_TENANT_ID, asGraphUsers(Object.values(DEMO_USERS)), { consent: false });
    const r = await bot.say('megan', 'assign Power BI Pro to Adele Vance');
    expect(r.status).toBe(200);
    expect(r.replies.join(' ')).toMatch(/Adele Vance/);
    await bot.app.sender.drainOnce();
    const [row] = await toAdele();
    expect(row).toMatchObject({ sentAt: null, nextAttemptAt: null });
    expect(row.lastError).toMatch(/^could not start a 1:1 chat with them: 403: .*; installing the app for them through Microsoft Graph failed: 403: Missing role permissions/);
    expect(bot.connector.recorded.filter((x) => x.conversationId.startsWith('19:'))).toEqual([]);
    // The admin audit says who was not told what, and why, about the subscription; its admin card shows it.
    const subscriptionId = (JSON.parse(row.data) as { subscriptionId: string }).subscriptionId;
    const audit = await bot.app.db.reader.auditEntry.findMany({ where: { action: 'notification.undelivered' } });
    expect(audit).toEqual([expect.objectContaining({ targetType: 'subscription', targetId: subscriptionId, actorId: 'system' })]);
    expect(audit[0].summary).toMatch(/^Adele Vance was not told ".*Power BI Pro.*": could not start a 1:1 chat with them: 403/);
    const card = await bot.invoke('alex', 'purchase.show', { subscriptionId }, 'channel');
    expect(card.text).toMatch(/Adele Vance was not told/);
    // Purchasers don't see the admin trail.
    expect((await bot.invoke('megan', 'subscription.show', { subscriptionId })).text).not.toMatch(/was not told/);
    // Given up for good: after a restart (a new app on the same database), its sender sends nothing and asks nobody again.
    const asked = graph.requests.length;
    const sent = bot.connector.recorded.length;
    const restarted = await startApp(bot.config, pino({ level: 'silent' }));
    try {
      expect(await restarted.sender.drainOnce()).toEqual({ sent: 0, failed: 0 });
    } finally {
      await restarted.stop();
    }
    expect(graph.requests.length).toBe(asked);
    expect(bot.connector.recorded.length).toBe(sent);
    expect(bot.connector.createRequests).toHaveLength(1);
    expect(await bot.app.db.reader.auditEntry.count({ where: { action: 'notification.undelivered' } })).toBe(1);
  });

  test('Graph throttling past its retries leaves the row to be retried later, not failed for good', async () => {
    graph.tenant(DEMO_TENANT_ID, asGraphUsers(Object.values(DEMO_USERS)));
    graph.throttleNext = 100;
    await bot.say('megan', 'assign Power BI Pro to Adele Vance');
    await bot.app.sender.drainOnce();
    const [row] = await toAdele();
    expect(row.sentAt).toBeNull();
    expect(row.nextAttemptAt).not.toBeNull();
    expect(row.lastError).toMatch(/Microsoft Graph failed: 429/);
  }, 30_000);

  test('Graph not answering at all leaves the row to be retried later with the reason; the turn was answered', async () => {
    graph.tenant(DEMO_TENANT_ID, asGraphUsers(Object.values(DEMO_USERS)));
    const r = await bot.say('megan', 'assign Power BI Pro to Adele Vance');
    expect(r.replies.join(' ')).toMatch(/Adele Vance/);
    await graph.stop();
    await bot.app.sender.drainOnce();
    const [row] = await toAdele();
    expect(row).toMatchObject({ sentAt: null, nextAttemptAt: expect.any(Date) });
    expect(row.lastError).toMatch(/installing the app for them through Microsoft Graph failed: error: Microsoft Graph did not answer/);
    expect(await bot.app.db.reader.auditEntry.count({ where: { action: 'notification.undelivered' } })).toBe(0);
    graph = await new GraphStandIn().start(); // for afterEach
  }, 30_000);

  test('someone Graph does not know (404) fails for good with the reason, and the admin trail names them', async () => {
    // Without User.Read.All (the install permission only): the directory is not read whole, so
    // nothing marks her as having left before the notification tries to reach her.
    graph.tenant(
      DEMO_TENANT_ID,
      asGraphUsers(Object.values(DEMO_USERS)).filter((u) => u.id !== DEMO_USERS.adele.id),
      { directory: false },
    );
    await bot.say('megan', 'assign Power BI Pro to Adele Vance');
    await bot.app.sender.drainOnce();
    const [row] = await toAdele();
    expect(row).toMatchObject({ sentAt: null, nextAttemptAt: null });
    expect(row.lastError).toMatch(/Microsoft Graph failed: 404/);
    const [entry] = await bot.app.db.reader.auditEntry.findMany({ where: { action: 'notification.undelivered' } });
    expect(entry.summary).toMatch(/^Adele Vance was not told/);
  });
});
