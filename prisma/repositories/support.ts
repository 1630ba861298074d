import { Prisma } from '../generated/client';
import type { Page } from '../../domain/model';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { MAX_IDS_PER_QUERY } from '../../domain/ports';
import type { Money } from '../../domain/shared/money';

/** What every repository is built on: the client itself or an interactive transaction's client. */
export type Db = Prisma.TransactionClient;

/**
 * Runs a raw SELECT written with `Prisma.sql` (Prisma writes each database's placeholders). Through
 * Prisma by default (`viaPrisma`); the read repositories get prisma/sql-reader.ts instead, which runs
 * the same SQL without the client's per-query cost.
 */
export interface QueryOptions {
  /**
   * The statement's best plan depends on its values (one purchaser with thousands of subscriptions
   * beside purchasers with one or two). PostgreSQL switches a named statement to one generic plan
   * after five runs; for such a statement that plan fits the typical values and not the large ones
   * (measured: the licenses view's page with a 1,667-subscription group, 10 → 120–180 ms once the
   * generic plan took over). Sent unnamed, it is planned for its values on every run. SQLite plans
   * each statement for its values already; a runner that can't tell (Prisma's) ignores it.
   */
  planForValues?: boolean;
}

export interface SqlRunner {
  query<T>(query: Prisma.Sql, options?: QueryOptions): Promise<T[]>;
}

/**
 * What the repositories run on: raw statements written with `Prisma.sql`. A write transaction
 * (Database.transaction) is one; so is the read side (its `execute` refuses), and, for tests and
 * tools, a Prisma client or interactive transaction (`viaPrisma`).
 */
export interface SqlSession extends SqlRunner {
  /** An INSERT, UPDATE or DELETE; returns the rows it changed. */
  execute(statement: Prisma.Sql): Promise<number>;
}

export const viaPrisma = (db: Db): SqlSession => ({
  query: <T>(query: Prisma.Sql) => db.$queryRaw<T[]>(query),
  execute: (statement: Prisma.Sql) => db.$executeRaw(statement),
});

/** The read side of the unit of work: its statements are SELECTs, and a write is refused here as well as by the read-only connection. */
export const readOnly = (sql: SqlRunner): SqlSession => ({
  query: (query, options) => sql.query(query, options),
  execute: () => Promise.reject(new Error('This is a read-only session: writes run in a transaction (UnitOfWork.run)')),
});

const quoted = (column: string): string => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) throw new Error(`Not a column name: ${column}`);
  return `"${column}"`;
};

type RowValues = Record<string, unknown>;

/** Rows per INSERT: well within both engines' bound-parameter limits (SQLite 32,766; PostgreSQL 65,535) for our widest table. */
const ROWS_PER_INSERT = 500;

/**
 * `INSERT INTO "table" (columns of the first row) VALUES (…), (…)`, one statement per
 * ROWS_PER_INSERT rows. Column names are the keys of our own row objects (checked to be plain
 * names); every value is bound. Returns the statements (run them in order with `execute`).
 */
export const insertInto = (table: string, rows: readonly RowValues[], suffix: Prisma.Sql = Prisma.empty): Prisma.Sql[] => {
  if (rows.length === 0) return [];
  const names = Object.keys(rows[0]);
  const head = Prisma.raw(`INSERT INTO ${quoted(table)} (${names.map(quoted).join(', ')}) VALUES `);
  const out: Prisma.Sql[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const values = rows.slice(i, i + ROWS_PER_INSERT).map((row) => Prisma.sql`(${Prisma.join(names.map((n) => row[n] ?? null))})`);
    out.push(Prisma.sql`${head}${Prisma.join(values)}${suffix}`);
  }
  return out;
};

/** Runs insertInto's statements; returns the rows inserted. */
export const insert = async (sql: SqlSession, table: string, rows: readonly RowValues[]): Promise<number> => {
  let n = 0;
  for (const statement of insertInto(table, rows)) n += await sql.execute(statement);
  return n;
};

/**
 * Inserts the rows, or where one with the same `keys` exists, sets every other column of the row to
 * the new values (INSERT … ON CONFLICT (keys) DO UPDATE, on both engines).
 */
export const upsert = async (sql: SqlSession, table: string, rows: readonly RowValues[], keys: readonly string[]): Promise<void> => {
  if (rows.length === 0) return;
  const changed = Object.keys(rows[0]).filter((name) => !keys.includes(name));
  const onConflict = Prisma.raw(` ON CONFLICT (${keys.map(quoted).join(', ')}) DO UPDATE SET ${changed.map((name) => `${quoted(name)} = excluded.${quoted(name)}`).join(', ')}`);
  for (const statement of insertInto(table, rows, onConflict)) await sql.execute(statement);
};

