import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pino from 'pino';
import { Prisma } from '../../prisma/generated/client';
import { startBot, type BotHarness } from '../bot/harness';
import { DEMO_TENANT_ID } from '../../prisma/seed-demo';
import { IN_DOUBT, PrismaOutboxQueue, WAITING_FOR_CHAT } from '../../prisma/outbox-queue';
import { DEMO_USERS } from '../../prisma/seed-demo';
import { UNDELIVERED_ACTION } from '../../domain/shared/effects';
import { DEFAULT_SENDER_OPTIONS, OutboxSender, type SenderOptions } from '../../bot/outbox-sender';
import { userKey } from '../../bot/conversations';
import type { NotificationIntent } from '../../domain/model';

/**
 * Delivery guarantees of the outbox sender over a real SQLite file and the real adapter, with the
 * loopback connector stand-in counting what arrives (it never deduplicates).
 */

const T = DEMO_TENANT_ID;
const person = (i: number) => `person-${i}`;

/** A sender with a clock the test moves; sleeping advances it (and may run `onSleep` first). */
const senderFor = (
  bot: BotHarness,
  clock: { t: number },
  options: Partial<SenderOptions> = {},
  onSleep?: (ms: number) => Promise<void>,
  installer?: { chatWith(tenantId: string, userId: string): Promise<string> },
) =>
  new OutboxSender(
    {
      installer,
      queue: new PrismaOutboxQueue(bot.app.db),
      conversations: bot.app.conversations,
      adapter: bot.app.adapter,
      appId: '',
      logger: pino({ level: 'silent' }),
      newId: randomUUID,
      adminsOf: async () => [],
      now: () => clock.t,
      sleep: async (ms) => {
        await onSleep?.(ms);
        clock.t += ms;
      },
    },
    { ...DEFAULT_SENDER_OPTIONS, ...options },
  );

/** n people who have talked to the bot (a stored reference to `serviceUrl`), and one notification each, or `perPerson` to person 0. */
const seed = async (bot: BotHarness, opts: { people?: number; perPerson?: number; serviceUrl?: string } = {}) => {
  const serviceUrl = opts.serviceUrl ?? bot.connector.url;
  const people = opts.people ?? 1;
  for (let i = 0; i < people; i++) {
    await bot.app.conversations.save(T, userKey(person(i)), {
      channelId: 'msteams',
      serviceUrl,
      conversation: { id: `a:chat-${i}`, conversationType: 'personal', tenantId: T } as never,
      user: { id: `29:${person(i)}`, name: `Person ${i}` },
      bot: { id: '28:bot', name: 'Purchases' },
    });
  }
  const ids: string[] = [];
  const rows: NotificationIntent[] = [];
  for (let i = 0; i < people; i++) {
    for (let k = 0; k < (opts.perPerson ?? 1); k++) {
      const id = `n-${i}-${String(k).padStart(3, '0')}`;
      ids.push(id);
      rows.push({
        id,
        tenantId: T,
        recipient: { kind: 'user' as const, userId: person(i) },
        kind: 'TrialEnded' as const,
        data: { subscriptionId: `sub-${i}`, productId: 'CFQ7TTC0HD33', productName: `Product ${i}.${k}` },
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, k)),
      });
    }
  }
  await bot.app.deps.uow.run((r) => r.outbox.add(rows));
  return ids;
};

