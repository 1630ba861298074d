import BetterSqlite3 from 'better-sqlite3';
import type { Prisma } from './generated/client';
import type { SqlRunner } from './repositories/support';

/**
 * Our own SQL on a better-sqlite3 connection: the read repositories' raw SELECTs (written once, as
 * `Prisma.sql`, see repositories/support.ts) on a read-only one (SqliteSqlReader), and every write
 * transaction's statements on the writer's (prisma/sqlite-database.ts).
 *
 * Why not through the Prisma client: a bot turn makes a few small statements whose rows SQLite returns
 * in microseconds, while the client spends 30–40 µs of JavaScript on each read (request pipeline,
 * parameter and result serialization) even for a raw query, and 0.4–0.6 ms on each statement of an
 * interactive transaction (measured: bench/RESULTS.md, 2026-12-04).
 *
 * Values come back as Prisma returns them: DATETIME columns as Date, BOOLEAN columns as boolean; every
 * integer, COUNT(*) included, as a number (Prisma gives a bigint for a computed count: read counts
 * with `countOf`). Values are bound as Prisma's adapter binds them (toArg).
 */
export class SqliteSqlConnection {
  private connection: BetterSqlite3.Database | null = null;
  private readonly statements = new Map<string, Prepared>();

  constructor(
    private readonly file: string,
    private readonly pragmas: readonly string[],
    private readonly busyTimeoutMs: number,
    /** Refuse anything but a SELECT (the readers; their connection is query_only as well). */
    private readonly selectsOnly: boolean,
    /** Distinct SQL texts kept prepared (least recently used out): one per call site and id-list length. */
    private readonly cacheSize = 500,
  ) {}

  query<T>(query: Prisma.Sql): Promise<T[]> {
    try {
      return Promise.resolve(this.all(query) as T[]);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Synchronous, for a transaction that holds the connection (prisma/sqlite-database.ts). */
  all(query: Prisma.Sql): Record<string, unknown>[] {
    const { stmt, names, conversions } = this.prepare(query.sql);
    if (!stmt.reader) throw new Error('query() runs statements that return rows; use execute()');
    // Rows as arrays (raw mode), made into objects here: better-sqlite3 builds each row object through
    // V8's C++ API, property by property, about twice the time of this loop for a page of subscriptions.
    const rows = stmt.all(query.values.map(toArg)) as unknown[][];
    const out = new Array<Record<string, unknown>>(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const values = rows[r];
      for (let c = 0; c < conversions.length; c++) {
        const [index, convert] = conversions[c];
        const value = values[index];
        if (value !== null && value !== undefined) values[index] = convert(value);
      }
      const row: Record<string, unknown> = {};
      // In column order: of two columns with one name, the last wins, as in better-sqlite3's own objects.
      for (let c = 0; c < names.length; c++) row[names[c]] = values[c];
      out[r] = row;
    }
    return out;
  }

  /** An INSERT, UPDATE or DELETE (synchronous); returns the rows it changed. */
  run(statement: Prisma.Sql): number {
    const { stmt } = this.prepare(statement.sql);
    return stmt.run(statement.values.map(toArg)).changes;
  }

  /** Statements without values (BEGIN, COMMIT, ROLLBACK). */
  exec(text: string): void {
    this.db().exec(text);
  }

  get inTransaction(): boolean {
    return this.connection?.inTransaction ?? false;
  }

  close(): void {
    this.statements.clear();
    this.connection?.close();
    this.connection = null;
  }

  /** Opened on first use, as Prisma opens its own: a database file may be created and migrated after openDatabase(). */
  private db(): BetterSqlite3.Database {
    if (!this.connection) {
      const db = new BetterSqlite3(this.file, { timeout: this.busyTimeoutMs });
      try {
        db.exec(this.pragmas.map((p) => `${p};`).join('\n'));
      } catch (e) {
        db.close();
        throw e;
      }
      this.connection = db;
    }
    return this.connection;
  }

  private prepare(sql: string): Prepared {
    const hit = this.statements.get(sql);
    if (hit) {
      this.statements.delete(sql); // re-inserted: most recently used last
      this.statements.set(sql, hit);
      return hit;
    }
    const stmt = this.db().prepare(sql);
    if (this.selectsOnly && !stmt.reader) throw new Error('The SQL reader runs SELECTs only');
    const prepared: Prepared = { stmt, names: [], conversions: [] };
    if (stmt.reader) {
      stmt.raw(true);
      // A column's conversion follows its declared type, as the Prisma adapter's does.
      const columns = stmt.columns();
      columns.forEach((column, index) => {
        const convert = CONVERSIONS[(column.type ?? '').toUpperCase()];
        if (convert) prepared.conversions.push([index, convert]);
      });
      prepared.names = columns.map((c) => c.name);
    }
    if (this.statements.size >= this.cacheSize) this.statements.delete(this.statements.keys().next().value!);
    this.statements.set(sql, prepared);
    return prepared;
  }
}

/**
 * The read repositories' connection: its own to the same file, `query_only`, in WAL mode reading the
 * last committed state without a transaction around the whole read (see unit-of-work.ts).
 */
export class SqliteSqlReader extends SqliteSqlConnection implements SqlRunner {
  constructor(file: string, pragmas: readonly string[], busyTimeoutMs: number, cacheSize = 500) {
    super(file, pragmas, busyTimeoutMs, true, cacheSize);
  }
}

interface Prepared {
  stmt: BetterSqlite3.Statement;
  names: string[];
  /** Column index and the conversion of its declared type (DATETIME → Date, BOOLEAN → boolean). */
  conversions: Array<[number, (value: unknown) => unknown]>;
}

/** What Prisma writes: 2026-11-21T10:00:00.000+00:00. */
const PRISMA_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** SQLite's date-time text as Prisma reads it: UTC unless it says otherwise, a space allowed for the T. */
const toDate = (value: unknown): Date => {
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  let text = String(value);
  if (PRISMA_DATETIME.test(text)) return new Date(text);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00Z';
  else {
    text = text.replace(' ', 'T');
    if (!/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(text)) text += 'Z';
  }
  return new Date(text);
};

const CONVERSIONS: Record<string, (value: unknown) => unknown> = {
  DATETIME: toDate,
  TIMESTAMP: toDate,
  DATE: toDate,
  BOOLEAN: (value) => value !== 0 && value !== 0n && value !== '0',
};

/** Arguments as the Prisma adapter binds them: booleans as 1/0, dates as ISO 8601 text with +00:00. */
const toArg = (value: unknown): unknown => {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00');
  return value;
};
