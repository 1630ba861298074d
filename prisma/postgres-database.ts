import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, types, type PoolClient, type PoolConfig, type QueryConfig } from 'pg';
import { PrismaClient as PostgresPrismaClient } from './generated-pg/client';
import type { PrismaClient, Prisma } from './generated/client';
import {
  TransactionTimeoutError,
  transactionEnded,
  transactionLimits,
  withinTimeout,
  type Database,
  type PostgresOpenOptions,
  type SqlWriter,
  type TransactionOptions,
} from './database';
import type { QueryOptions, SqlRunner, SqlSession } from './repositories/support';

/**
 * PostgreSQL's side of the engine boundary (prisma/client.ts), on node-postgres pools (the driver
 * @prisma/adapter-pg is built on; its Prisma clients share them):
 *
 * - the writers' pool: each write transaction holds one connection (PgTransactions), so transactions
 *   run in parallel, on this instance and on every other one. Isolation is PostgreSQL's default, READ
 *   COMMITTED; what keeps concurrent writers correct is in the rows themselves: the rows a change is
 *   about are read FOR UPDATE, every aggregate write is conditional on the version it read (a loser
 *   waits on the row lock, then matches nothing and retries on fresh state), and a duplicate key is a
 *   conflict. The counts kept by triggers change by single-row updates inside the writing
 *   transaction (no lost updates). `writeSql`: single statements committed on their own, same pool.
 * - the readers' pool of read-only sessions (`default_transaction_read_only`), like SQLite's
 *   query-only reader: a write sent to it fails. `readSql` runs the read repositories' raw SELECTs on it.
 * - `writer` and `reader`: Prisma clients through @prisma/adapter-pg on the same two pools, for
 *   seeding, tools and tests.
 *
 * Every statement is named (a hash of the SQL text), so each connection parses and plans it once.
 * Behind a pooler in transaction mode that needs protocol-level prepared statements (PgBouncer 1.21+
 * `max_prepared_statements`); on a direct connection nothing is needed.
 *
 * The generated PostgreSQL client (prisma/generated-pg, same schema, provider postgresql) has the same
 * models and methods as the SQLite one; it is handed out under that type, here and only here.
 */