const received = (bot: BotHarness) => {
  const counts = new Map<string, number>();
  for (const r of bot.connector.recorded) {
    const id = (r.activity.channelData as { notificationId?: string } | undefined)?.notificationId;
    if (id?.startsWith('n-')) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
};

const row = (bot: BotHarness, id: string) => bot.app.db.reader.outboxNotification.findUniqueOrThrow({ where: { id } });

describe('outbox delivery', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
    // The demo seed's own notifications (to people with no chat here) are out of the way.
    await bot.app.db.writeSql.execute(Prisma.sql`DELETE FROM "OutboxNotification"`);
  });
  afterEach(() => bot.close());

  test('a delivered row records when and the id Teams gave it; a second drain sends nothing', async () => {
    const [id] = await seed(bot);
    const clock = { t: Date.now() };
    const sender = senderFor(bot, clock);
    expect(await sender.drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(await row(bot, id)).toMatchObject({
      sentAt: expect.any(Date),
      sendingAt: expect.any(Date),
      activityId: expect.stringMatching(/^activity-/),
      claimToken: null,
      lastError: null,
    });
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0 });
    expect(received(bot).get(id)).toBe(1);
  });

  test('a sender that died mid-send (begun, no outcome): the row is held IN_DOUBT after the lease, never sent again', async () => {
    const [id] = await seed(bot);
    const clock = { t: Date.now() };
    const queue = new PrismaOutboxQueue(bot.app.db);
    const [claimed] = await queue.claim(new Date(clock.t), 10, DEFAULT_SENDER_OPTIONS.leaseMs, 8);
    expect(await queue.beginSend(claimed, new Date(clock.t), DEFAULT_SENDER_OPTIONS.leaseMs)).toBe(true);
    // ...and the process is killed here, the message perhaps on its way to Teams.
    const restarted = senderFor(bot, clock);
    expect(await restarted.drainOnce()).toEqual({ sent: 0, failed: 0 }); // still within the lease: not even in doubt yet
    clock.t += DEFAULT_SENDER_OPTIONS.leaseMs + 1;
    expect(await restarted.drainOnce()).toEqual({ sent: 0, failed: 0 });
    const held = await row(bot, id);
    expect(held).toMatchObject({ sentAt: null, nextAttemptAt: null, attempts: 8, claimToken: null, sendingAt: expect.any(Date) });
    expect(held.lastError).toMatch(new RegExp(`^${IN_DOUBT}: the sender stopped while this message was being sent`));
    expect((await queue.inDoubt(T)).map((r) => r.id)).toEqual([id]);
    clock.t += 24 * 3_600_000;
    await restarted.drainOnce();
    expect(received(bot).get(id)).toBeUndefined();
  });

  test("with inDoubt: 'resend' the same row is sent again after the lease (at least once)", async () => {
    const [id] = await seed(bot);
    const clock = { t: Date.now() };
    const queue = new PrismaOutboxQueue(bot.app.db);
    const [claimed] = await queue.claim(new Date(clock.t), 10, DEFAULT_SENDER_OPTIONS.leaseMs, 8);
    await queue.beginSend(claimed, new Date(clock.t), DEFAULT_SENDER_OPTIONS.leaseMs);
    clock.t += DEFAULT_SENDER_OPTIONS.leaseMs + 1;
    const restarted = senderFor(bot, clock, { inDoubt: 'resend' });
    expect(await restarted.drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(received(bot).get(id)).toBe(1);
    expect(await row(bot, id)).toMatchObject({ sentAt: expect.any(Date), attempts: 2, lastError: null });
    expect(await queue.inDoubt()).toEqual([]);
  });

  test('a sender that died after claiming but before sending: sent once after the lease, not in doubt', async () => {
    const ids = await seed(bot, { people: 3 });
    const clock = { t: Date.now() };
    const queue = new PrismaOutboxQueue(bot.app.db);
    expect(await queue.claim(new Date(clock.t), 10, DEFAULT_SENDER_OPTIONS.leaseMs, 8)).toHaveLength(3);
    const restarted = senderFor(bot, clock);
    expect((await restarted.drainOnce()).sent).toBe(0);
    clock.t += DEFAULT_SENDER_OPTIONS.leaseMs + 1;
    expect((await restarted.drainOnce()).sent).toBe(3);
    expect(ids.map((id) => received(bot).get(id))).toEqual([1, 1, 1]);
    expect(await queue.inDoubt()).toEqual([]);
  });

  test('two live senders: a batch that outlives its lease is not sent twice when another sender claims its rows', async () => {
    // 20 messages to one person go out at 8 per 2 s, so the first sender's batch takes about 4 s; its lease is 1 s.
    const ids = await seed(bot, { perPerson: 20 });
    const clock = { t: Date.now() };
    let second: Promise<{ sent: number; failed: number }> | null = null;
    const secondSender = senderFor(bot, clock, { leaseMs: 60_000 });
    const first = senderFor(bot, clock, { leaseMs: 1_000 }, async () => {
      // The first time the first sender waits for the rate limit, its lease runs out and the second sender drains.
      if (!second) {
        clock.t += 1_001;
        second = secondSender.drainOnce();
        await second;
      }
    });
    const a = await first.drainOnce();
    const b = await second!;
    const counts = received(bot);
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]); // every message exactly once
    expect(a.sent + b.sent).toBe(20);
    expect(a.sent).toBeGreaterThan(0);
    expect(b.sent).toBeGreaterThan(0);
    // And in order, per conversation: the first sender's messages, then the second's.
    const order = bot.connector.recorded.map((r) => (r.activity.channelData as { notificationId?: string } | undefined)?.notificationId).filter((id) => id?.startsWith('n-'));
    expect(order).toEqual(ids);
  });

  test('a request that would leave long after its send was begun (the process stalled), once another instance holds the tenant: it does not leave; the row goes back, unsent, not in doubt', async () => {
    const [id] = await seed(bot);
    const clock = { t: Date.now() };
    // Another instance took the tenant over while this one stalled (PostgreSQL would say so: holdsTenant).
    let asked = 0;
    class TakenOver extends PrismaOutboxQueue {
      override async beginSend(...args: Parameters<PrismaOutboxQueue['beginSend']>) {
        const begun = await super.beginSend(...args);
        clock.t += 20_000; // stalled between beginning the send and its request leaving
        return begun;
      }
      override async holdsTenant() {
        asked++;
        return false;
      }
    }
    const deps = {
      conversations: bot.app.conversations,
      adapter: bot.app.adapter,
      appId: '',
      logger: pino({ level: 'silent' }),
      newId: randomUUID,
      adminsOf: async () => [],
      now: () => clock.t,
      sleep: async (ms: number) => {
        clock.t += ms;
      },
    };
    const sender = new OutboxSender({ ...deps, queue: new TakenOver(bot.app.db) }, DEFAULT_SENDER_OPTIONS);
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0 });
    expect(asked).toBe(1);
    expect(received(bot).get(id)).toBeUndefined();
    const stored = await row(bot, id);
    expect(stored).toMatchObject({ sentAt: null, sendingAt: null, claimToken: null, lastError: 'not sent: another sender holds the tenant now' });
    expect(stored.nextAttemptAt!.getTime()).toBeLessThanOrEqual(clock.t);
    // The holder sends it, once; a request that leaves right after its send began asks nothing.
    let holderAsked = 0;
    class Holding extends PrismaOutboxQueue {
      override async holdsTenant(tenantId: string, now: Date) {
        holderAsked++;
        return super.holdsTenant(tenantId, now);
      }
    }
    const holder = new OutboxSender({ ...deps, queue: new Holding(bot.app.db) }, DEFAULT_SENDER_OPTIONS);
    expect(await holder.drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(received(bot).get(id)).toBe(1);
    expect(holderAsked).toBe(0);
  });

  test('stop(): the send in flight finishes and is recorded; claimed rows not sent are given back at once, the claim not counted', async () => {
    const ids = await seed(bot, { perPerson: 20 });
    const clock = { t: Date.now() };
    let stopping: Promise<void> | null = null;
    const sender = senderFor(bot, clock, {}, async () => {
      stopping ??= sender.stop();
    });
    const result = await sender.drainOnce();
    await stopping;
    // What went out before the first rate-limit wait, during which it was stopped.
    expect(result.sent).toBeGreaterThanOrEqual(1);
    expect(result.sent).toBeLessThan(20);
    const rest = await bot.app.db.reader.outboxNotification.findMany({ where: { id: { in: ids }, sentAt: null } });
    expect(rest).toHaveLength(20 - result.sent);
    for (const r of rest) expect(r).toMatchObject({ attempts: 0, claimToken: null, sendingAt: null, lastError: null });
    for (const r of rest) expect(r.nextAttemptAt!.getTime()).toBeLessThanOrEqual(clock.t);
    const next = senderFor(bot, clock); // no lease to wait for
    expect((await next.drainOnce()).sent).toBe(20 - result.sent);
    expect(ids.filter((id) => received(bot).get(id) !== 1)).toEqual([]);
  });

  test('no HTTP answer after the request was sent (connection reset): in doubt, held, not retried by the sender', async () => {
    // A connector that reads the whole request, then drops the connection without answering.
    const arrived: string[] = [];
    const dropping = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        arrived.push((JSON.parse(body || '{}') as { channelData?: { notificationId?: string } }).channelData?.notificationId ?? '');
        res.socket?.destroy();
      });
    });
    await new Promise<void>((r) => dropping.listen(0, '127.0.0.1', () => r()));
    try {
      const [id] = await seed(bot, { serviceUrl: `http://127.0.0.1:${(dropping.address() as { port: number }).port}/` });
      const clock = { t: Date.now() };
      const sender = senderFor(bot, clock);
      expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 1 });
      const held = await row(bot, id);
      expect(held).toMatchObject({ sentAt: null, nextAttemptAt: null, attempts: 8, sendingAt: expect.any(Date) });
      expect(held.lastError).toMatch(new RegExp(`^${IN_DOUBT}: no answer from the connector`));
      // Once: botbuilder's retry policy (which repeats a request after ECONNRESET) is kept from repeating it...
      expect(arrived).toEqual([id]);
      clock.t += 24 * 3_600_000;
      await sender.drainOnce();
      expect(arrived).toEqual([id]); // ...and so is the sender
    } finally {
      dropping.closeAllConnections();
      await new Promise((r) => dropping.close(() => r(undefined)));
    }
  });

  test('connection refused (nothing sent): an ordinary failure, retried later', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(() => r(undefined)));
    const [id] = await seed(bot, { serviceUrl: `http://127.0.0.1:${port}/` });
    const clock = { t: Date.now() };
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 0, failed: 1 });
    const failed = await row(bot, id);
    expect(failed).toMatchObject({ sentAt: null, sendingAt: null, claimToken: null, attempts: 1 });
    expect(failed.nextAttemptAt!.getTime()).toBeGreaterThan(clock.t);
    expect(failed.lastError).not.toMatch(IN_DOUBT);
  }, 60_000);

  test('a held row does not hold up the others', async () => {
    const ids = await seed(bot, { people: 3 });
    const clock = { t: Date.now() };
    const queue = new PrismaOutboxQueue(bot.app.db);
    const claimed = await queue.claim(new Date(clock.t), 1, DEFAULT_SENDER_OPTIONS.leaseMs, 8);
    await queue.beginSend(claimed[0], new Date(clock.t), DEFAULT_SENDER_OPTIONS.leaseMs);
    clock.t += DEFAULT_SENDER_OPTIONS.leaseMs + 1;
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 2, failed: 0 });
    expect(ids.map((id) => received(bot).get(id) ?? 0)).toEqual([0, 1, 1]);
  });
});

