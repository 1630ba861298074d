import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { PrismaClient } from './generated/client';
import { refreshStatistics, sqlitePathFromUrl } from './migrate';
import { SqliteSqlConnection, SqliteSqlReader } from './sql-reader';
import { TransactionTimeoutError, transactionEnded, transactionLimits, withinTimeout, type Database, type SqliteOpenOptions, type TransactionOptions } from './database';
import type { SqlSession } from './repositories/support';
import type { Prisma } from './generated/client';

/**
 * SQLite's side of the engine boundary (prisma/client.ts). A database is, on one file:
 *
 * - the writer's better-sqlite3 connection, on which every write transaction of the process runs,
 *   one at a time (SqliteTransactions below);
 * - `readSql`, a read-only connection (`query_only`) for the read repositories' raw SELECTs: in WAL
 *   mode it reads the last committed state and never waits for the writer (prisma/sql-reader.ts);
 * - two Prisma clients (`writer`, and `reader`, query-only), for seeding, tools and tests. The
 *   better-sqlite3 adapter serializes its own interactive transactions, but a query sent outside one
 *   is not queued behind it: it would run inside whatever transaction is in flight. So only
 *   `$transaction` should use `writer`, and not while the product's own transactions run.
 *
 * The SQLite specifics live here: pragmas, the planner's statistics, busy waits
 * and the write lock every write transaction takes first.
 */

export const STATISTICS_INTERVAL_MS = 10 * 60_000;

const READ_ONLY = 'PRAGMA query_only = ON';

const pragmasFor = (busyTimeoutMs: number): string[] => [
  'PRAGMA journal_mode = WAL',
  'PRAGMA foreign_keys = ON',
  `PRAGMA busy_timeout = ${busyTimeoutMs}`,
  // With WAL, NORMAL is durable against application crashes; only a power loss can drop the last commits.
  'PRAGMA synchronous = NORMAL',
];

type AdapterFactory = Pick<PrismaBetterSqlite3, 'provider' | 'adapterName' | 'connect' | 'connectToShadowDb'>;

/**
 * The adapter opens its connection itself, so pragmas are applied to every connection it makes
 * (through the adapter's public `executeScript`). Prisma's clients serve seeding, tools and tests
 * only: the product's reads and writes run on connections of our own (readSql, SqliteTransactions).
 */
const withPragmas = (inner: PrismaBetterSqlite3, pragmas: readonly string[]): AdapterFactory => {
  const script = pragmas.map((p) => `${p};`).join('\n');
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => {
      const adapter = await inner.connect();
      await adapter.executeScript(script);
      return adapter;
    },
    connectToShadowDb: () => inner.connectToShadowDb(),
  };
};

const clientFor = (file: string, busyTimeoutMs: number, extraPragmas: readonly string[]): PrismaClient =>
  new PrismaClient({
    // Prisma's own choice under NODE_ENV=production, here in every environment: the other formats
    // capture a stack trace on every query (to quote the calling line in an error's message), a fifth
    // of the client's time on a small read. Errors keep their class, code and meta; logs keep the stack.
    errorFormat: 'minimal',
    adapter: withPragmas(new PrismaBetterSqlite3({ url: `file:${file}`, timeout: busyTimeoutMs }), [...pragmasFor(busyTimeoutMs), ...extraPragmas]),
  });

/**
 * The write transactions of one process, one at a time on the writer's connection (SQLite has one
 * writer per database; two connections of one process would wait for each other's lock
 * synchronously, blocking the event loop that the holder needs to finish). Each takes the write
 * lock up front (BEGIN IMMEDIATE): a deferred transaction that reads and then writes can't wait for
 * another process's lock, SQLite fails it at once (SQLITE_BUSY_SNAPSHOT); IMMEDIATE waits up to the
 * busy timeout. Statements are synchronous calls into SQLite, so a transaction holds the lock only
 * for its own work, however many turns are waiting.
 */
