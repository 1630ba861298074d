import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Pool } from 'pg';
import { Prisma } from '../../prisma/generated/client';
import { PgSqlReader } from '../../prisma/postgres-database';
import { freshPostgresDatabase, type TestDatabase } from '../support/db';

/**
 * The raw statements on PostgreSQL (Database.readSql, Database.writeSql) bind a Date as the instant
 * Prisma stored: its UTC wall time. node-postgres alone would send local time with an offset that a
 * TIMESTAMP WITHOUT TIME ZONE parameter drops, off by the host's offset on any host not set to UTC.
 * Run in a process of its own with TZ set (a test file's process.env does not reach the zone).
 */
const SCRIPT = `
const { Prisma } = require('./prisma/generated/client');
const { openDatabase } = require('./prisma/client');
(async () => {
  const db = await openDatabase(process.env.DATABASE_URL);
  try {
    const at = new Date(Date.UTC(2026, 11, 1, 22, 15, 30, 250));
    const later = new Date(at.getTime() + 60000);
    await db.writer.outboxLease.create({ data: { tenantId: 'tz-tenant', holder: 'h1', expiresAt: at } });
    const read = await db.readSql.query(Prisma.sql\`SELECT "tenantId" FROM "OutboxLease" WHERE "expiresAt" = \${at}\`);
    const matched = await db.writeSql.execute(Prisma.sql\`UPDATE "OutboxLease" SET "holder" = 'h2' WHERE "expiresAt" = \${at}\`);
    await db.writeSql.execute(Prisma.sql\`UPDATE "OutboxLease" SET "expiresAt" = \${later} WHERE "tenantId" = 'tz-tenant'\`);
    const stored = (await db.reader.outboxLease.findUnique({ where: { tenantId: 'tz-tenant' } })).expiresAt;
    // Read back as instants: whole seconds, and fractions PostgreSQL writes with their trailing zeros cut (.25, .1).
    const instants = ['2026-12-01T22:15:30.000Z', '2026-12-01T22:15:30.250Z', '2026-12-01T22:15:30.100Z', '1999-12-31T23:59:59.999Z', '2026-01-09T03:04:05.123Z'];
    for (const [i, iso] of instants.entries()) await db.writer.outboxLease.create({ data: { tenantId: 'tz-' + i, holder: 'h', expiresAt: new Date(iso) } });
    const back = (await db.readSql.query(Prisma.sql\`SELECT "expiresAt" FROM "OutboxLease" WHERE "holder" = 'h' ORDER BY "tenantId"\`)).map((r) => r.expiresAt.toISOString());
    console.log(JSON.stringify({ offset: at.getTimezoneOffset(), read, matched, stored: stored.toISOString(), readBack: back.join(',') === instants.join(',') || back }));
  } finally {
    await db.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('raw SQL on PostgreSQL on a host whose time zone is not UTC', () => {
  // (The raw reader also parses timestamps by their digits: the instants below come back as written.)
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshPostgresDatabase('raw_sql_tz');
  }, 120_000);
  afterAll(() => t?.close());

  it('reads and writes by a stored instant', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', SCRIPT], {
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, TZ: 'America/New_York', DATABASE_URL: t.url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(out).toEqual({ offset: 300, read: [{ tenantId: 'tz-tenant' }], matched: 1, stored: '2026-12-01T22:16:30.250Z', readBack: true });
  }, 90_000);
});

describe('raw reads on PostgreSQL: named statements, and the ones planned for their values', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshPostgresDatabase('raw_sql_plans');
  }, 120_000);
  afterAll(() => t?.close());

  it('a statement planned for its values is sent unnamed: never cached for a generic plan', async () => {
    // One connection, so that the session whose prepared statements are listed is the one that ran them.
    const pool = new Pool({ connectionString: t.url, max: 1 });
    try {
      const reader = new PgSqlReader(pool);
      const prepared = async () =>
        (await reader.query<{ statement: string }>(Prisma.sql`SELECT "statement" FROM pg_prepared_statements WHERE "statement" LIKE ${'%"Tenant"%'}`)).map((r) => r.statement);
      await reader.query(Prisma.sql`SELECT "id" FROM "Tenant" WHERE "id" = ${'named'}`);
      await reader.query(Prisma.sql`SELECT "id", "name" FROM "Tenant" WHERE "id" = ${'unnamed'}`, { planForValues: true });
      const statements = await prepared();
      expect(statements.some((s) => s.includes('SELECT "id" FROM "Tenant"'))).toBe(true);
      expect(statements.some((s) => s.includes('"name"'))).toBe(false);
    } finally {
      await pool.end();
    }
  }, 60_000);
});
