/**
 * Benchmark (not a test): the domain over Prisma + SQLite at production-like volume, and at ten times it.
 * Seeds 10,000 users, 5,000 subscriptions, 50,000 license assignments and 9,000 invoices (×10 with
 * --x10: 100,000 / 50,000 / 500,000 / 90,000) into a fresh SQLite file with batched INSERTs, refreshes
 * the planner's statistics as the server's periodic check would after such a change, then measures
 * the admin and purchaser reads, people search, two writes and the full CSV export.
 *
 *   npm run bench             # ×1: rewrites its section of bench/RESULTS.md, and bench/results.json
 *   npm run bench -- --x10    # ×10: its own section, and bench/results-x10.json
 *   npm run bench -- --postgres [--x10]   # the same on PostgreSQL (a throwaway cluster): results-pg[-x10].json
 *   npm run bench -- --postgres --hold    # seed, then keep the cluster up (its URL printed) for EXPLAIN by hand; Ctrl-C ends
 *   npm run bench -- --slowest            # also print each measurement's slowest calls (diagnosis; results written as usual)
 *
 * Each run also rewrites the ×1-vs-×10 table from both JSON files (the other one as last committed).
 * Run with --expose-gc (the npm script does) so the export's RSS growth is measured from a clean heap.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client as PgClient } from 'pg';
import { startPostgres, type PostgresCluster } from '../test/support/postgres';
import { migrateDatabase, openDatabase } from '../prisma/client';
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
import { findPeople, searchTermsOf } from '../domain/directory/find-people';
import { resultsDir, writeResultsJson, writeResultsSection } from './results-md';
import { startScriptFlags } from './start-flags';

const SCALE = process.argv.includes('--x10') ? 10 : 1;
/** Diagnosis: also print each measurement's slowest calls (their index i, which picks the input). */
const SLOWEST = process.argv.includes('--slowest');
const POSTGRES = process.argv.includes('--postgres');
/** `--only detail,buy`: measure just the operations whose names contain one of these, print them, write nothing (for trying a change). */
const ONLY = process.argv.includes('--only') ? (process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',').filter(Boolean) : null;
const ENGINE = POSTGRES ? 'PostgreSQL' : 'SQLite';
/** Result files and sections: SQLite's keep their names, PostgreSQL's add "-pg". */
const tag = (base: string) => (POSTGRES ? `${base}-pg` : base);
const USERS = 10_000 * SCALE;
const SUBSCRIPTIONS = 5_000 * SCALE;
const PER_SUBSCRIPTION = 10; // 50,000 assignments (×10: 500,000)
const PURCHASERS = 1_000 * SCALE;
const INVOICES_PER_PURCHASE = 2; // self-service subscriptions only
const TENANT = 'bench-tenant';
const WIDTH = Math.max(5, String(USERS - 1).length);
const LABEL = SCALE === 1 ? '×1' : `×${SCALE}`;

// Count SQL statements as PostgreSQL's driver sends them: every query of a pg connection, through Prisma or not.
{
  const proto = PgClient.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    statements++;
    if (tracing) {
      const q = args[0] as string | { text?: string; name?: string };
      const text = (typeof q === 'string' ? q : (q.text ?? q.name ?? '?')).replace(/\s+/g, ' ').slice(0, 160);
      const t0 = performance.now();
      const out = original.apply(this, args);
      if (out instanceof Promise)
        void out.then(
          () => console.log(`    ${(performance.now() - t0).toFixed(2).padStart(6)} ms  ${text}`),
          () => undefined,
        );
      else console.log(`    ${text}`);
      return out;
    }
    return original.apply(this, args);
  };
}
// Count SQL statements as SQLite runs them. Statements stay prepared (prisma/client.ts, prisma/sql-reader.ts),
// so it is every run of a better-sqlite3 statement that counts, through Prisma or not.
let statements = 0;
/** `--trace` (with `--only`): the statements of one more call of each operation measured, after its timing. */
const TRACE = process.argv.includes('--trace');
/** `--cpu-prof-ops` (with `--only`): a V8 CPU profile of each operation's timed calls, in bench/.data/. */
const PROFILE_OPS = process.argv.includes('--cpu-prof-ops');
let tracing = false;
{
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<'run' | 'get' | 'all' | 'iterate', (...a: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = proto[method];
    proto[method] = function (this: { source?: string }, ...args: unknown[]) {
      statements++;
      if (tracing) console.log(`    ${(this.source ?? '?').replace(/\s+/g, ' ').slice(0, 220)}`);
      return original.apply(this, args);
    };
  }
}