class SqliteTransactions {
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly connection: SqliteSqlConnection) {}

  async run<T>(work: (tx: SqlSession) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const { maxWaitMs, timeoutMs } = transactionLimits(options);
    await this.acquire(maxWaitMs);
    let open = true;
    const connection = this.connection;
    const session: SqlSession = {
      query: <R>(query: Prisma.Sql): Promise<R[]> => {
        try {
          if (!open) throw transactionEnded();
          return Promise.resolve(connection.all(query) as R[]);
        } catch (e) {
          return Promise.reject(e);
        }
      },
      execute: (statement: Prisma.Sql): Promise<number> => {
        try {
          if (!open) throw transactionEnded();
          return Promise.resolve(connection.run(statement));
        } catch (e) {
          return Promise.reject(e);
        }
      },
    };
    try {
      connection.exec('BEGIN IMMEDIATE');
      const result = await withinTimeout(work(session), timeoutMs);
      open = false;
      connection.exec('COMMIT');
      return result;
    } catch (e) {
      open = false;
      if (connection.inTransaction) connection.exec('ROLLBACK');
      throw e;
    } finally {
      this.release();
    }
  }

  private acquire(maxWaitMs: number): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const turn = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(turn);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(new TransactionTimeoutError(`No write transaction could start within ${maxWaitMs} ms: the writer was busy`));
      }, maxWaitMs);
      this.waiting.push(turn);
    });
  }

  /** The next waiting transaction goes (the lock passes straight to it), or the writer is free. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}

/** `file:./data/app.db` (relative to the working directory) or `file:/abs/path.db`. Migrations are applied separately (prisma/migrate.ts). */
export const openSqliteDatabase = (url: string, options: SqliteOpenOptions = {}): Database => {
  const file = sqlitePathFromUrl(url);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  mkdirSync(path.dirname(file), { recursive: true });
  const writer = clientFor(file, busyTimeoutMs, []);
  const reader = clientFor(file, busyTimeoutMs, [READ_ONLY]);
  const readSql = new SqliteSqlReader(file, [...pragmasFor(busyTimeoutMs), READ_ONLY], busyTimeoutMs);
  const writeConnection = new SqliteSqlConnection(file, pragmasFor(busyTimeoutMs), busyTimeoutMs, false);
  const transactions = new SqliteTransactions(writeConnection);
  const transaction = <T>(work: (tx: SqlSession) => Promise<T>, options?: TransactionOptions) => transactions.run(work, options);
  const refresh = (): string[] => {
    const db = new BetterSqlite3(file, { timeout: busyTimeoutMs });
    try {
      const analyzed = refreshStatistics(db);
      // A connection reads the statistics when it opens: the SQL reader, which runs the paged reads,
      // reopens on its next query. Prisma's connections keep theirs until restart; their queries are
      // key and single-index lookups, planned alike with or without statistics.
      if (analyzed.length > 0) readSql.close();
      return analyzed;
    } finally {
      db.close();
    }
  };
  const intervalMs = options.statisticsIntervalMs ?? STATISTICS_INTERVAL_MS;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          try {
            refresh();
          } catch {
            // Busy (another process writing) or closing: the next tick tries again; plans stay valid meanwhile.
          }
        }, intervalMs)
      : undefined;
  timer?.unref();
  return {
    engine: 'sqlite',
    writer,
    reader,
    readSql,
    transaction,
    writeSql: { execute: (statement) => transaction((tx) => tx.execute(statement)), query: (statement) => transaction((tx) => tx.query(statement)) },
    refreshStatistics: () => Promise.resolve(refresh()),
    close: async () => {
      if (timer) clearInterval(timer);
      readSql.close();
      await transactions.run(() => Promise.resolve()).catch(() => undefined); // the last transaction ends first
      writeConnection.close();
      await Promise.all([writer.$disconnect(), reader.$disconnect()]);
    },
  };
};
