/**
 * Child process of bench/outbox-bench.ts: the real OutboxSender, put together as bot/app.ts does
 * (Prisma queue and conversation store, the botbuilder adapter without an app id, Teams' limits),
 * running its production loop (`start`) until nothing deliverable is left, then `stop`.
 *
 *   OUTBOX_DB=/path/to.db node --import tsx bench/outbox-worker.ts
 *
 * Environment: OUTBOX_DB (SQLite file), LEASE_MS (default: the sender's, 60 s), IN_DOUBT (hold |
 * resend), INTERVAL_MS (polling, default 2000 as in production). Reports over IPC: `ready` when the
 * sender starts, `done` with its timings when the outbox is drained. It may be killed at any moment.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { openDatabase } from '../prisma/client';
import { PrismaOutboxQueue, type InDoubtPolicy } from '../prisma/outbox-queue';
import { PrismaConversationStore } from '../prisma/conversation-store';
import { loadConfig } from '../bot/config';
import { createAdapter } from '../bot/adapter';
import { DEFAULT_SENDER_OPTIONS, OutboxSender } from '../bot/outbox-sender';
import { TEAMS_CONVERSATION_WINDOWS } from '../bot/rate-limiter';

const main = async () => {
  const file = process.env.OUTBOX_DB;
  if (!file) throw new Error('OUTBOX_DB is required');
  const config = loadConfig({ NODE_ENV: 'development', DATABASE_URL: `file:${file}` });
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const db = await openDatabase(config.databaseUrl);
  const queue = new PrismaOutboxQueue(db);
  const sender = new OutboxSender(
    {
      queue,
      conversations: new PrismaConversationStore(db),
      adapter: createAdapter(config, logger),
      appId: config.bot.appId,
      logger,
      newId: randomUUID,
      adminsOf: async () => [],
    },
    {
      ...DEFAULT_SENDER_OPTIONS,
      perConversation: [{ limit: config.outbox.perConversationPerSecond, windowMs: 1_000 }, ...TEAMS_CONVERSATION_WINDOWS.slice(1)],
      perTenant: [{ limit: config.outbox.perTenantPerSecond, windowMs: 1_000 }],
      leaseMs: Number(process.env.LEASE_MS ?? DEFAULT_SENDER_OPTIONS.leaseMs),
      inDoubt: (process.env.IN_DOUBT ?? DEFAULT_SENDER_OPTIONS.inDoubt) as InDoubtPolicy,
    },
  );
  // Rows that can still be delivered: unsent and not given up (held in doubt or failed for good).
  const deliverable = () => db.reader.outboxNotification.count({ where: { sentAt: null, attempts: { lt: DEFAULT_SENDER_OPTIONS.maxAttempts } } });
  const t0 = performance.now();
  sender.start(Number(process.env.INTERVAL_MS ?? config.outbox.intervalMs));
  process.send?.({ type: 'ready' });
  while ((await deliverable()) > 0) await new Promise((r) => setTimeout(r, 50));
  const drainedMs = performance.now() - t0;
  await sender.stop();
  await db.close();
  process.send?.({ type: 'done', drainedMs });
  process.disconnect?.();
};

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