const userId = (i: number) => `user-${String(i).padStart(WIDTH, '0')}`;
const subId = (i: number) => `sub-${String(i).padStart(WIDTH, '0')}`;
const ADMIN = userId(0);

// Names that people search for: 40 first names × 250 last names (every pair once at ×1, ten times at ×10).
const FIRST =
  'Adele Alex Allan Amy Ben Carla Chris Dana Diego Emily Enrico Grady Henrietta Irvin Isaiah Jan Johanna Joni Lee Lidia Lynne Megan Miriam Nestor Nina Omar Patti Pradeep Raul Rosa Sam Sara Shay Tom Uma Vera Wade Xena Yuki Zoe'.split(
    ' ',
  );
const LAST = ['Bo', 'Ca', 'Da', 'Fe', 'Ga', 'Ha', 'Jo', 'Ka', 'Lo', 'Ma', 'No', 'Pa', 'Ro', 'Sa', 'Ta', 'Va', 'Wi', 'Ya', 'Ze', 'Ri', 'Mu', 'Ke', 'Li', 'Du', 'Fo'].flatMap((a) =>
  ['wen', 'nce', 'ber', 'rnandez', 'bbins', 'llins', 'ster', 'ttel', 'ssen', 'rtin'].map((b) => a + b),
);
const nameOf = (i: number) => ({ first: FIRST[i % FIRST.length], last: LAST[Math.floor(i / FIRST.length) % LAST.length] });
const displayNameOf = (i: number) => `${nameOf(i).first} ${nameOf(i).last}`;

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
  if (ONLY && !ONLY.some((o) => name.includes(o))) return { name, kind, n: 0, p50: 0, p99: 0, mean: 0, statementsPerCall: 0 };
  // Start each measurement from a collected heap, so one operation doesn't pay for the garbage of the
  // seed or of the previous measurement.
  (global as { gc?: () => void }).gc?.();
  for (let i = 0; i < 20; i++) await op(i + 1_000_000); // warm-up
  const times: number[] = [];
  const before = statements;
  const profiler = PROFILE_OPS ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await op(i);
    times.push(performance.now() - t0);
  }
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    const file = path.join(__dirname, '.data', `${name.replace(/\W+/g, '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
    console.log(`  profile: ${file}`);
  }
  const per = (statements - before) / n;
  if (SLOWEST) {
    const slow = times
      .map((ms, i) => ({ i, ms }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 12);
    console.log(`  slowest of ${name}: ${slow.map((x) => `#${x.i} ${x.ms.toFixed(1)} ms`).join(', ')}`);
  }
  times.sort((a, b) => a - b);
  if (TRACE) {
    console.log(`  statements of one ${name}:`);
    tracing = true;
    await op(2_000_000).finally(() => (tracing = false));
  }
  const stat = { name, kind, n, p50: percentile(times, 50), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / n, statementsPerCall: per };
  console.log(`${name.padEnd(34)} p50 ${stat.p50.toFixed(2)} ms  p99 ${stat.p99.toFixed(2)} ms  (${per.toFixed(1)} statements/call)`);
  return stat;
};

/** SQLite's text for a date, as Prisma writes it (prisma/sql-reader.ts). */
const iso = (d: Date) => d.toISOString().replace('Z', '+00:00');

type Insert = (table: string, cols: readonly string[], rows: Iterable<unknown[]>) => Promise<number>;

/** Multi-row INSERTs of up to 500 rows, prepared once per table: SQLite on its own connection. */
const sqliteInserter =
  (db: Database.Database): Insert =>
  async (table, cols, rows) => {
    const per = Math.min(500, Math.floor(30_000 / cols.length));
    const values = (n: number) => Array.from({ length: n }, () => `(${cols.map(() => '?').join(', ')})`).join(', ');
    const sql = (n: number) => `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${values(n)}`;
    const full = db.prepare(sql(per));
    let batch: unknown[] = [];
    let n = 0;
    let count = 0;
    for (const row of rows) {
      batch.push(...row);
      count++;
      if (++n === per) {
        full.run(batch);
        batch = [];
        n = 0;
      }
    }
    if (n > 0) db.prepare(sql(n)).run(batch);
    return count;
  };

/** The same on PostgreSQL, with $n parameters (0/1 and ISO texts are valid input for its boolean and timestamp columns). */
const postgresInserter =
  (client: PgClient): Insert =>
  async (table, cols, rows) => {
    const per = Math.min(1000, Math.floor(60_000 / cols.length));
    const sql = (n: number) =>
      `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${Array.from({ length: n }, (_, r) => `(${cols.map((_c, k) => `$${r * cols.length + k + 1}`).join(', ')})`).join(', ')}`;
    let batch: unknown[] = [];
    let n = 0;
    let count = 0;
    for (const row of rows) {
      batch.push(...row);
      count++;
      if (++n === per) {
        await client.query(sql(n), batch);
        batch = [];
        n = 0;
      }
    }
    if (n > 0) await client.query(sql(n), batch);
    return count;
  };

/**
 * Bulk seed (data volume, not behaviour) on a connection of its own, in one transaction: multi-row
 * INSERTs. ×10 takes seconds, not minutes.
 */
const seed = async (url: string) => {
  const sqlite = POSTGRES ? null : new Database(url.slice('file:'.length), { timeout: 30_000 });
  const pg = POSTGRES ? new PgClient({ connectionString: url }) : null;
  await pg?.connect();
  const insert: Insert = sqlite ? sqliteInserter(sqlite) : postgresInserter(pg!);
  const exec = async (text: string, values: unknown[] = []) => {
    if (sqlite) sqlite.prepare(text.replace(/\$\d+/g, '?')).run(values);
    else await pg!.query(text, values);
  };
  const now = new Date();
  const expires = iso(new Date(now.getTime() + 30 * 86_400_000));
  const counts: Record<string, number> = {};
  await exec('BEGIN');
  {
    await exec('INSERT INTO "Tenant" ("id", "name", "kind", "country", "requireApproval", "createdAt") VALUES ($1, $2, $3, $4, $5, $6)', [
      TENANT,
      'Bench',
      'Commercial',
      'US',
      0,
      iso(now),
    ]);
    await exec('INSERT INTO "RoleAssignment" ("tenantId", "userId", "role", "grantedBy", "grantedAt") VALUES ($1, $2, $3, $4, $5)', [TENANT, ADMIN, 'GlobalAdmin', null, iso(now)]);
    const user = (i: number) => ({ displayName: displayNameOf(i), email: `${nameOf(i).first}.${nameOf(i).last}.${i}@bench.example`.toLowerCase() });
    counts.users = await insert(
      'DirectoryUser',
      ['tenantId', 'id', 'displayName', 'email', 'isGuest', 'active'],
      (function* () {
        for (let i = 0; i < USERS; i++) yield [TENANT, userId(i), user(i).displayName, user(i).email, 0, 1];
      })(),
    );
    counts.searchTerms = await insert(
      'DirectorySearchTerm',
      ['tenantId', 'term', 'userId'],
      (function* () {
        for (let i = 0; i < USERS; i++) for (const term of searchTermsOf(user(i))) yield [TENANT, term, userId(i)];
      })(),
    );
    const SUB_COLS = ['id', 'tenantId', 'productId', 'purchaserId', 'origin', 'status', 'quantity', 'billingFrequency', 'unitPriceMinor', 'currency', 'recurring', 'isTrial'];
    const CARD_COLS = ['cardToken', 'cardBrand', 'cardLast4', 'cardExpMonth', 'cardExpYear', 'startedAt', 'expiresAt', 'createdAt', 'version'];
    counts.subscriptions = await insert(
      'Subscription',
      [...SUB_COLS, ...CARD_COLS],
      (function* () {
        for (let i = 0; i < SUBSCRIPTIONS; i++) {
          const product = CATALOG[i % CATALOG.length];
          const central = i % 10 === 9;
          yield [
            subId(i),
            TENANT,
            product.id,
            central ? ADMIN : userId(1 + (i % PURCHASERS)),
            central ? 'Central' : 'SelfService',
            'Active',
            12,
            'Monthly',
            product.prices.Monthly.amountMinor,
            'USD',
            1,
            0,
            ...(central ? [null, null, null, null, null] : ['tok_bench', 'Visa', '4242', 12, 2030]),
            iso(now),
            expires,
            iso(new Date(now.getTime() - i * 1000)),
            0,
          ];
        }
      })(),
    );
    counts.assignments = await insert(
      'LicenseAssignment',
      ['id', 'tenantId', 'subscriptionId', 'userId', 'assignedAt', 'assignedBy'],
      (function* () {
        for (let i = 0; i < SUBSCRIPTIONS; i++)
          for (let k = 0; k < PER_SUBSCRIPTION; k++) {
            const n = i * PER_SUBSCRIPTION + k;
            yield [`asg-${String(n).padStart(WIDTH + 1, '0')}`, TENANT, subId(i), userId(n % USERS), iso(now), ADMIN];
          }
      })(),
    );
    counts.invoices = await insert(
      'Invoice',
      ['id', 'tenantId', 'subscriptionId', 'purchaserId', 'amountMinor', 'currency', 'status', 'description', 'issuedAt', 'paidAt'],
      (function* () {
        for (let i = 0; i < SUBSCRIPTIONS; i++) {
          if (i % 10 === 9) continue;
          for (let k = 0; k < INVOICES_PER_PURCHASE; k++) {
            const at = iso(new Date(now.getTime() - (k * 30 + (i % 30)) * 86_400_000));
            yield [`inv-${subId(i)}-${k}`, TENANT, subId(i), userId(1 + (i % PURCHASERS)), 12 * 1000, 'USD', 'Paid', 'Monthly charge', at, at];
          }
        }
      })(),
    );
  }
  await exec('COMMIT');
  // A server that has been running has checkpointed long since; a 100 MB WAL would slow every read.
  sqlite?.pragma('wal_checkpoint(TRUNCATE)');
  sqlite?.close();
  await pg?.end();
  return counts;
};

const main = async () => {
  const dir = path.join(__dirname, '.data', tag(`domain-x${SCALE}`));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cluster: PostgresCluster | null = POSTGRES ? await startPostgres() : null;
  const url = cluster ? await cluster.createDatabase('bench') : `file:${path.join(dir, 'bench.db')}`;
  await migrateDatabase(url);
  // No periodic check during the run: the refresh after the seed below is the one the server's would make.
  const db = await openDatabase(url, { statisticsIntervalMs: 0 });
  await seedCatalog(db);
  const payments = new SandboxPaymentProvider('bench-secret-0123456789');
  let seq = 0;
  const deps: Deps = {
    uow: new PrismaUnitOfWork(db),
    payments,
    clock: { now: () => new Date() },
    ids: { next: () => `b-${Date.now().toString(36)}-${(seq++).toString(36).padStart(8, '0')}` },
    settings: { enabledMarkets: ['US'], reminderDays: 7 },
  };

  const t0 = performance.now();
  const seeded = await seed(url);
  const seedSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const analyzed = await db.refreshStatistics();
  const analyzeMs = performance.now() - t1;
  console.log(`seeded ${JSON.stringify(seeded)} in ${seedSeconds.toFixed(1)} s; statistics of ${analyzed.length} tables refreshed in ${analyzeMs.toFixed(0)} ms`);
  if (process.argv.includes('--hold')) {
    console.log(`holding: ${url} (tenant ${TENANT}); Ctrl-C ends`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await db.close();
    await cluster?.stop();
    return;
  }

  const admin: ActorContext = { tenantId: TENANT, actorId: ADMIN, surface: 'web' };
  const as = (i: number): ActorContext => ({ tenantId: TENANT, actorId: userId(i), surface: 'chat' });
  const PBI = CATALOG[0].id;
  const stats: Stat[] = [];

  stats.push(
    await measure('admin purchases page (25, filtered)', 'read', 1000, (i) =>
      listPurchases(deps, admin, { origin: 'SelfService', productId: PBI, page: 1 + (i % 12), pageSize: 25 }),
    ),
  );
  stats.push(await measure('admin purchases page (25, all)', 'read', 1000, (i) => listPurchases(deps, admin, { page: 1 + (i % 12), pageSize: 25 })));
  stats.push(await measure('purchase detail', 'read', 1000, (i) => getPurchaseDetail(deps, admin, { subscriptionId: subId((i * 7) % SUBSCRIPTIONS) })));
  // The page sizes the surfaces ask for: the card 10 purchasers, the Admin tab 20.
  for (const [surface, pageSize] of [
    ['card', 10],
    ['tab', 20],
  ] as const) {
    stats.push(
      await measure(`licenses view (${surface}: ${pageSize} groups)`, 'read', 500, (i) =>
        licensesForProduct(deps, admin, { productId: CATALOG[i % CATALOG.length].id, page: 1 + (i % 3), pageSize }),
      ),
    );
  }
  stats.push(await measure('my purchases', 'read', 1000, (i) => listMyPurchases(deps, as(1 + (i % PURCHASERS)))));
  stats.push(await measure('people search (full name)', 'read', 1000, (i) => findPeople(deps, as(1 + (i % PURCHASERS)), { queries: [displayNameOf((i * 7919) % USERS)] })));
  stats.push(
    await measure('people search (typeahead, 2 letters)', 'read', 1000, (i) => findPeople(deps, as(1 + (i % PURCHASERS)), { queries: [FIRST[i % FIRST.length].slice(0, 2)] })),
  );

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

  if (ONLY && !ONLY.includes('export')) {
    await db.close();
    await cluster?.stop();
    return;
  }
  // ---- export of every row, in a process of its own: time and peak RSS growth over its baseline
  await db.close();
  // With the V8 flags `npm start` gives the server (package.json), so the cold export is the server's.
  const startFlags = startScriptFlags();
  const child = spawnSync(
    process.execPath,
    [...startFlags, '--expose-gc', '--import', 'tsx', path.join(__dirname, 'export-run.ts'), url, TENANT, ADMIN, String(SUBSCRIPTIONS), String(WIDTH)],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`export run failed: ${child.stderr}`);
  type ExportRun = { rows: number; bytes: number; ms: number; baselineMb: number; rssGrowthMb: number; heapGrowthMb: number };
  const exported = JSON.parse(child.stdout.trim().split('\n').pop()!) as { cold: ExportRun; warm: ExportRun; warmTenth: ExportRun };
  const { rows: exportRows, bytes, ms: exportMs, rssGrowthMb } = exported.warm;
  const rowsPerSecond = exportRows / (exportMs / 1000);
  for (const [name, r] of Object.entries(exported))
    console.log(
      `export ${name}: ${r.rows} rows in ${r.ms.toFixed(0)} ms, RSS growth ${r.rssGrowthMb.toFixed(1)} MB over ${r.baselineMb.toFixed(0)} MB (JS heap +${r.heapGrowthMb.toFixed(1)} MB)`,
    );
  if (ONLY) {
    await cluster?.stop();
    return;
  }

  // ---- results
  const ok = (b: boolean) => (b ? '✅' : '❌');
  const rowsMd = stats.map((s) => {
    const target = s.kind === 'read' ? 'p50 ≤ 5, p99 ≤ 20' : 'p50 ≤ 10';
    return `| ${s.name} | ${s.kind} | ${s.n} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.statementsPerCall.toFixed(1)} | ${target} | ${ok(met(s))} |`;
  });
  const expectedRows = SUBSCRIPTIONS * PER_SUBSCRIPTION;
  const exportPass = rowsPerSecond >= 50_000 && rssGrowthMb <= 60;
  const flat = pageSizeStatements[10] === pageSizeStatements[100];
  const md = `## Domain ${LABEL}: use cases over Prisma + ${ENGINE}

