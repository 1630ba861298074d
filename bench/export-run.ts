/**
 * Child process of domain-bench.ts: measures the CSV export of every licensed user in a process of
 * its own, so its RSS growth is not hidden by (or blamed on) the benchmark's other work.
 * Usage: node --expose-gc --import tsx bench/export-run.ts <database url> <tenant> <actor> <subscription count> [id width]
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { migrateDatabase, openDatabase } from '../prisma/client';
import { seedCatalog } from '../prisma/seed';
import { settleStalledCharges } from '../domain/purchasing/settle-charges';
import { PrismaUnitOfWork } from '../prisma/unit-of-work';
import { exportLicensedUsers } from '../domain/admin/export-licensed-users';
import { SandboxPaymentProvider } from '../payments/sandbox-payment-provider';
import type { Deps } from '../domain/ports';

const [url, tenantId, actorId, count, width = '5'] = process.argv.slice(2);

const main = async () => {
  // Started as the server starts (bot/app.ts startApp): migrations checked, the catalog seeded, then
  // the stalled-charge sweep every instance runs. The first export after that is a server's first.
  await migrateDatabase(url);
  const db = await openDatabase(url, { statisticsIntervalMs: 0 });
  await seedCatalog(db);
  const deps: Deps = {
    uow: new PrismaUnitOfWork(db),
    payments: new SandboxPaymentProvider('bench-secret-0123456789'),
    clock: { now: () => new Date() },
    ids: { next: randomUUID },
    settings: { enabledMarkets: ['US'], reminderDays: 7 },
  };
  const ids = Array.from({ length: Number(count) }, (_, i) => `sub-${String(i).padStart(Number(width), '0')}`);
  const gc = (global as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');

  const run = async (subscriptionIds: string[]) => {
    gc();
    const baseline = process.memoryUsage().rss;
    const heapBaseline = process.memoryUsage().heapTotal;
    let peak = baseline;
    let heapPeak = heapBaseline;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      heapPeak = Math.max(heapPeak, m.heapTotal);
    }, 5);
    const t0 = performance.now();
    let bytes = 0;
    let lines = 0;
    // Consumed as the server's response consumes it (bot/web/stream-download.ts): chunk by chunk,
    // nothing kept, a turn of the event loop after each one. That turn is also when the sampler
    // above runs: on SQLite the reads are synchronous, and without it the peak was never sampled
    // (only the RSS at the end was compared).
    for await (const chunk of await exportLicensedUsers(deps, { tenantId, actorId, surface: 'web' }, { subscriptionIds })) {
      bytes += Buffer.byteLength(chunk);
      for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
      await nextTurn();
    }
    const ms = performance.now() - t0;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { rows: lines - 1, bytes, ms, baselineMb: baseline / 1048576, rssGrowthMb: (peak - baseline) / 1048576, heapGrowthMb: (heapPeak - heapBaseline) / 1048576 };
  };

  await settleStalledCharges(deps);
  // Cold: the first export of a server that has just started (its first export queries, plans and buffers).
  const cold = await run(ids);
  // Warm: what a running server pays for one more export; shows whether memory grows with the rows.
  const warm = await run(ids);
  const warmTenth = await run(ids.slice(0, Math.ceil(ids.length / 10)));
  await db.close();
  process.stdout.write(`${JSON.stringify({ cold, warm, warmTenth })}\n`);
};

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
