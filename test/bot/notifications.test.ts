import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { actionOf, activityText, cardOf, startBot, type BotHarness } from './harness';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { PrismaOutboxQueue } from '../../prisma/outbox-queue';
import { OutboxSender, DEFAULT_SENDER_OPTIONS, type SenderDeps } from '../../bot/outbox-sender';
import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { takeOverCancel } from '../../domain/takeover/take-over-cancel';
import { RateLimiter, TEAMS_CONVERSATION_WINDOWS } from '../../bot/rate-limiter';
import { notifiedAdminIds } from '../../domain/roles/manage-roles';

const megan = { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.megan.id, surface: 'chat' as const };
const alex = { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.alex.id, surface: 'card' as const };

/** A sender over the harness's app with a clock the test moves; sleeping advances it. */
const senderFor = (bot: BotHarness, clock = { t: Date.now() }, overrides: Partial<SenderDeps> = {}) =>
  new OutboxSender(
    {
      queue: new PrismaOutboxQueue(bot.app.db),
      conversations: bot.app.conversations,
      adapter: bot.app.adapter,
      appId: '',
      logger: pino({ level: 'silent' }),
      newId: randomUUID,
      adminsOf: (tenantId) => notifiedAdminIds(bot.app.deps, tenantId),
      now: () => clock.t,
      sleep: async (ms) => {
        clock.t += ms;
      },
      ...overrides,
    },
    DEFAULT_SENDER_OPTIONS,
  );