Command: \`npm run bench${SCALE === 1 && !POSTGRES ? '' : ` --${POSTGRES ? ' --postgres' : ''}${SCALE === 1 ? '' : ' --x10'}`}\` (bench/domain-bench.ts). ${
    POSTGRES
      ? 'A fresh database on a throwaway PostgreSQL 15 cluster on this machine (loopback TCP, fsync off as in the tests) through Prisma 7 and @prisma/adapter-pg'
      : 'Fresh SQLite file (WAL) through Prisma 7 and the better-sqlite3 driver adapter'
  }, the real unit of work and use cases (authorization, validation and
mapping included). Data: ${seeded.users.toLocaleString('en-US')} users (${seeded.searchTerms.toLocaleString('en-US')} search terms), ${seeded.subscriptions.toLocaleString('en-US')} subscriptions, ${seeded.assignments.toLocaleString('en-US')} license assignments, ${seeded.invoices.toLocaleString('en-US')} invoices in one tenant;
seeded in ${seedSeconds.toFixed(1)} s (batched INSERTs), then the statistics refresh the server runs after a large change (${analyzed.length} tables, ${analyzeMs.toFixed(0)} ms).

Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
These machines are shared; figures vary by a few tens of percent between runs.

| Operation | Kind | Calls | p50 ms | p99 ms | SQL statements/call | Target | Met |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rowsMd.join('\n')}

| CSV export of all licensed users | Result | Target | Met |
| --- | --- | --- | --- |
| rows | ${exportRows.toLocaleString('en-US')} (${(bytes / 1024 / 1024).toFixed(1)} MB) | ${expectedRows.toLocaleString('en-US')} | ${ok(exportRows === expectedRows)} |
| time (warm) | ${exportMs.toFixed(0)} ms: ${Math.round(rowsPerSecond).toLocaleString('en-US')} rows/s | ≥ 50,000 rows/s | ${ok(rowsPerSecond >= 50_000)} |
| peak RSS growth (warm process, over ${exported.warm.baselineMb.toFixed(0)} MB) | ${rssGrowthMb.toFixed(1)} MB | ≤ 60 MB | ${ok(rssGrowthMb <= 60)} |
| same, exporting a tenth of the rows (${exported.warmTenth.rows.toLocaleString('en-US')}) | ${exported.warmTenth.rssGrowthMb.toFixed(1)} MB in ${exported.warmTenth.ms.toFixed(0)} ms | flat in rows | ${ok(rssGrowthMb <= exported.warmTenth.rssGrowthMb + 20)} |
| cold: first export of a just-started server | RSS +${exported.cold.rssGrowthMb.toFixed(1)} MB over ${exported.cold.baselineMb.toFixed(0)} MB (JS heap +${exported.cold.heapGrowthMb.toFixed(1)} MB), ${exported.cold.ms.toFixed(0)} ms | ≤ 60 MB | ${ok(exported.cold.rssGrowthMb <= 60)} |

Statements per admin purchases page, by page size: 10 → ${pageSizeStatements[10]}, 25 → ${pageSizeStatements[25]}, 100 → ${pageSizeStatements[100]} (${flat ? 'constant ✅' : 'grows ❌'}).
`;
  const result: BenchResult = { scale: SCALE, seeded, seedSeconds, stats, export: { ...exported, rowsPerSecond, pass: exportPass }, pageSizeStatements };
  writeResultsSection(tag(SCALE === 1 ? 'domain' : `domain-x${SCALE}`), SCALE === 1 && !POSTGRES ? md + NOTES : md);
  writeResultsJson(resultsFile(SCALE), result);
  if (!POSTGRES) writeScaleTable();
  writeEngineTable();
  await cluster?.stop();
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
};