describe('outbox delivery to someone who never opened a chat with the bot', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
    await bot.app.db.writeSql.execute(Prisma.sql`DELETE FROM "OutboxNotification"`);
    await bot.app.db.writeSql.execute(Prisma.sql`DELETE FROM "TeamsAccount"`);
  });
  afterEach(() => bot.close());

  /** `count` notifications to `userId`, who has no conversation stored, written at `written` (now). */
  const notify = async (userId: string, count = 1, from = 0, written = Date.now()) => {
    const ids = Array.from({ length: count }, (_, k) => `n-${userId}-${from + k}`);
    await bot.app.deps.uow.run((r) =>
      r.outbox.add(
        ids.map((id, k) => ({
          id,
          tenantId: T,
          recipient: { kind: 'user' as const, userId },
          kind: 'LicenseAssigned' as const,
          data: { subscriptionId: 'sub-x', productId: 'CFQ7TTC0HD33', productName: `Product ${k}`, assignedBy: 'Megan Bowen' },
          createdAt: new Date(written + k),
        })),
      ),
    );
    return ids;
  };
  /** Someone of the tenant used the bot: their service URL is the tenant's. */
  const tenantSeen = () => bot.app.conversations.saveAccount(T, 'someone-else', { teamsUserId: '29:someone-else', serviceUrl: bot.connector.url });

  test('their first message starts the chat (create-conversation with their Teams user id), is delivered once, and the chat is kept for the next ones', async () => {
    await bot.app.conversations.saveAccount(T, 'newcomer', { teamsUserId: '29:newcomer', serviceUrl: bot.connector.url });
    const ids = await notify('newcomer', 3);
    const clock = { t: Date.now() };
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 3, failed: 0 });
    expect(bot.connector.createRequests).toEqual([{ memberIds: ['29:newcomer'], tenantId: T }]); // once, for the three
    const [chat] = bot.connector.created;
    expect(ids.map((id) => received(bot).get(id))).toEqual([1, 1, 1]);
    expect(
      bot.connector.recorded
        .filter((r) => r.activity.channelData && (r.activity.channelData as { notificationId?: string }).notificationId?.startsWith('n-newcomer'))
        .map((r) => r.conversationId),
    ).toEqual([chat.conversationId, chat.conversationId, chat.conversationId]);
    expect(await bot.app.conversations.get(T, userKey('newcomer'))).toMatchObject({ conversation: { id: chat.conversationId }, serviceUrl: bot.connector.url });
    // A new sender (a restart, another instance) sends nothing again, and the next message goes to the stored chat.
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 0, failed: 0 });
    await notify('newcomer', 1, 3);
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(bot.connector.createRequests).toHaveLength(1);
    expect(received(bot).get('n-newcomer-3')).toBe(1);
    for (const id of [...ids, 'n-newcomer-3']) expect(await row(bot, id)).toMatchObject({ sentAt: expect.any(Date), lastError: null });
  });

  test("starting a chat counts in the tenant's rate window as a request of its own (Teams limits every request of the app in a tenant)", async () => {
    for (let i = 0; i < 30; i++) {
      await bot.app.conversations.saveAccount(T, `stranger-${i}`, { teamsUserId: `29:stranger-${i}`, serviceUrl: bot.connector.url });
      await notify(`stranger-${i}`);
    }
    const clock = { t: Date.now() };
    const start = clock.t;
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 30, failed: 0 });
    expect(bot.connector.createRequests).toHaveLength(30);
    // 60 requests at 50 a second, evenly spaced (20 ms): 1.2 s of the sender's clock; 30 would be 0.6 s.
    expect(clock.t - start).toBeGreaterThanOrEqual(1_150);
  });

  test('known only by their Entra object id (never seen in Teams): with Graph to fall back on, the chat is started with it, on the service URL of their organization; without, it waits', async () => {
    await tenantSeen();
    const [id] = await notify('stranger');
    const clock = { t: Date.now() };
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 0, failed: 1 });
    expect((await row(bot, id)).lastError).toMatch(/^no conversation with this person yet: Teams has not shown them to the bot/);
    expect(bot.connector.createRequests).toEqual([]);
    clock.t += 24 * 3_600_000;
    // Teams accepts here, so the installer is never asked.
    const installer = { chatWith: () => Promise.reject(new Error('not expected')) };
    expect(await senderFor(bot, clock, {}, undefined, installer).drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(bot.connector.createRequests).toEqual([{ memberIds: ['stranger'], tenantId: T }]);
    expect(received(bot).get(id)).toBe(1);
  });

  test('Teams refuses to start the chat (403: the app is not installed for them): the row fails with that reason, is not retried, nothing is sent', async () => {
    await bot.app.conversations.saveAccount(T, 'unreachable', { teamsUserId: '29:unreachable', serviceUrl: bot.connector.url });
    bot.connector.unreachable.add('29:unreachable');
    const [id] = await notify('unreachable');
    const clock = { t: Date.now() };
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 0, failed: 1 });
    const failed = await row(bot, id);
    expect(failed).toMatchObject({ sentAt: null, sendingAt: null, nextAttemptAt: null, claimToken: null });
    expect(failed.lastError).toMatch(/^could not start a 1:1 chat with them: 403: /);
    expect(received(bot).get(id)).toBeUndefined();
    expect(await bot.app.conversations.get(T, userKey('unreachable'))).toBeNull();
    clock.t += 24 * 3_600_000;
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 0, failed: 0 });
  });

  test('nobody of their organization has used the bot yet (no service URL): the row waits, retried later, and says why', async () => {
    await bot.app.db.writeSql.execute(Prisma.sql`DELETE FROM "TeamsAccount"`);
    const [id] = await notify('early');
    const clock = { t: Date.now() };
    const installer = { chatWith: () => Promise.reject(new Error('not expected')) };
    expect(await senderFor(bot, clock, {}, undefined, installer).drainOnce()).toEqual({ sent: 0, failed: 1 });
    const waiting = await row(bot, id);
    expect(waiting.lastError).toBe('no conversation with this person yet, and no Teams traffic from their organization to start one on');
    expect(bot.connector.createRequests).toEqual([]);
    expect(waiting.nextAttemptAt!.getTime()).toBeGreaterThan(clock.t);
    expect(bot.connector.createRequests).toEqual([]);
  });

  test('waiting for their first message uses up no attempts (days of drains), and the message goes right after it, once', async () => {
    const [id] = await notify(DEMO_USERS.megan.id);
    const clock = { t: Date.now() };
    const sender = senderFor(bot, clock);
    for (let hour = 0; hour < 72; hour++) {
      clock.t += 3_600_000;
      await sender.drainOnce();
    }
    // Once more past any wait (at most an hour and a fifth with its jitter): tried at clock.t.
    clock.t += 2 * 3_600_000;
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 1 });
    const waiting = await row(bot, id);
    expect(waiting).toMatchObject({ sentAt: null, sendingAt: null, claimToken: null, attempts: 0 });
    expect(waiting.lastError!.startsWith(WAITING_FOR_CHAT)).toBe(true);
    // Waits grow with the time waited, at most an hour: not claimed again every few seconds.
    expect(waiting.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(clock.t + 0.8 * 3_600_000);
    expect(waiting.nextAttemptAt!.getTime()).toBeLessThanOrEqual(clock.t + 1.2 * 3_600_000);
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0 });
    // Megan writes to the bot for the first time: her chat is stored, and what waited for it is due now.
    await bot.say('megan', 'help');
    expect((await row(bot, id)).nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await sender.drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(received(bot).get(id)).toBe(1);
    clock.t += 24 * 3_600_000;
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0 });
    expect(received(bot).get(id)).toBe(1);
  });

  test('Teams showing them (an @mention: their Teams account stored) makes what waited due at once: the chat is started', async () => {
    await tenantSeen();
    const [id] = await notify('mentioned');
    const clock = { t: Date.now() };
    const sender = senderFor(bot, clock);
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 1 });
    expect((await row(bot, id)).nextAttemptAt!.getTime()).toBeGreaterThan(clock.t);
    await bot.app.conversations.saveAccount(T, 'mentioned', { teamsUserId: '29:mentioned', serviceUrl: bot.connector.url }, { keepExisting: true });
    expect((await row(bot, id)).nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());
    clock.t = Date.now();
    expect(await sender.drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(bot.connector.createRequests).toEqual([{ memberIds: ['29:mentioned'], tenantId: T }]);
  });

  test('given up a week after its first wait (waitForChatMs): failed with why, and the admin audit says who was not told what', async () => {
    // Written a month before it is first tried (a sender down, the demo's back-dated purchase): it still gets its week.
    const written = Date.now() - 30 * 24 * 3_600_000;
    const [id] = await notify('never-seen', 1, 0, written);
    const clock = { t: Date.now() };
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 0, failed: 1 });
    const waiting = await row(bot, id);
    expect(waiting).toMatchObject({ attempts: 0, waitingSince: new Date(clock.t) });
    clock.t += DEFAULT_SENDER_OPTIONS.waitForChatMs - 60_000;
    await bot.app.db.writeSql.execute(Prisma.sql`UPDATE "OutboxNotification" SET "nextAttemptAt" = NULL WHERE "id" = ${id}`);
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 0, failed: 1 });
    expect(await row(bot, id)).toMatchObject({ attempts: 0, waitingSince: waiting.waitingSince });
    clock.t += 2 * 60_000;
    await bot.app.db.writeSql.execute(Prisma.sql`UPDATE "OutboxNotification" SET "nextAttemptAt" = NULL WHERE "id" = ${id}`);
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 0, failed: 1 });
    const failed = await row(bot, id);
    expect(failed).toMatchObject({ sentAt: null, nextAttemptAt: null, attempts: DEFAULT_SENDER_OPTIONS.maxAttempts });
    expect(failed.lastError!.startsWith(WAITING_FOR_CHAT)).toBe(true);
    const audit = await bot.app.db.reader.auditEntry.findMany({ where: { action: UNDELIVERED_ACTION, targetId: 'sub-x' } });
    expect(audit).toHaveLength(1);
    expect(audit[0].summary).toMatch(/was not told "🎉 Megan Bowen gave you a Product 0 license\.?"/);
    clock.t += 30 * 24 * 3_600_000;
    expect(await senderFor(bot, clock).drainOnce()).toEqual({ sent: 0, failed: 0 });
  });
});