/** `"a" = $1, "b" = $2` for an UPDATE's SET, from a row object's keys and values. */
export const assignments = (values: RowValues): Prisma.Sql =>
  Prisma.join(
    Object.entries(values).map(([name, value]) => Prisma.sql`${Prisma.raw(quoted(name))} = ${value ?? null}`),
    ', ',
  );

/** `"a", "b"` from names. */
export const columnNames = (names: readonly string[]): Prisma.Sql => Prisma.raw(names.map(quoted).join(', '));

/**
 * How a write transaction's reads of the rows it is about to change lock them. PostgreSQL runs
 * writers in parallel: `FOR UPDATE` makes a second writer of the same subscription, invoice or
 * request wait for the first to commit and then read what it wrote (no lost update, no double charge
 * of one bill, no retry storm when thirty assigns hit one subscription). SQLite's write transaction
 * already holds the whole database: nothing to add.
 */
export const FOR_UPDATE = Prisma.sql` FOR UPDATE`;

export const conflict = (what: string, details: Record<string, unknown> = {}): DomainError =>
  new DomainError(ErrorCodes.CONCURRENCY_CONFLICT, `${what} changed meanwhile`, details);

/**
 * A duplicate key, however it was reported: Prisma's P2002 (a Prisma client or transaction), or
 * the driver's own code from our transactions (prisma/database.ts): better-sqlite3's
 * SQLITE_CONSTRAINT_PRIMARYKEY or _UNIQUE, PostgreSQL's 23505.
 */
export const isUniqueViolation = (e: unknown): boolean => {
  if (e instanceof Prisma.PrismaClientKnownRequestError) return e.code === 'P2002' || /UNIQUE constraint|duplicate key/i.test(e.message);
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
};

/** A unique violation means someone wrote the same row first: the unit of work retries on a conflict. */
export const uniqueAsConflict = async <T>(what: string, write: () => Promise<T>): Promise<T> => {
  try {
    return await write();
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(what);
    throw e;
  }
};

export const toMoney = (amountMinor: number, currency: string): Money => ({ amountMinor, currency });

/** Pages are 1-based, as parsePaging returns them. */
export const pageWindow = (page: number, pageSize: number): { skip: number; take: number } => ({ skip: (page - 1) * pageSize, take: pageSize });

export const toPage = <T>(items: T[], total: number, page: number, pageSize: number): Page<T> => ({ items, total, page, pageSize });

/**
 * A column list for a raw SELECT (`"a", "b"` or `x."a", x."b"`), from the same names the model has.
 * Raw reads cost a fraction of the query builder's (no query plan to build or interpret, rows
 * returned as the driver typed them: DATETIME as Date, BOOLEAN as boolean, INTEGER as number), so the
 * reads a bot turn makes are written this way; the tests check they return what the builder did.
 */
export const columns = (names: readonly string[], alias?: string): Prisma.Sql => Prisma.raw(names.map((n) => `${alias ? `${alias}.` : ''}"${n}"`).join(', '));

/**
 * LIMIT and OFFSET written into the SQL text, not bound. With them bound, the SQLite in better-sqlite3
 * (3.53) plans the statement again on every run: the purchases page took 27 µs instead of 12 (4× on
 * a trivial query). A page's window comes from parsePaging, and is checked again here: it is SQL text.
 */
export const limitOffset = (take: number, skip: number): Prisma.Sql => {
  if (!Number.isSafeInteger(take) || !Number.isSafeInteger(skip) || take < 0 || skip < 0) throw new RangeError(`Bad page window: take ${take}, skip ${skip}`);
  return Prisma.raw(`LIMIT ${take} OFFSET ${skip}`);
};

/** COUNT(*) comes back as a bigint from SQLite (and PostgreSQL). */
export const countOf = (value: bigint | number | null | undefined): number => Number(value ?? 0);

/** Enum-like columns are plain strings (portable); the domain type is what we wrote. */
export const as = <T extends string>(value: string): T => value as T;

/** Runs a query per group of at most MAX_IDS_PER_QUERY ids and concatenates the rows, so no id list
 *  meets a database's bound-parameter limit (SQLite's and PostgreSQL's differ). */
export const inGroups = async <T>(ids: readonly string[], query: (group: string[]) => Promise<T[]>): Promise<T[]> => {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += MAX_IDS_PER_QUERY) out.push(...(await query(ids.slice(i, i + MAX_IDS_PER_QUERY))));
  return out;
};
