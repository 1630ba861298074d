/**
 * prisma/client.ts keeps the Prisma adapter's statements prepared. The adapter calls
 * `prepare(sql).bind(args)` for every query, and better-sqlite3 allows bind() once per statement:
 * the cache hands out views that pass each call's arguments instead. Checked here on better-sqlite3
 * itself; every Prisma test in the suite runs through the cache as well.
 */
import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from '../../prisma/sqlite-database';

describe('statement cache for the Prisma adapter', () => {
  let raw: BetterSqlite3.Database;
  let db: BetterSqlite3.Database;
  let prepares: string[];

  beforeEach(() => {
    raw = new BetterSqlite3(':memory:');
    raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    prepares = [];
    const prepare = raw.prepare.bind(raw);
    raw.prepare = ((sql: string) => {
      prepares.push(sql);
      return prepare(sql);
    }) as typeof raw.prepare;
    db = withStatementCache(raw, 3);
  });
  afterEach(() => raw.close());

  test('the same SQL is prepared once and bound afresh on every use, as the adapter uses it', () => {
    const insert = 'INSERT INTO t (id, name) VALUES (?, ?)';
    for (const [id, name] of [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ] as const)
      db.prepare(insert).bind([id, name]).run();
    const select = 'SELECT id, name FROM t WHERE id >= ? ORDER BY id';
    const first = db.prepare(select).bind([2]);
    expect(first.reader).toBe(true);
    expect(first.columns().map((c) => c.name)).toEqual(['id', 'name']);
    expect(first.raw().all()).toEqual([
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(db.prepare(select).bind([3]).raw().all()).toEqual([[3, 'c']]);
    // Raw mode is per use, not left behind on the shared statement.
    expect(db.prepare(select).bind([1]).all()).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
      { id: 3, name: 'c' },
    ]);
    expect(prepares.filter((s) => s === insert)).toHaveLength(1);
    expect(prepares.filter((s) => s === select)).toHaveLength(1);
  });

  test('transactions: BEGIN, COMMIT and ROLLBACK are ordinary cached statements', () => {
    db.prepare('BEGIN').run();
    db.prepare('INSERT INTO t (id, name) VALUES (?, ?)').bind([1, 'kept']).run();
    db.prepare('COMMIT').run();
    db.prepare('BEGIN').run();
    db.prepare('INSERT INTO t (id, name) VALUES (?, ?)').bind([2, 'undone']).run();
    db.prepare('ROLLBACK').run();
    expect(db.prepare('SELECT name FROM t').bind([]).raw().all()).toEqual([['kept']]);
    expect(prepares.filter((s) => s === 'BEGIN')).toHaveLength(1);
  });

  test('least recently used out past the bound; an error leaves the statement usable', () => {
    for (const n of [1, 2, 3, 4]) db.prepare(`SELECT ${n}`).bind([]).raw().all();
    db.prepare('SELECT 1').bind([]).raw().all(); // evicted by SELECT 4: prepared again
    db.prepare('SELECT 4').bind([]).raw().all(); // still cached
    expect(prepares.filter((s) => s === 'SELECT 1')).toHaveLength(2);
    expect(prepares.filter((s) => s === 'SELECT 4')).toHaveLength(1);
    const insert = 'INSERT INTO t (id, name) VALUES (?, ?)';
    db.prepare(insert).bind([1, 'a']).run();
    expect(() => db.prepare(insert).bind([1, 'again']).run()).toThrow(/UNIQUE/);
    db.prepare(insert).bind([2, 'b']).run();
    expect(db.prepare('SELECT count(*) FROM t').bind([]).raw().all()).toEqual([[2]]);
  });

  test('a statement still iterating is not shared: the next use gets a fresh one', () => {
    for (const id of [1, 2])
      db.prepare('INSERT INTO t (id, name) VALUES (?, ?)')
        .bind([id, `n${id}`])
        .run();
    const select = 'SELECT id FROM t ORDER BY id';
    const iterator = db.prepare(select).bind([]).raw().iterate();
    expect(iterator.next().value).toEqual([1]);
    expect(db.prepare(select).bind([]).raw().all()).toEqual([[1], [2]]);
    expect(iterator.next().value).toEqual([2]);
    iterator.return?.();
    expect(prepares.filter((s) => s === select)).toHaveLength(2);
  });

  test('everything else is the connection itself', () => {
    db.exec("INSERT INTO t (id, name) VALUES (7, 'x')");
    expect(db.open).toBe(true);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
  });
});