interface BenchResult {
  scale: number;
  seeded: Record<string, number>;
  seedSeconds: number;
  stats: Stat[];
  export: { warm: { rows: number; ms: number; rssGrowthMb: number }; rowsPerSecond: number; pass: boolean };
  pageSizeStatements: Record<string, number>;
}

const met = (s: Stat) => (s.kind === 'read' ? s.p50 <= 5 && s.p99 <= 20 : s.p50 <= 10);
const resultsFile = (scale: number, postgres = POSTGRES) => `results${postgres ? '-pg' : ''}${scale === 1 ? '' : `-x${scale}`}.json`;

/** SQLite and PostgreSQL side by side at ×1 and ×10, from the four JSON files (as last run or committed). */
const writeEngineTable = () => {
  const read = (scale: number, postgres: boolean): BenchResult | null => {
    const f = path.join(resultsDir(), resultsFile(scale, postgres));
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as BenchResult) : null;
  };
  const runs = [read(1, false), read(1, true), read(10, false), read(10, true)];
  if (runs.some((r) => r === null)) return;
  const [s1, p1, s10, p10] = runs as BenchResult[];
  const cell = (r: BenchResult, name: string) => {
    const s = r.stats.find((x) => x.name === name);
    return s ? `${s.p50.toFixed(2)} / ${s.p99.toFixed(2)}${met(s) ? '' : ' ❌'}` : '—';
  };
  const rows = s1.stats.map((a) => `| ${a.name} | ${a.kind} | ${cell(s1, a.name)} | ${cell(p1, a.name)} | ${cell(s10, a.name)} | ${cell(p10, a.name)} |`);
  const ex = (r: BenchResult) => `${Math.round(r.export.rowsPerSecond).toLocaleString('en-US')} rows/s, RSS +${r.export.warm.rssGrowthMb.toFixed(1)} MB`;
  writeResultsSection(
    'domain-engines',
    `## Domain: SQLite and PostgreSQL side by side

From bench/results.json, results-x10.json, results-pg.json and results-pg-x10.json (\`npm run bench [-- --x10]\` and
\`npm run bench -- --postgres [--x10]\` each rewrite this table). p50 / p99 in ms; targets at every volume and on both
engines: reads p50 ≤ 5 and p99 ≤ 20, writes p50 ≤ 10 (❌ where missed). PostgreSQL runs on the same 2 shared cores
as the benchmark, over loopback TCP: every statement is a round trip to another process, where SQLite's is a
function call.

| Operation | Kind | SQLite ×1 | PostgreSQL ×1 | SQLite ×10 | PostgreSQL ×10 |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
| CSV export (warm) | export | ${ex(s1)} | ${ex(p1)} | ${ex(s10)} | ${ex(p10)} |
`,
  );
};

