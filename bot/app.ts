import { randomUUID } from 'node:crypto';
import type { AppConfig } from './config';
import type { Logger } from './logger';
import type { Deps } from '../domain/ports';
import { systemClock } from '../domain/shared/clock';
import { bootstrapAdmins, notifiedAdminIds } from '../domain/roles/manage-roles';
import { runBillingCycle } from '../domain/billing/run-billing-cycle';
import { settleStalledCharges } from '../domain/purchasing/settle-charges';
import { migrateDatabase, openDatabase, pingDatabase, type Database } from '../prisma/client';
import { PrismaUnitOfWork } from '../prisma/unit-of-work';
import { seedCatalog } from '../prisma/seed';
import { seedDemoTenant } from '../prisma/seed-demo';
import { SandboxPaymentProvider } from '../payments/sandbox-payment-provider';
import { PrismaConversationStore } from '../prisma/conversation-store';
import type { ConversationStore } from './conversations';
import { createAdapter, type TeamsAdapter } from './adapter';
import { DEFAULT_SENDER_OPTIONS, OutboxSender } from './outbox-sender';
import { PrismaOutboxQueue } from '../prisma/outbox-queue';
import { TEAMS_CONVERSATION_WINDOWS } from './rate-limiter';
import { GraphClient } from './graph/graph-client';
import { ProactiveInstaller } from './graph/proactive-install';
import { GraphDirectory } from './graph/graph-directory';
import { DirectoryRefresher } from './directory-refresh';

export interface App {
  deps: Deps;
  conversations: ConversationStore;
  adapter: TeamsAdapter;
  sender: OutboxSender;
  /** With Microsoft Graph: keeps the people of each organization served current from its directory. */
  directory: DirectoryRefresher | null;
  db: Database;
  payments: SandboxPaymentProvider;
  checkDatabase(): Promise<void>;
  stop(): Promise<void>;
}

/** The composition root: the only place that knows which adapter implements which port. */
export const startApp = async (config: AppConfig, logger: Logger): Promise<App> => {
  const migrated = await migrateDatabase(config.databaseUrl);
  if (migrated.applied.length) logger.info({ applied: migrated.applied }, 'migrations applied');
  else logger.info('migrations: the database is up to date');
  if (migrated.unknown.length) logger.warn({ unknown: migrated.unknown }, 'the database has migrations this version does not know: a newer version migrated it');
  const db = await openDatabase(config.databaseUrl);
  await seedCatalog(db);
  const payments = new SandboxPaymentProvider(config.paymentSandboxSecret, systemClock.now);
  const graph = config.graph && new GraphClient(config.graph);
  const deps: Deps = {
    uow: new PrismaUnitOfWork(db),
    payments,
    clock: systemClock,
    ids: { next: randomUUID },
    settings: { enabledMarkets: config.enabledMarkets, reminderDays: config.reminderDays },
    ...(graph && { directory: new GraphDirectory(graph, logger) }),
  };
  if (config.seedDemo && (await seedDemoTenant(deps, payments))) logger.info('demo tenant seeded');
  const added = await bootstrapAdmins(deps, config.bootstrapAdmins);
  if (added) logger.info({ added }, 'bootstrap admins granted');

  const timers: NodeJS.Timeout[] = [];
  let running = false;
  const billingTick = () => {
    if (running) return; // a slow run is never overlapped by the next tick
    running = true;
    runBillingCycle(deps)
      .then((r) => logger.info({ reminded: r.reminded.length, renewed: r.renewed.length, paymentFailed: r.paymentFailed.length, ended: r.ended.length }, 'billing cycle'))
      .catch((err) => logger.error({ err }, 'billing cycle failed'))
      .finally(() => {
        running = false;
      });
  };
  if (config.billingIntervalMinutes > 0) {
    timers.push(setTimeout(billingTick, 5_000), setInterval(billingTick, config.billingIntervalMinutes * 60_000));
  }
  // Charges a crash or a timeout cut short (on this instance or another) are finished from their intents.
  let sweeping = false;
  const chargeSweep = () => {
    if (sweeping) return;
    sweeping = true;
    settleStalledCharges(deps, { olderThanMs: config.chargeRecoveryAfterSeconds * 1000 })
      .then((r) => {
        if (r.settled.length || r.failed.length) logger.info({ settled: r.settled, failed: r.failed }, 'stalled charges settled');
      })
      .catch((err) => logger.error({ err }, 'stalled charges sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  };
  const sweepEveryMs = Math.min(60_000, config.chargeRecoveryAfterSeconds * 500);
  timers.push(setTimeout(chargeSweep, 3_000), setInterval(chargeSweep, sweepEveryMs));
  const directory = deps.directory ? new DirectoryRefresher(deps, logger, config.directory) : null;
  if (directory) timers.push(setInterval(() => directory.tick(), Math.min(600_000, config.directory.tenantEveryMs / 10)));
  timers.forEach((t) => t.unref());

  const conversations = new PrismaConversationStore(db, deps.clock);
  const adapter = createAdapter(config, logger);
  const queue = new PrismaOutboxQueue(db);
  if (db.engine === 'postgresql') logger.info({ holder: queue.holder }, 'outbox sender: tenant leases held as this holder');
  const sender = new OutboxSender(
    {
      queue,
      conversations,
      adapter,
      appId: config.bot.appId,
      logger,
      newId: randomUUID,
      adminsOf: (tenantId) => notifiedAdminIds(deps, tenantId),
      ...(graph && config.graph && { installer: new ProactiveInstaller(graph, config.graph.manifestAppId) }),
    },
    {
      ...DEFAULT_SENDER_OPTIONS,
      // Our own ceiling may be lower than Teams' (the first window); the longer windows stay as Teams has them.
      perConversation: [{ limit: config.outbox.perConversationPerSecond, windowMs: 1_000 }, ...TEAMS_CONVERSATION_WINDOWS.slice(1)],
      perTenant: [{ limit: config.outbox.perTenantPerSecond, windowMs: 1_000 }],
    },
  );
  if (config.outbox.intervalMs > 0) sender.start(config.outbox.intervalMs);

  return {
    deps,
    conversations,
    adapter,
    sender,
    directory,
    db,
    payments,
    checkDatabase: async () => {
      await pingDatabase(db);
    },
    stop: async () => {
      timers.forEach((t) => clearTimeout(t));
      await sender.stop();
      await directory?.stop();
      await db.close();
    },
  };
};
