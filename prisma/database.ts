import type { PrismaClient } from './generated/client';
import type { Db, SqlRunner } from './repositories/support';
import type { Prisma } from './generated/client';

export interface SqlWriter {
  execute(statement: Prisma.Sql): Promise<number>;
}

/**
 * The one boundary between the product and its database engine. `DATABASE_URL` picks the engine:
 * `file:…` is SQLite (the embedded default, prisma/sqlite-database.ts), `postgresql://…` (or
 * `postgres://…`) is PostgreSQL (prisma/postgres-database.ts, loaded only when asked for). Both give
 * the same Database: the repositories, the unit of work and the use cases above it don't know which.
 */
export type EngineName = 'sqlite' | 'postgresql';

export interface Database {
  readonly engine: EngineName;
  /** Runs every write, inside interactive transactions (PrismaUnitOfWork.run). */
  writer: PrismaClient;
  /** Reads committed state outside any transaction. */
  reader: PrismaClient;
  /** The read repositories' raw SELECTs, without the Prisma client's per-query cost (committed state). */
  readSql: SqlRunner & { close(): void | Promise<void> };
  /**
   * One write statement committed on its own, without the Prisma client's per-query work and without
   * an interactive transaction's BEGIN and COMMIT round trips: for the outbox sender's per-message
   * bookkeeping on PostgreSQL, where each round trip is another process's turn. Returns the rows it
   * changed. Absent on SQLite (a statement there is a function call; its writes keep the writer).
   */
  writeSql?: SqlWriter;
  /** What every write transaction runs first (SQLite: take the write lock up front; PostgreSQL: nothing). */
  startWrite(tx: Db): Promise<void>;
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