/** Statement names from the SQL text: the same text gets the same name on every connection. */
const statementNames = (max = 2000) => {
  const names = new Map<string, string>();
  return (sql: string): string => {
    let name = names.get(sql);
    if (name === undefined) {
      name = `s${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      if (names.size >= max) names.delete(names.keys().next().value!);
      names.set(sql, name);
    }
    return name;
  };
};

// Prisma's DateTime is TIMESTAMP(3) WITHOUT TIME ZONE holding UTC: read it as UTC, not local time.
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const INT8 = 20;
const NUMERIC = 1700;
const digit = (text: string, i: number): number => text.charCodeAt(i) - 48;
/**
 * 'YYYY-MM-DD HH:MM:SS[.fff…]' as PostgreSQL writes a TIMESTAMP, read as UTC: by its digits (an
 * export reads one per row; half the time of parsing the text as a date), anything else (BC, infinity)
 * as a date string.
 */
const parseUtcTimestamp = (text: string): Date => {
  if (text.length >= 19 && text.charCodeAt(4) === 45 && text.charCodeAt(10) === 32 && (text.length === 19 || text.charCodeAt(19) === 46)) {
    let ms = 0;
    for (let i = 20, scale = 100; i < 23 && i < text.length; i++, scale /= 10) ms += digit(text, i) * scale;
    return new Date(
      Date.UTC(
        digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3),
        digit(text, 5) * 10 + digit(text, 6) - 1,
        digit(text, 8) * 10 + digit(text, 9),
        digit(text, 11) * 10 + digit(text, 12),
        digit(text, 14) * 10 + digit(text, 15),
        digit(text, 17) * 10 + digit(text, 18),
        ms,
      ),
    );
  }
  return new Date(`${text.replace(' ', 'T')}Z`);
};
/** The row types the repositories expect from a raw read, as the SQLite reader gives them: Date, number, boolean, string. */
const READ_TYPES: QueryConfig['types'] = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format === undefined || format === 'text') {
      if (oid === TIMESTAMP) return parseUtcTimestamp;
      if (oid === TIMESTAMPTZ) return (text: string) => new Date(text);
      // COUNT(*) is an int8 and SUM over integers an int8 or a numeric: counts and sums of minor units, well within 2^53.
      if (oid === INT8 || oid === NUMERIC) return Number;
    }
    return types.getTypeParser(oid, format as 'text');
  }) as NonNullable<QueryConfig['types']>['getTypeParser'],
};

/**
 * A query's values as PostgreSQL should read them. node-postgres sends a Date as local time with its
 * offset, and a TIMESTAMP WITHOUT TIME ZONE parameter drops the offset: on a host whose time zone is
 * not UTC every compared instant would be off by it. Prisma's DateTime columns hold UTC (as the
 * adapter writes them), so a Date goes as its UTC wall time.
 */
const boundValues = (query: Prisma.Sql): unknown[] => query.values.map((v) => (v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : v));

/** One statement on the writers' pool, committed on its own (Database.writeSql). */
export class PgSqlWriter implements SqlWriter {
  private readonly name = statementNames();
  constructor(private readonly pool: Pool) {}

  async execute(statement: Prisma.Sql): Promise<number> {
    const result = await this.pool.query({ name: this.name(statement.text), text: statement.text, values: boundValues(statement) });
    return result.rowCount ?? 0;
  }

  /** A statement that returns rows (RETURNING, or a SELECT on the writers' side), typed as the readers' are. */
  async query<T>(statement: Prisma.Sql): Promise<T[]> {
    const result = await this.pool.query({ name: this.name(statement.text), text: statement.text, values: boundValues(statement), types: READ_TYPES });
    return result.rows as T[];
  }
}

/**
 * The raw SELECTs of the read repositories on the readers' pool, without the Prisma client's
 * per-query work: `Prisma.sql` already wrote PostgreSQL's placeholders ($1, $2, …) in `.text`. Values
 * come back as the SQLite reader returns them (prisma/sql-reader.ts): timestamps as Date, booleans as
 * boolean, integers and counts as numbers.
 */
export class PgSqlReader implements SqlRunner {
  private readonly name = statementNames();
  constructor(private readonly pool: Pool) {}

  async query<T>(query: Prisma.Sql, options: QueryOptions = {}): Promise<T[]> {
    // Unnamed: parsed and planned for these values each time (see QueryOptions).
    const name = options.planForValues ? undefined : this.name(query.text);
    const result = await this.pool.query({ ...(name && { name }), text: query.text, values: boundValues(query), types: READ_TYPES });
    return result.rows as T[];
  }

  close(): void {
    // The pool is the readers' and closes with the database.
  }
}

/**
 * The write transactions, each on a connection of the writers' pool: BEGIN, `work`'s statements
 * (named as the readers' are, so each connection parses and plans one once), COMMIT, or ROLLBACK if
 * it throws or outlives its timeout. Rows come back typed as the readers' do.
 */
export class PgTransactions {
  private readonly name = statementNames();
  constructor(private readonly pool: Pool) {}

  async run<T>(work: (tx: SqlSession) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const { maxWaitMs, timeoutMs } = transactionLimits(options);
    const client = await this.connect(maxWaitMs);
    let open = true;
    let broken: Error | undefined;
    const ensureOpen = () => {
      if (!open) throw transactionEnded();
    };
    const session: SqlSession = {
      query: async <R>(query: Prisma.Sql, queryOptions: QueryOptions = {}): Promise<R[]> => {
        ensureOpen();
        const name = queryOptions.planForValues ? undefined : this.name(query.text);
        const result = await client.query({ ...(name && { name }), text: query.text, values: boundValues(query), types: READ_TYPES });
        return result.rows as R[];
      },
      execute: async (statement: Prisma.Sql): Promise<number> => {
        ensureOpen();
        const result = await client.query({ name: this.name(statement.text), text: statement.text, values: boundValues(statement) });
        return result.rowCount ?? 0;
      },
    };
    try {
      await client.query('BEGIN');
      const result = await withinTimeout(work(session), timeoutMs);
      open = false;
      await client.query('COMMIT');
      return result;
    } catch (e) {
      open = false;
      // After a failed statement PostgreSQL has aborted the transaction already; ROLLBACK ends it. A
      // connection that can't even do that is not given back to the pool.
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw e;
    } finally {
      client.release(broken);
    }
  }

  /** A connection of the pool within `maxWaitMs`; one that arrives later goes straight back. */
  private async connect(maxWaitMs: number): Promise<PoolClient> {
    const connecting = this.pool.connect();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        connecting.then(
          (c) => c.release(),
          () => undefined,
        );
        reject(new TransactionTimeoutError(`No write transaction could start within ${maxWaitMs} ms: every connection of the pool was busy`));
      }, maxWaitMs);
    });
    try {
      return await Promise.race([connecting, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

const poolOf = (url: string, max: number, readOnly: boolean, applicationName: string): Pool => {
  const config: PoolConfig = {
    connectionString: url,
    max,
    application_name: applicationName,
    // Readers: read-only sessions, and random_page_cost 1.1 instead of PostgreSQL's 4 (which prices a
    // page read by key as on a spinning disk): the reads are key lookups on rows in memory, and with
    // the default a small tenant's tables look cheaper to scan whole (measured: the export at ×1, a
    // batch of 256 rows by key, 19k rows/s through scans).
    ...(readOnly ? { options: '-c default_transaction_read_only=on -c random_page_cost=1.1' } : {}),
  };
  const pool = new Pool(config);
  // An idle connection that the server or the network dropped: pg emits it on the pool, and an
  // unhandled 'error' would end the process. The pool replaces the connection on the next query.
  pool.on('error', () => undefined);
  return pool;
};

export const openPostgresDatabase = (url: string, options: PostgresOpenOptions = {}): Database => {
  const writePool = poolOf(url, options.writePoolSize ?? 10, false, 'ssp-writer');
  const readPool = poolOf(url, options.readPoolSize ?? 10, true, 'ssp-reader');
  const named = statementNames();
  const clientOn = (pool: Pool): PrismaClient =>
    new PostgresPrismaClient({
      errorFormat: 'minimal',
      adapter: new PrismaPg(pool, { statementNameGenerator: (query) => named(query.sql) }),
    }) as unknown as PrismaClient;
  const writer = clientOn(writePool);
  const transactions = new PgTransactions(writePool);
  const reader = clientOn(readPool);
  return {
    engine: 'postgresql',
    writer,
    reader,
    readSql: new PgSqlReader(readPool),
    writeSql: new PgSqlWriter(writePool),
    transaction: (work, options) => transactions.run(work, options),
    // autovacuum keeps the planner's statistics and the visibility map; a bulk change (an import, a
    // directory sync) asks for both at once: without the visibility map the covering indexes the paged
    // reads are built on can't be read alone (an index-only scan visits the table for every entry).
    // Twice: after a change of every row, the first pass removes the old versions (and their index
    // entries) but leaves most pages not marked all-visible; the second marks them. Measured on
    // PostgreSQL 15 after the x10 seed: the licenses view's groups read 1,680 rows from the table
    // after one pass (5.1 ms), none after two (0.8 ms).
    refreshStatistics: async () => {
      const tables = ['"Subscription"', '"LicenseAssignment"', '"DirectoryUser"', '"DirectorySearchTerm"', '"SubscriptionTally"'];
      const client = await writePool.connect();
      try {
        for (const table of tables) {
          await client.query(`VACUUM (ANALYZE) ${table}`);
          await client.query(`VACUUM ${table}`);
        }
      } finally {
        client.release();
      }
      return tables;
    },
    close: async () => {
      await Promise.all([writer.$disconnect(), reader.$disconnect()]);
      await Promise.all([writePool.end(), readPool.end()]);
    },
  };
};