/** ×1 and ×10 side by side, from the two JSON files (whichever ran last, the other as committed). */
const writeScaleTable = () => {
  const read = (scale: number): BenchResult | null => {
    const f = path.join(resultsDir(), resultsFile(scale));
    if (!existsSync(f)) return null;
    const r = JSON.parse(readFileSync(f, 'utf8')) as BenchResult;
    return r.scale === scale ? r : null;
  };
  const [x1, x10] = [read(1), read(10)];
  if (!x1 || !x10) return;
  const rows = x1.stats.map((a) => {
    const b = x10.stats.find((s) => s.name === a.name);
    if (!b) return `| ${a.name} | ${a.p50.toFixed(2)} | ${a.p99.toFixed(2)} | — | — | — | ${a.statementsPerCall.toFixed(1)} / — | — |`;
    return `| ${a.name} | ${a.p50.toFixed(2)} | ${a.p99.toFixed(2)} | ${b.p50.toFixed(2)} | ${b.p99.toFixed(2)} | ${(b.p50 / a.p50).toFixed(2)}× | ${a.statementsPerCall.toFixed(1)} / ${b.statementsPerCall.toFixed(1)} | ${met(a) && met(b) ? '✅' : '❌'} |`;
  });
  const ex = (r: BenchResult) =>
    `${r.export.warm.rows.toLocaleString('en-US')} rows, ${Math.round(r.export.rowsPerSecond).toLocaleString('en-US')} rows/s, RSS +${r.export.warm.rssGrowthMb.toFixed(1)} MB`;
  writeResultsSection(
    'domain-scale',
    `## Domain: ×1 vs ×10 (does a paged read grow with the tenant?)

From bench/results.json (×1: ${x1.seeded.users.toLocaleString('en-US')} users, ${x1.seeded.subscriptions.toLocaleString('en-US')} subscriptions, ${x1.seeded.assignments.toLocaleString('en-US')} assignments) and bench/results-x10.json
(×10: ${x10.seeded.users.toLocaleString('en-US')} / ${x10.seeded.subscriptions.toLocaleString('en-US')} / ${x10.seeded.assignments.toLocaleString('en-US')}); \`npm run bench\` and \`npm run bench -- --x10\` each rewrite this table.
Targets at both volumes: reads p50 ≤ 5 ms and p99 ≤ 20 ms, writes p50 ≤ 10 ms.

| Operation | ×1 p50 ms | ×1 p99 ms | ×10 p50 ms | ×10 p99 ms | ×10 / ×1 (p50) | statements ×1 / ×10 | Met at both |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
| CSV export (warm) | ${ex(x1)} | | ${ex(x10)} | | | | ${x1.export.pass && x10.export.pass ? '✅' : '❌'} |
`,
  );
};

