/**
 * Benchmark (not a test): the domain over Prisma + SQLite at production-like volume.
 * Seeds 10,000 users, 5,000 subscriptions and 50,000 license assignments into a fresh SQLite file,
 * then measures the admin and purchaser reads, two writes and the full CSV export.
 *
 *   npm run bench            # rewrites its section of bench/RESULTS.md, and bench/results.json
 *
 * Run with --expose-gc (the npm script does) so the export's RSS growth is measured from a clean heap.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations } from '../prisma/migrate';
import { openDatabase } from '../prisma/client';
import { PrismaUnitOfWork } from '../prisma/unit-of-work';
import { seedCatalog } from '../prisma/seed';
import { CATALOG } from '../domain/catalog/catalog-data';
import type { Deps, ActorContext } from '../domain/ports';
import { SandboxPaymentProvider } from '../payments/sandbox-payment-provider';
import { listPurchases } from '../domain/admin/list-purchases';
import { getPurchaseDetail } from '../domain/admin/get-purchase-detail';
import { licensesForProduct } from '../domain/admin/licenses-view';
import { listMyPurchases } from '../domain/purchasing/list-my-purchases';
import { buySubscription } from '../domain/purchasing/buy-subscription';
import { assignLicenses } from '../domain/licenses/assign-licenses';
import { writeResultsJson, writeResultsSection } from './results-md';

const USERS = 10_000;
const SUBSCRIPTIONS = 5_000;
const PER_SUBSCRIPTION = 10; // 50,000 assignments
const PURCHASERS = 1_000;
const TENANT = 'bench-tenant';
const ADMIN = 'user-00000';

// Count SQL statements as SQLite runs them. Statements stay prepared (prisma/client.ts, prisma/sql-reader.ts),
// so it is every run of a better-sqlite3 statement that counts, through Prisma or not.
let statements = 0;
{
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<'run' | 'get' | 'all' | 'iterate', (...a: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = proto[method];
    proto[method] = function (this: unknown, ...args: unknown[]) {
      statements++;
      return original.apply(this, args);
    };
  }
}

const userId = (i: number) => `user-${String(i).padStart(5, '0')}`;
const subId = (i: number) => `sub-${String(i).padStart(5, '0')}`;

interface Stat {
  name: string;
  kind: 'read' | 'write';
  n: number;
  p50: number;
  p99: number;
  mean: number;
  statementsPerCall: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const measure = async (name: string, kind: 'read' | 'write', n: number, op: (i: number) => Promise<unknown>): Promise<Stat> => {
  // Start each measurement from a collected heap, so one operation doesn't pay for the garbage of the
  // seed or of the previous measurement.
  (global as { gc?: () => void }).gc?.();
  for (let i = 0; i < 20; i++) await op(i + 1_000_000); // warm-up
  const times: number[] = [];
  const before = statements;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await op(i);
    times.push(performance.now() - t0);
  }
  const per = (statements - before) / n;
  times.sort((a, b) => a - b);
  const stat = { name, kind, n, p50: percentile(times, 50), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / n, statementsPerCall: per };
  console.log(`${name.padEnd(34)} p50 ${stat.p50.toFixed(2)} ms  p99 ${stat.p99.toFixed(2)} ms  (${per.toFixed(1)} statements/call)`);
  return stat;
};

const main = async () => {
  const dir = path.join(__dirname, '.data');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const url = `file:${path.join(dir, 'bench.db')}`;
  applyMigrations(url);
  const db = openDatabase(url);
  await seedCatalog(db.writer);
  const payments = new SandboxPaymentProvider('bench-secret-0123456789');
  let seq = 0;
  const deps: Deps = {
    uow: new PrismaUnitOfWork(db),
    payments,
    clock: { now: () => new Date() },
    ids: { next: () => `b-${Date.now().toString(36)}-${(seq++).toString(36).padStart(8, '0')}` },
    settings: { enabledMarkets: ['US'], reminderDays: 7 },
  };

  // ---- seed (bulk, not through use cases: this is data volume, not behaviour)
  const t0 = performance.now();
  const now = new Date();
  const expires = new Date(now.getTime() + 30 * 86_400_000);
  await db.writer.$transaction(
    async (tx) => {
      await tx.tenant.create({ data: { id: TENANT, name: 'Bench', kind: 'Commercial', country: 'US', requireApproval: false, createdAt: now } });
      await tx.directoryUser.createMany({
        data: Array.from({ length: USERS }, (_, i) => ({
          tenantId: TENANT,
          id: userId(i),
          displayName: `User ${i}`,
          email: `user${i}@bench.example`,
          isGuest: false,
          active: true,
        })),
      });
      await tx.roleAssignment.create({ data: { tenantId: TENANT, userId: ADMIN, role: 'GlobalAdmin', grantedBy: null, grantedAt: now } });
      await tx.subscription.createMany({
        data: Array.from({ length: SUBSCRIPTIONS }, (_, i) => {
          const product = CATALOG[i % CATALOG.length];
          const central = i % 10 === 9;
          return {
            id: subId(i),
            tenantId: TENANT,
            productId: product.id,
            purchaserId: central ? ADMIN : userId(1 + (i % PURCHASERS)),
            origin: central ? 'Central' : 'SelfService',
            status: 'Active',
            quantity: 12,
            billingFrequency: 'Monthly',
            unitPriceMinor: product.prices.Monthly.amountMinor,
            currency: 'USD',
            recurring: true,
            isTrial: false,
            cardToken: central ? null : 'tok_bench',
            cardBrand: central ? null : 'Visa',
            cardLast4: central ? null : '4242',
            cardExpMonth: central ? null : 12,
            cardExpYear: central ? null : 2030,
            startedAt: now,
            expiresAt: expires,
            cancelledAt: null,
            cancelReason: null,
            centralizedInto: null,
            remindedFor: null,
            createdAt: new Date(now.getTime() - i * 1000),
            version: 0,
          };
        }),
      });
      const rows = [];
      for (let i = 0; i < SUBSCRIPTIONS; i++) {
        for (let k = 0; k < PER_SUBSCRIPTION; k++) {
          rows.push({
            id: `asg-${String(i * PER_SUBSCRIPTION + k).padStart(6, '0')}`,
            tenantId: TENANT,
            subscriptionId: subId(i),
            userId: userId((i * PER_SUBSCRIPTION + k) % USERS),
            assignedAt: now,
            assignedBy: ADMIN,
          });
        }
      }
      await tx.licenseAssignment.createMany({ data: rows });
    },
    { timeout: 120_000 },
  );
  console.log(`seeded ${USERS} users, ${SUBSCRIPTIONS} subscriptions, ${SUBSCRIPTIONS * PER_SUBSCRIPTION} assignments in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const admin: ActorContext = { tenantId: TENANT, actorId: ADMIN, surface: 'web' };
  const as = (i: number): ActorContext => ({ tenantId: TENANT, actorId: userId(i), surface: 'chat' });
  const PBI = CATALOG[0].id;
  const stats: Stat[] = [];

  stats.push(
    await measure('admin purchases page (25, filtered)', 'read', 1000, (i) =>
      listPurchases(deps, admin, { origin: 'SelfService', productId: PBI, page: 1 + (i % 12), pageSize: 25 }),
    ),
  );
  stats.push(await measure('purchase detail', 'read', 1000, (i) => getPurchaseDetail(deps, admin, { subscriptionId: subId((i * 7) % SUBSCRIPTIONS) })));
  stats.push(
    await measure('licenses view (product, 25 groups)', 'read', 500, (i) => licensesForProduct(deps, admin, { productId: CATALOG[i % CATALOG.length].id, page: 1, pageSize: 25 })),
  );
  stats.push(await measure('my purchases', 'read', 1000, (i) => listMyPurchases(deps, as(1 + (i % PURCHASERS)))));

  // Queries per list page must not grow with page size.
  const count = async (pageSize: number) => {
    const before = statements;
    await listPurchases(deps, admin, { origin: 'SelfService', pageSize });
    return statements - before;
  };
  const pageSizeStatements = { 10: await count(10), 25: await count(25), 100: await count(100) };
  console.log('statements per purchases page by page size', pageSizeStatements);

  const token = payments.tokenize({ number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' }).token;
  stats.push(await measure('buy', 'write', 300, (i) => buySubscription(deps, as(2_000 + (i % 5_000)), { productId: PBI, quantity: 5, cardToken: token })));
  const big = await buySubscription(deps, as(9_999), { productId: PBI, quantity: 2_000, cardToken: token });
  if (big.status !== 'created') throw new Error('bench purchase did not complete');
  stats.push(
    await measure('assign (1 user)', 'write', 300, (i) => assignLicenses(deps, as(9_999), { subscriptionId: big.subscription.id, userIds: [userId(i < 0 ? 0 : i % 9_000)] })),
  );

  // ---- export of all 50,000 rows, in a process of its own: time and peak RSS growth over its baseline
  await db.close();
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'export-run.ts'), path.join(dir, 'bench.db'), TENANT, ADMIN, String(SUBSCRIPTIONS)],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`export run failed: ${child.stderr}`);
  type ExportRun = { rows: number; bytes: number; ms: number; baselineMb: number; rssGrowthMb: number; heapGrowthMb: number };
  const exported = JSON.parse(child.stdout.trim().split('\n').pop()!) as { cold: ExportRun; warm: ExportRun; warmTenth: ExportRun };
  const { rows: exportRows, bytes, ms: exportMs, rssGrowthMb } = exported.warm;
  for (const [name, r] of Object.entries(exported))
    console.log(`export ${name}: ${r.rows} rows in ${r.ms.toFixed(0)} ms, RSS growth ${r.rssGrowthMb.toFixed(1)} MB over ${r.baselineMb.toFixed(0)} MB`);

  // ---- results
  const ok = (b: boolean) => (b ? '✅' : '❌');
  const rowsMd = stats.map((s) => {
    const pass = s.kind === 'read' ? s.p50 <= 5 && s.p99 <= 20 : s.p50 <= 10;
    const target = s.kind === 'read' ? 'p50 ≤ 5, p99 ≤ 20' : 'p50 ≤ 10';
    return `| ${s.name} | ${s.kind} | ${s.n} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.statementsPerCall.toFixed(1)} | ${target} | ${ok(pass)} |`;
  });
  const exportPass = exportMs <= 2000 && rssGrowthMb <= 60;
  const flat = pageSizeStatements[10] === pageSizeStatements[100];
  const md = `## Domain: use cases over Prisma + SQLite

Command: \`npm run bench\` (bench/domain-bench.ts). Fresh SQLite file (WAL) through Prisma 7 and the
better-sqlite3 driver adapter, the real unit of work and use cases (authorization, validation and
mapping included). Data: ${USERS.toLocaleString('en-US')} users, ${SUBSCRIPTIONS.toLocaleString('en-US')} subscriptions, ${(SUBSCRIPTIONS * PER_SUBSCRIPTION).toLocaleString('en-US')} license assignments in one tenant.

Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
These machines are shared; figures vary by a few tens of percent between runs.

| Operation | Kind | Calls | p50 ms | p99 ms | SQL statements/call | Target | Met |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rowsMd.join('\n')}

| CSV export of all licensed users | Result | Target | Met |
| --- | --- | --- | --- |
| rows | ${exportRows.toLocaleString('en-US')} (${(bytes / 1024 / 1024).toFixed(1)} MB) | 50,000 | ${ok(exportRows === SUBSCRIPTIONS * PER_SUBSCRIPTION)} |
| time (warm) | ${exportMs.toFixed(0)} ms | ≤ 2,000 ms | ${ok(exportMs <= 2000)} |
| peak RSS growth (warm process, over ${exported.warm.baselineMb.toFixed(0)} MB) | ${rssGrowthMb.toFixed(1)} MB | ≤ 60 MB | ${ok(rssGrowthMb <= 60)} |
| same, exporting a tenth of the rows (${exported.warmTenth.rows.toLocaleString('en-US')}) | ${exported.warmTenth.rssGrowthMb.toFixed(1)} MB in ${exported.warmTenth.ms.toFixed(0)} ms | flat in rows | ${ok(rssGrowthMb <= exported.warmTenth.rssGrowthMb + 20)} |
| cold: first export of a fresh process | RSS +${exported.cold.rssGrowthMb.toFixed(1)} MB over ${exported.cold.baselineMb.toFixed(0)} MB (JS heap +${exported.cold.heapGrowthMb.toFixed(1)} MB), ${exported.cold.ms.toFixed(0)} ms | (see notes) | ${ok(exported.cold.rssGrowthMb <= 60 && exported.cold.ms <= 2000)} |

Statements per admin purchases page, by page size: 10 → ${pageSizeStatements[10]}, 25 → ${pageSizeStatements[25]}, 100 → ${pageSizeStatements[100]} (${flat ? 'constant ✅' : 'grows ❌'}).
`;
  writeResultsSection('domain', md + NOTES);
  writeResultsJson('results.json', { stats, export: { ...exported, pass: exportPass }, pageSizeStatements });
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
};

const NOTES = `
### Notes

- Reads run on the read-only connection (WAL: committed data only, never blocked by the writer);
  every write is one interactive transaction including the audit entry, order history and outbox rows
  it causes. Each measurement starts from a collected heap (\`--expose-gc\`).
- **Licenses view misses the read target** (p50 10–12 ms against 5 ms). A page is 25 purchaser
  groups *with every licensed user in them*: in this data set the first page includes the admin who
  owns the central subscriptions, so one call reads about 40 subscriptions, 400 assignments and 400
  directory entries and maps them through Prisma (roughly 10 µs per row). The number of statements is
  constant (7); the time grows with the users shown, not with the tenant's size. The totals are
  computed in the database (COUNT/SUM). Smaller pages, or users loaded per group on demand, are the
  levers if the Teams surfaces need it faster.
- **Export, cold vs warm.** Streaming keeps memory flat in the number of rows: a running (warm) process
  grows by a few MB whether it exports 5,000 or 50,000 rows. The very first export of a fresh process
  shows a large RSS jump that the target does not allow. We measured where it is: the JS heap grows
  only about 20 MB; the rest is native memory of the Prisma 7 stack (its WebAssembly query engine and
  driver) growing to its working size during the first few thousand queried rows. Any Prisma workload
  of that size shows it once (a plain loop of 300 user lookups grows RSS by 60–80 MB the same way),
  it is not returned to the OS, and it does not grow again. It is reported here as a miss rather
  than hidden; a server that has served traffic is in the warm case.
- Tail latencies (p99) on these shared 2-core machines move by several milliseconds between runs.
`;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
