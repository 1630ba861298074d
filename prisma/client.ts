import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/client';
import { sqlitePathFromUrl } from './migrate';

/**
 * The one Prisma client module. A database is two connections to the same SQLite file:
 *
 * - `writer` runs every write, inside interactive transactions. The better-sqlite3 adapter has a
 *   single connection and serializes interactive transactions with a mutex, but a query sent outside
 *   a transaction is not queued behind it: it would run inside whatever transaction is in flight and
 *   see (or become part of) uncommitted work. So nothing but `$transaction` should use `writer`.
 * - `reader` is a second connection. In WAL mode it reads the last committed state and never waits
 *   for the writer; it is `query_only`, so a write sent to it fails instead of escaping a transaction.
 */
export interface Database {
  writer: PrismaClient;
  reader: PrismaClient;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * How long a statement waits for another process's write lock before SQLITE_BUSY. better-sqlite3
   * is synchronous: the wait blocks this process's event loop, so keep it short.
   */
  busyTimeoutMs?: number;
}

const pragmasFor = (busyTimeoutMs: number): string[] => [
  'PRAGMA journal_mode = WAL',
  'PRAGMA foreign_keys = ON',
  `PRAGMA busy_timeout = ${busyTimeoutMs}`,
  // With WAL, NORMAL is durable against application crashes; only a power loss can drop the last commits.
  'PRAGMA synchronous = NORMAL',
];

type AdapterFactory = Pick<PrismaBetterSqlite3, 'provider' | 'adapterName' | 'connect' | 'connectToShadowDb'>;

/** The adapter opens its connection itself, so pragmas are applied to every connection it makes. */
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
    adapter: withPragmas(new PrismaBetterSqlite3({ url: `file:${file}`, timeout: busyTimeoutMs }), [...pragmasFor(busyTimeoutMs), ...extraPragmas]),
  });

/** `file:./data/app.db` (relative to the working directory) or `file:/abs/path.db`. Migrations are applied separately (prisma/migrate.ts). */
export const openDatabase = (url: string, options: OpenOptions = {}): Database => {
  const file = sqlitePathFromUrl(url);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  mkdirSync(path.dirname(file), { recursive: true });
  const writer = clientFor(file, busyTimeoutMs, []);
  const reader = clientFor(file, busyTimeoutMs, ['PRAGMA query_only = ON']);
  return {
    writer,
    reader,
    close: async () => {
      await Promise.all([writer.$disconnect(), reader.$disconnect()]);
    },
  };
};