const buyAsMegan = async (bot: BotHarness, quantity = 2) => {
  const token = bot.app.payments.tokenize({ number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' }).token;
  const r = await buySubscription(bot.app.deps, megan, { productId: 'CFQ7TTC0LH2H', quantity, cardToken: token });
  if (r.status !== 'created') throw new Error('expected a purchase');
  return r.subscription;
};

/** Until nothing is due: the demo seed's notifications (reached through first contact once the tenant has traffic), the per-admin rows an admin notification expands into. */
const drainAll = async (sender: OutboxSender) => {
  for (let i = 0; i < 10; i++) {
    const { sent, failed } = await sender.drainOnce();
    if (sent + failed === 0) return;
  }
};

describe('outbox sender', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  });
  afterEach(() => bot.close());

  test('a new purchase posts to the admin channel once; a second drain sends nothing', async () => {
    await bot.sayInChannel('alex', 'use this channel');
    const sender = senderFor(bot);
    await drainAll(sender);
    const channelSends = () => bot.connector.recorded.filter((r) => r.conversationId === '19:admins@thread.tacv2');
    const before = channelSends().length;
    const sub = await buyAsMegan(bot);
    const first = await sender.drainOnce();
    expect(first.sent).toBeGreaterThanOrEqual(1);
    const posted = channelSends().slice(before);
    expect(posted).toHaveLength(1);
    expect(activityText(posted[0].activity)).toMatch(/Megan Bowen\*\* bought \*\*Power Apps per user\*\* \(2 licenses, \$48\.00\)/);
    expect(posted[0].activity.channelData).toMatchObject({ notificationId: expect.any(String) });
    expect(await sender.drainOnce()).toEqual({ sent: 0, failed: 0 });
    expect(channelSends().slice(before)).toHaveLength(1);
    expect(sub.id).toBeTruthy();
  });

  test('the new-purchase card in the channel offers only Review until it refreshes; Review gives each reader what the domain allows them', async () => {
    await bot.sayInChannel('alex', 'use this channel');
    const sender = senderFor(bot);
    await drainAll(sender);
    const before = bot.connector.recorded.length;
    await buyAsMegan(bot);
    await sender.drainOnce();
    const posted = bot.connector.recorded.slice(before).find((r) => r.conversationId === '19:admins@thread.tacv2')!;
    const card = cardOf(posted.activity)!;
    const titles = JSON.stringify(card.actions ?? []);
    for (const title of ['Take over', 'Disable product', 'Acknowledge']) expect(actionOf(card, title)).toBeNull();
    expect(titles).toMatch(/"Review"/);
    // Alex as Teams knows him in activities (his from.id), the form Microsoft's samples list.
    expect((card.refresh as { userIds: string[] }).userIds).toEqual([`29:${DEMO_USERS.alex.id}`]);
    const review = actionOf(card, 'Review')!;

    const admin = await bot.invoke('alex', review.verb, review.data, 'channel');
    for (const title of ['Take over', 'Disable product', 'Acknowledge']) expect(actionOf(admin.card, title)).not.toBeNull();
    const reader = await bot.invoke('isaiah', review.verb, review.data, 'channel');
    expect(reader.text).toMatch(/Megan Bowen/);
    for (const title of ['Take over', 'Disable product', 'Acknowledge']) expect(actionOf(reader.card, title)).toBeNull();
    const purchaser = await bot.invoke('megan', review.verb, review.data, 'channel');
    expect(purchaser.text).toMatch(/Only Global admins, Billing admins and Global readers can see this/);
    const member = await bot.invoke('patti', review.verb, review.data, 'channel');
    expect(member.text).toMatch(/couldn't find that subscription/);
    for (const r of [purchaser, member]) for (const title of ['Take over', 'Disable product', 'Acknowledge']) expect(actionOf(r.card, title)).toBeNull();
  });

  test('without an admin channel, admins are told in their own chats once they have one (readers are not)', async () => {
    const clock = { t: Date.now() };
    const sender = senderFor(bot, clock);
    await buyAsMegan(bot);
    await sender.drainOnce(); // expands "admins" into one row per admin; nobody has a chat yet
    await sender.drainOnce();
    const before = bot.connector.recorded.length;
    await bot.say('alex', 'help'); // Alex opens the chat: now reachable
    clock.t += 10 * 60_000;
    await sender.drainOnce();
    const sends = bot.connector.recorded.slice(before + 1);
    expect(sends.map((s) => activityText(s.activity)).join('\n')).toMatch(/Megan Bowen\*\* bought \*\*Power Apps per user/);
    const isaiahKey = await bot.app.conversations.get(DEMO_TENANT_ID, `user:${DEMO_USERS.isaiah.id}`);
    expect(isaiahKey).toBeNull();
    const expanded = await bot.app.db.reader.outboxNotification.findMany({ where: { kind: 'PurchaseCreated', recipientKind: 'user' } });
    expect(new Set(expanded.map((r) => r.recipientUserId))).toEqual(new Set([DEMO_USERS.alex.id]));
  });

  test('what waited for their first message goes to the chat it came from, even to a sender that runs while the turn stores them', async () => {
    // Megan has never written: the notice for her waits.
    const clock = { t: Date.now() };
    const sender = senderFor(bot, clock);
    await drainAll(sender);
    await bot.app.deps.uow.run((r) =>
      r.outbox.add([
        {
          id: 'first-message-notice',
          tenantId: DEMO_TENANT_ID,
          recipient: { kind: 'user', userId: DEMO_USERS.megan.id },
          kind: 'LicenseAssigned',
          data: { subscriptionId: 'sub-first', productId: 'CFQ7TTC0H9MP', productName: 'Power BI Pro', assignedBy: 'Alex' },
          createdAt: new Date(),
        },
      ]),
    );
    const noticeSends = () => bot.connector.recorded.filter((r) => (r.activity.channelData as { notificationId?: string } | undefined)?.notificationId === 'first-message-notice');
    await sender.drainOnce();
    expect(noticeSends()).toHaveLength(0);
    // Another instance's sender drains right after each thing the turn stores about her.
    const store = bot.app.conversations;
    const [save, saveAccount] = [store.save.bind(store), store.saveAccount.bind(store)];
    store.save = async (...args) => {
      await save(...args);
      clock.t = Date.now();
      await sender.drainOnce();
    };
    store.saveAccount = async (...args) => {
      await saveAccount(...args);
      clock.t = Date.now();
      await sender.drainOnce();
    };
    await bot.say('megan', 'help');
    const notice = noticeSends();
    expect(notice).toHaveLength(1);
    // In the chat she wrote from, not one the sender started for itself (create-conversation).
    expect(notice[0].conversationId).toMatch(/^a:personal-/);
    expect(bot.connector.createRequests).toEqual([]);
  });

  test('the purchaser is told when an admin takes over and cancels, with the reason', async () => {
    await bot.say('megan', 'help');
    const sub = await buyAsMegan(bot);
    const sender = senderFor(bot);
    await drainAll(sender);
    await takeOverCancel(bot.app.deps, alex, { subscriptionId: sub.id, reason: 'Security or compliance' });
    await sender.drainOnce();
    const toMegan = bot.connector.recorded.filter((r) => activityText(r.activity).includes('cancelled your'));
    expect(toMegan).toHaveLength(1);
    expect(activityText(toMegan[0].activity)).toMatch(/Alex Wilber cancelled your \*\*Power Apps per user\*\* subscription \(reason: Security or compliance\)/);
  });

  test('rate limits: 20 notifications to one person respect 7/s and 8/2s', async () => {
    await bot.say('megan', 'help');
    const clock = { t: Date.now() };
    const sender = senderFor(bot, clock);
    await drainAll(sender);
    await bot.app.deps.uow.run((r) =>
      r.outbox.add(
        Array.from({ length: 20 }, (_, i) => ({
          id: `rate-${String(i).padStart(2, '0')}`,
          tenantId: DEMO_TENANT_ID,
          recipient: { kind: 'user' as const, userId: DEMO_USERS.megan.id },
          kind: 'LicenseAssigned' as const,
          data: { subscriptionId: 'sub-rate', productId: 'CFQ7TTC0H9MP', productName: `Product ${i}`, assignedBy: 'Alex' },
          createdAt: new Date(),
        })),
      ),
    );
    const start = clock.t;
    expect((await sender.drainOnce()).sent).toBe(20);
    // 8 per any 2 s: messages 1–8 at 0 s, 9–16 from 2 s, 17–20 from 4 s.
    expect(clock.t - start).toBeGreaterThanOrEqual(4_000);
    expect(clock.t - start).toBeLessThan(4_500);
    const texts = bot.connector.recorded.filter((r) => activityText(r.activity).includes('gave you a **Product')).map((r) => activityText(r.activity));
    expect(texts).toEqual(Array.from({ length: 20 }, (_, i) => `🎉 Alex gave you a **Product ${i}** license.`));
  });

  test('the rate windows run on the monotonic clock: the wall clock stepped back an hour mid-drain changes nothing', async () => {
    await bot.say('megan', 'help');
    const wall = { t: Date.now() };
    const ticks = { t: 0 };
    let sleeps = 0;
    // Time sync steps the wall clock back an hour after the 4th sleep; the monotonic clock goes on.
    const sender = senderFor(bot, wall, {
      ticks: () => ticks.t,
      sleep: async (ms) => {
        ticks.t += ms;
        wall.t += ms;
        if (++sleeps === 4) wall.t -= 3_600_000;
      },
    });
    await drainAll(sender);
    await bot.app.deps.uow.run((r) =>
      r.outbox.add(
        Array.from({ length: 20 }, (_, i) => ({
          id: `step-${String(i).padStart(2, '0')}`,
          tenantId: DEMO_TENANT_ID,
          recipient: { kind: 'user' as const, userId: DEMO_USERS.megan.id },
          kind: 'LicenseAssigned' as const,
          data: { subscriptionId: 'sub-step', productId: 'CFQ7TTC0H9MP', productName: `Product ${i}`, assignedBy: 'Alex' },
          createdAt: new Date(wall.t - 3_600_000 * 2),
        })),
      ),
    );
    const times: number[] = [];
    const recorded = bot.connector.recorded.length;
    const start = ticks.t;
    for (let i = 0; i < 20 && times.length < 20; i++) {
      await sender.drainOnce();
      const sends = bot.connector.recorded.slice(recorded).filter((r) => activityText(r.activity).includes('gave you a **Product'));
      while (times.length < sends.length) times.push(ticks.t);
    }
    expect(times).toHaveLength(20);
    // 8 per any 2 s, on the monotonic clock: the step back did not let a burst through, nor stall the drain.
    expect(ticks.t - start).toBeGreaterThanOrEqual(4_000);
    expect(ticks.t - start).toBeLessThan(4_500);
    expect(sleeps).toBeGreaterThanOrEqual(4);
  });

  test('a person who blocked the bot (403) is not retried; the row keeps the reason', async () => {
    await bot.say('megan', 'help');
    const ref = await bot.app.conversations.get(DEMO_TENANT_ID, `user:${DEMO_USERS.megan.id}`);
    bot.connector.failing.set(ref!.conversation!.id!, 403);
    const sender = senderFor(bot);
    await bot.app.deps.uow.run((r) =>
      r.outbox.add([
        {
          id: 'blocked-1',
          tenantId: DEMO_TENANT_ID,
          recipient: { kind: 'user', userId: DEMO_USERS.megan.id },
          kind: 'TrialEnded',
          data: { subscriptionId: 'sub-x', productId: 'CFQ7TTC0HD33', productName: 'Visio' },
          createdAt: new Date(),
        },
      ]),
    );
    await sender.drainOnce();
    const row = await bot.app.db.reader.outboxNotification.findUnique({ where: { id: 'blocked-1' } });
    expect(row).toMatchObject({ sentAt: null, nextAttemptAt: null, attempts: DEFAULT_SENDER_OPTIONS.maxAttempts });
    expect(row!.lastError).toMatch(/^403/);
    await drainAll(sender);
    expect(await bot.app.db.reader.outboxNotification.findUnique({ where: { id: 'blocked-1' } })).toEqual(row);
    expect(
      bot.connector.recorded.filter((r) => r.conversationId === ref!.conversation!.id && (r.activity.channelData as { notificationId?: string })?.notificationId === 'blocked-1'),
    ).toEqual([]);
  });

  test('a sender that dies after claiming leaves its rows to be sent after the lease', async () => {
    await bot.say('megan', 'help');
    const clock = { t: Date.now() };
    const queue = new PrismaOutboxQueue(bot.app.db);
    await senderFor(bot, clock).drainOnce(); // the demo seed's own notifications (to admins: expanded, waiting)
    await senderFor(bot, clock).drainOnce();
    await bot.app.deps.uow.run((r) =>
      r.outbox.add([
        {
          id: 'orphan-1',
          tenantId: DEMO_TENANT_ID,
          recipient: { kind: 'user', userId: DEMO_USERS.megan.id },
          kind: 'TrialEnded',
          data: { subscriptionId: 'sub-y', productId: 'CFQ7TTC0HDB1', productName: 'Planner' },
          createdAt: new Date(),
        },
      ]),
    );
    expect(await queue.claim(new Date(clock.t), 10, DEFAULT_SENDER_OPTIONS.leaseMs, 8)).toHaveLength(1); // then "crashes"
    const restarted = senderFor(bot, clock);
    expect((await restarted.drainOnce()).sent).toBe(0); // still leased
    clock.t += DEFAULT_SENDER_OPTIONS.leaseMs + 1;
    expect((await restarted.drainOnce()).sent).toBe(1);
    expect(bot.connector.recorded.filter((r) => activityText(r.activity).includes('Planner'))).toHaveLength(1);
  });
});

