import type { PrismaClient } from './generated/client';
import type { SqlRunner, SqlSession } from './repositories/support';
import type { Prisma } from './generated/client';

/** Statements that each commit on their own (Database.writeSql). */
export interface SqlWriter {
  execute(statement: Prisma.Sql): Promise<number>;
  /** A write that returns rows (RETURNING). */
  query<T>(statement: Prisma.Sql): Promise<T[]>;
}

/**
 * The one boundary between the product and its database engine. `DATABASE_URL` picks the engine:
 * `file:…` is SQLite (the embedded default, prisma/sqlite-database.ts), `postgresql://…` (or
 * `postgres://…`) is PostgreSQL (prisma/postgres-database.ts, loaded only when asked for). Both give
 * the same Database: the repositories, the unit of work and the use cases above it don't know which.
 */
export type EngineName = 'sqlite' | 'postgresql';

export interface TransactionOptions {
  /** How long to wait for the writer (SQLite: this process's other transactions; PostgreSQL: a pooled connection). */
  maxWaitMs?: number;
  /** How long `work` may take: then it is rolled back and its later statements fail. */
  timeoutMs?: number;
}

const TRANSACTION_DEFAULTS: Required<TransactionOptions> = { maxWaitMs: 10_000, timeoutMs: 15_000 };

/** The options with the defaults for what they leave out (or leave `undefined`). */
export const transactionLimits = (options: TransactionOptions = {}): Required<TransactionOptions> => ({
  maxWaitMs: options.maxWaitMs ?? TRANSACTION_DEFAULTS.maxWaitMs,
  timeoutMs: options.timeoutMs ?? TRANSACTION_DEFAULTS.timeoutMs,
});

/** What a statement meets on a session whose transaction committed, rolled back or timed out. */
export const transactionEnded = (): Error => new Error('This transaction has ended: a statement after its commit, rollback or timeout');

/** A transaction that outlived its `timeoutMs` (rolled back), or waited past `maxWaitMs` for the writer (never begun). */
export class TransactionTimeoutError extends Error {
  override name = 'TransactionTimeoutError';
}

/**
 * `running` (a transaction's work), or a TransactionTimeoutError once it has taken `timeoutMs`: the
 * caller then rolls back, and the work, left to settle on its own, finds its session closed.
 */
export const withinTimeout = async <T>(running: Promise<T>, timeoutMs: number): Promise<T> => {
  running.catch(() => undefined); // settled after a timeout: nobody waits for it any more
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransactionTimeoutError(`The transaction took longer than ${timeoutMs} ms and was rolled back`)), timeoutMs);
  });
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
};

export interface Database {
  readonly engine: EngineName;
  /**
   * Every write of the product: `work` runs its statements on one connection inside BEGIN … COMMIT,
   * rolled back if it throws (or outlives `timeoutMs`). Our own transaction on the engine's driver,
   * not a Prisma interactive transaction: that costs 0.4–0.6 ms of CPU per statement and 0.4 for its
   * BEGIN and COMMIT, which is most of a write turn (bench/RESULTS.md, 2026-12-04).
   * SQLite: one at a time per process, on the writer's connection, which it takes up front (BEGIN
   * IMMEDIATE, waiting for another process's lock up to the busy timeout). PostgreSQL: in parallel,
   * one pooled connection each, at READ COMMITTED; the repositories lock what they change (FOR UPDATE).
   */
  transaction<T>(work: (tx: SqlSession) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * One write statement committed on its own: for the outbox sender's per-message bookkeeping.
   * PostgreSQL: without BEGIN and COMMIT round trips; SQLite: a transaction of one statement.
   * Returns the rows it changed.
   */
  writeSql: SqlWriter;
  /** Reads committed state outside any transaction: the read repositories' raw SELECTs. */
  readSql: SqlRunner & { close(): void | Promise<void> };
  /**
   * Prisma clients on the same database (a writer and a read-only reader), for seeding, tools and
   * tests; the product's own statements go through `transaction` and `readSql`. On SQLite the writer
   * is a second connection: don't write through it while transactions run (one would wait for the
   * other's lock synchronously, for the busy timeout).
   */
  writer: PrismaClient;
  reader: PrismaClient;
  /**
   * Refreshes the planner's statistics where the data changed a lot, as the periodic check does; call
   * it after a bulk change (an import, a directory sync of a large tenant). Returns the tables analyzed.
   */
  refreshStatistics(): Promise<string[]>;
  close(): Promise<void>;
}

export interface SqliteOpenOptions {
  /**
   * How long a statement waits for another process's write lock before SQLITE_BUSY. better-sqlite3
   * is synchronous: the wait blocks this process's event loop, so keep it short.
   */
  busyTimeoutMs?: number;
  /** How often to check whether the statistics need a refresh (0: never). Default 10 minutes. */
  statisticsIntervalMs?: number;
}

export interface PostgresOpenOptions {
  /** Connections in the writer's pool (each interactive transaction holds one). Default 10. */
  writePoolSize?: number;
  /** Connections in the readers' pool. Default 10. */
  readPoolSize?: number;
}

export type OpenOptions = SqliteOpenOptions & PostgresOpenOptions;