const NOTES = `
### Notes

- Reads run on the read-only connection (WAL: committed data only, never blocked by the writer);
  every write is one interactive transaction including the audit entry, order history and outbox rows
  it causes, and a charged one (buy) two: its charge intent, then, after the card is charged outside any
  transaction (domain/purchasing/charges.ts), the purchase with the intent settled. Each measurement starts from a collected heap (\`--expose-gc\`).
- **What keeps the paged reads flat** (test/integration/query-plans.test.ts checks each plan on a
  20,000-subscription tenant, with and without statistics): an index per filter of the purchases page
  ((tenantId[, origin][, productId], createdAt, id): the page stops after its rows, no sort); its
  total from SubscriptionTally (subscriptions per tenant × origin × product × status, kept by
  triggers) instead of a count of the tenant's subscriptions; the licenses view's purchasers paged in
  SQL on (tenantId, productId, purchaserId, …), at most 10 subscriptions and 25 users shown per group
  (groups within that read whole by one IN, a larger one by its own LIMIT in index order), and every
  count (subscriptions, quantity, assigned licenses: Subscription.assignedCount, kept by triggers)
  summed from one index's entries; the purchase's own
  invoices on (tenantId, subscriptionId, issuedAt, id); people search as a range of an indexed table
  of search terms (each word of the name onward, and the email), stopping at the 5 people it needs;
  the export one subscription at a time by keyset, the person joined in the same statement.
- **Statistics.** \`PRAGMA optimize\` (ANALYZE where the statistics are missing or stale) runs at start after the
  migrations and every 10 minutes (prisma/sqlite-database.ts); the benchmark calls the same refresh once after
  its bulk seed, as the periodic check would within 10 minutes. The plans above do not depend on it.
- **Licenses view page sizes.** The card asks for 10 purchasers a page, the Admin tab for 20 (the
  earlier row measured 25). A page's cost follows the rows it shows (up to 25 users per group), not
  the tenant; at ×10 a row can cost more (SQLite's 16 MB page cache per connection against a 250 MB
  file: more pages come from the OS); earlier runs today measured 5.0 / 7.4 ms at ×10. A 64 MB
  cache on the SQL reader brought them to 2.7 / 3.7 ms at ×10 in one run, and was left out: in WAL
  mode a connection drops its whole cache whenever another one commits, so on a server that writes a
  bigger cache mostly costs more to drop, and the export ran about 20% slower with it.
- **Purchase detail's p99.** An admin's purchase detail also computes the take-over's move targets
  (domain/takeover/purchase-abilities.ts, loadMoveTargets). In this data set all central
  subscriptions fall on 3 of the 15 products (167 each at ×1, 1,667 at ×10). Reading every one of them
  made the ×10 p99 76 ms; now the database ranks them as the domain's byMoveFit does (the purchase's
  holders' other licenses read by person, on LicenseAssignment (tenantId, userId)) and returns the
  best 25 with how many there are: 12.4 ms at ×10 (2026-12-02).
- **Export throughput** varied between 37,000 and 77,000 rows/s over the day's runs on this shared
  machine (load 1–5; the target is 50,000), RSS flat in every warm run; with the SQL reader making its
  row objects itself (2026-12-01), 56,000 and 62,500 rows/s at ×1 and ×10.
- **Export, cold vs warm.** A running (warm) process exports in flat memory whatever the row count.
  The cold row is the first export of a process started as the server starts (bot/app.ts: migrations
  checked, the catalog seeded, the stalled-charge sweep run; bench/export-run.ts), with the start
  script's V8 flags: 2–16 MB over a baseline of about 170 MB (2026-12-03: +48–94 MB at ×10 before the export
  read only the columns it writes and built each line without an array of cells; the JS heap had
  grown by 75 MB of promoted pages). The export is consumed as the server's response consumes it
  (bot/web/stream-download.ts: a turn of the event loop after each chunk), which also lets the 5 ms RSS
  sampler run during a SQLite export; before, it never ran, and the rows compared the RSS at the end.
  Until 2026-12-02 the cold row measured a
  process that had made no query at all, which no server ever is: there the export's first query also
  paid the one-time warm-up of the Prisma 7 stack and the driver (about 67 MB of native memory, the
  JS heap 13 MB of it), and the row showed +100 MB. That warm-up is part of what \`npm start\` costs
  before it serves anything (the start-up section: RSS ≤ 200 MB). Without \`--liftoff-only\` V8 also
  compiled Prisma's WebAssembly with its optimizing tier, and that jump was 167–205 MB.
- Tail latencies (p99) on these shared 2-core machines move by several milliseconds between runs.
`;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