describe('rate limiter', () => {
  test('Teams windows: the 8th message in a second waits; the 9th in two seconds waits for the window', () => {
    const l = new RateLimiter(TEAMS_CONVERSATION_WINDOWS);
    for (let i = 0; i < 7; i++) {
      expect(l.delay('c', 0)).toBe(0);
      l.record('c', 0);
    }
    expect(l.delay('c', 0)).toBe(1000);
    l.record('c', 1000);
    expect(l.delay('c', 1000)).toBe(1000); // 8 in 2 s reached
    expect(l.delay('other', 1000)).toBe(0);
  });
});

describe('refresh.userIds of the cards the bot sends', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  });
  afterEach(() => bot.close());

  test('list each admin by the Teams id their activities carry once seen, and by 8:orgid:<Entra id> before', async () => {
    const { cards } = await bot.sayInChannel('alex', 'purchases');
    const ids = (cards.find((c) => c?.refresh) as { refresh: { userIds: string[] } }).refresh.userIds;
    expect(ids).toContain(`29:${DEMO_USERS.alex.id}`);
    expect(ids).not.toContain(`8:orgid:${DEMO_USERS.alex.id}`);
    // Isaiah (a Global reader) never said anything to the bot: Teams' other user MRI form.
    expect(ids).toContain(`8:orgid:${DEMO_USERS.isaiah.id}`);
    await bot.say('isaiah', 'help');
    const again = await bot.sayInChannel('alex', 'purchases');
    expect((again.cards.find((c) => c?.refresh) as { refresh: { userIds: string[] } }).refresh.userIds).toContain(`29:${DEMO_USERS.isaiah.id}`);
  });
});
