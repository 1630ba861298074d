/**
 * The paged reads cost the same for any tenant size only if SQLite runs them on the intended index:
 * each read's SQL is captured as the repository sends it and explained (EXPLAIN QUERY PLAN) on a
 * tenant large enough for a poor plan to be a poor plan (20,000 subscriptions beside a small tenant),
 * before and after the statistics refresh the server runs (prisma/migrate.ts refreshStatistics).
 * A plan may not scan a table or an index end to end, nor sort where an index gives the order.
 * The same data checks what the reads return: people search by prefix, the licenses view's capped
 * groups with exact counts, and the export's keyset walk.
 */
import Database from 'better-sqlite3';
import type { Prisma } from '../../prisma/generated/client';
import { createRepositories } from '../../prisma/unit-of-work';
import { readOnly } from '../../prisma/repositories/support';
import type { SqlRunner } from '../../prisma/repositories';
import type { ExportCursor, ExportRow, Repositories, SubscriptionFilter } from '../../domain/ports';
import { searchTermsOf } from '../../domain/directory/find-people';
import { freshDatabase, type TestDatabase } from '../support/db';

const BIG = 'big-tenant';
const SMALL = 'small-tenant';
const SUBS = 20_000;
const USERS = 8_000;
const PURCHASERS = 2_000;
const PER_SUB = 3;
const PRODUCTS = ['CFQ7TTC0H9MP', 'CFQ7TTC0LH2H', 'CFQ7TTC0LH3L', 'CFQ7TTC0HDB0', 'CFQ7TTC0HD32'];
const PBI = PRODUCTS[0];
/** The product whose subscriptions include the central ones (i % 10 === 9), all bought by the admin: the largest group. */
const LIC = PRODUCTS[4];
const ADMIN = 'u00000';
const iso = (d: Date) => d.toISOString().replace('Z', '+00:00');
const uid = (i: number) => `u${String(i).padStart(5, '0')}`;
const sid = (i: number) => `s${String(i).padStart(5, '0')}`;
const NAMES = ['Megan Bowen', 'Adele Vance', 'Alex Wilber', 'Lynne Robbins', 'Patti Fernandez', 'Diego Siciliani', 'Mary Jane Watson', 'Jean-Luc Picard'];

const seed = (file: string) => {
  const db = new Database(file);
  const insert = (table: string, cols: string[], rows: unknown[][]) => {
    const per = Math.floor(30_000 / cols.length);
    for (let i = 0; i < rows.length; i += per) {
      const part = rows.slice(i, i + per);
      db.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${part.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ')}`).run(part.flat());
    }
  };
  const now = Date.UTC(2026, 11, 1);
  db.transaction(() => {
    for (const [tenant, users, subs, prefix] of [
      [BIG, USERS, SUBS, ''],
      [SMALL, 50, 20, 'small-'],
    ] as const) {
      db.prepare('INSERT INTO "Tenant" ("id", "name", "kind", "country", "requireApproval", "createdAt") VALUES (?, ?, ?, ?, 0, ?)').run(
        tenant,
        tenant,
        'Commercial',
        'US',
        iso(new Date(now)),
      );
      const people = Array.from({ length: users }, (_, i) => ({
        id: uid(i),
        displayName: `${NAMES[i % NAMES.length]} ${Math.floor(i / NAMES.length)}`,
        email: `${NAMES[i % NAMES.length].split(' ')[0].toLowerCase()}.${i}@${tenant}.example`,
        active: i % 97 !== 5,
      }));
      insert(
        'DirectoryUser',
        ['tenantId', 'id', 'displayName', 'email', 'isGuest', 'active'],
        people.map((p) => [tenant, p.id, p.displayName, p.email, 0, p.active ? 1 : 0]),
      );
      insert(
        'DirectorySearchTerm',
        ['tenantId', 'term', 'userId'],
        people.flatMap((p) => searchTermsOf(p).map((t) => [tenant, t, p.id])),
      );
      const subRows = Array.from({ length: subs }, (_, i) => {
        const central = i % 10 === 9;
        const status = i % 13 === 0 ? 'Cancelled' : i % 17 === 0 ? 'Trial' : 'Active';
        return [
          prefix + sid(i),
          tenant,
          PRODUCTS[i % PRODUCTS.length],
          central ? ADMIN : uid(1 + (i % PURCHASERS)),
          central ? 'Central' : 'SelfService',
          status,
          5,
          'Monthly',
          1680,
          'USD',
          1,
          0,
        ];
      });
      insert(
        'Subscription',
        [
          'id',
          'tenantId',
          'productId',
          'purchaserId',
          'origin',
          'status',
          'quantity',
          'billingFrequency',
          'unitPriceMinor',
          'currency',
          'recurring',
          'isTrial',
          'startedAt',
          'expiresAt',
          'createdAt',
          'version',
        ],
        subRows.map((r, i) => [...r, iso(new Date(now)), iso(new Date(now + 30 * 86_400_000)), iso(new Date(now - i * 1000)), 0]),
      );
      insert(
        'LicenseAssignment',
        ['id', 'tenantId', 'subscriptionId', 'userId', 'assignedAt', 'assignedBy'],
        Array.from({ length: subs * PER_SUB }, (_, n) => [
          `${prefix}a${String(n).padStart(6, '0')}`,
          tenant,
          prefix + sid(Math.floor(n / PER_SUB)),
          uid(n % users),
          iso(new Date(now)),
          ADMIN,
        ]),
      );
      insert(
        'Invoice',
        ['id', 'tenantId', 'subscriptionId', 'purchaserId', 'amountMinor', 'currency', 'status', 'description', 'issuedAt'],
        subRows.flatMap((r, i) =>
          [0, 1].map((k) => [`${prefix}i-${sid(i)}-${k}`, tenant, r[0], r[3], 1680, 'USD', 'Paid', 'Monthly', iso(new Date(now - (k * 30 + (i % 7)) * 86_400_000))]),
        ),
      );
    }
  })();
  db.close();
};

/** Runs every query through the SQL reader and keeps its text and arguments. */
const recording = (inner: SqlRunner) => {
  const seen: Prisma.Sql[] = [];
  const runner: SqlRunner = {
    query: <T>(q: Prisma.Sql) => {
      seen.push(q);
      return inner.query<T>(q);
    },
  };
  return { runner, seen };
};

const toArg = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? iso(v) : v);

describe('query plans of the paged reads on a large tenant', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('query-plans', { statisticsIntervalMs: 0 });
    seed(t.file);
  }, 60_000);
  afterAll(() => t.close());

  /** The plans of the statements `read` sends, one string per statement (its plan's lines). */
  const plansOf = async (read: (repos: Repositories) => Promise<unknown>): Promise<string[]> => {
    const { runner, seen } = recording(t.db.readSql);
    await read(createRepositories(readOnly(runner)));
    expect(seen.length).toBeGreaterThan(0);
    const db = new Database(t.file, { readonly: true }); // opened now: reads the current statistics
    try {
      return seen.map((q) => (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(q.values.map(toArg)) as Array<{ detail: string }>).map((r) => r.detail).join('\n'));
    } finally {
      db.close();
    }
  };

  /** No table or index read end to end (SCAN of a subquery's own rows is fine: it is the page; the licenses view names its parts part0, part1, …, and its page of groups pageGroups; the purchases page its rows pageRows). */
  const expectNoScan = (plan: string) =>
    expect(
      plan
        .split('\n')
        .filter((l) => /^SCAN /.test(l) && !/^SCAN (\(subquery|part\d+$|pageGroups$|pageRows$)/.test(l) && !/^SCAN CONSTANT ROW/.test(l) && l !== 'SCAN SubscriptionTally'),
    ).toEqual([]);
  const expectNoSort = (plan: string) => expect(plan).not.toMatch(/TEMP B-TREE/);

  const checks = () => {
    test.each([
      [
        'origin and product (the page that counted through the wrong index)',
        { origin: 'SelfService' as const, productId: PBI },
        'Subscription_tenantId_origin_productId_createdAt_id_idx',
      ],
      ['no filter', {}, 'Subscription_tenantId_createdAt_id_idx'],
      ['origin', { origin: 'Central' as const }, 'Subscription_tenantId_origin_createdAt_id_idx'],
      ['product', { productId: PBI }, 'Subscription_tenantId_productId_createdAt_id_idx'],
      ['purchaser', { purchaserId: uid(7) }, 'Subscription_tenantId_purchaserId_createdAt_id_idx'],
    ])('admin purchases page, %s: the page on %s, newest first without sorting; the total from the tally', async (_, filter: SubscriptionFilter, index) => {
      const [plan] = await plansOf((r) => r.subscriptions.search(BIG, filter, 3, 25));
      expect(plan).toContain(`USING INDEX ${index}`); // the page
      // The tally holds a few hundred rows per tenant; with statistics, SQLite reads a table this small
      // (two tenants here) whole rather than through its key.
      if (filter.purchaserId === undefined)
        expect(plan).toMatch(/SCALAR SUBQUERY[^]*(SEARCH SubscriptionTally USING (PRIMARY KEY|INDEX sqlite_autoindex_SubscriptionTally_1) \(tenantId=\?|SCAN SubscriptionTally$)/m);
      else expect(plan).toMatch(/SCALAR SUBQUERY[^]*SEARCH Subscription USING COVERING INDEX \w+ \(tenantId=\? AND purchaserId=\?/); // a purchaser's few
      expectNoScan(plan);
      expectNoSort(plan);
    });

    test('licenses view: totals, groups, their subscriptions and users each on their index, nothing sorted', async () => {
      const plans = await plansOf(async (r) => {
        await r.subscriptions.productTotals(BIG, LIC);
        await r.subscriptions.licenseGroups(BIG, LIC, undefined, 1, 25, { subscriptions: 20, users: 50 });
      });
      expect(plans).toHaveLength(4);
      const [totals, groups, subs, users] = plans;
      // The totals and the number of groups: the product's ProductTally row, whatever the tenant's size.
      expect(totals).toMatch(/SEARCH t USING (INDEX sqlite_autoindex_ProductTally_1|PRIMARY KEY) \(tenantId=\? AND productId=\?\)/);
      expect(totals).not.toContain('Subscription');
      expect(groups).toContain('USING COVERING INDEX Subscription_tenantId_productId_purchaserId_status_origin_quantity_assignedCount_idx (tenantId=? AND productId=?)');
      expect(groups).toMatch(/SCALAR SUBQUERY[^]*SEARCH t USING (INDEX sqlite_autoindex_ProductTally_1|PRIMARY KEY)/);
      expect(groups).not.toContain('LicenseAssignment'); // assigned licenses are the index's assignedCount
      expect(subs).not.toContain('LicenseAssignment');
      for (const plan of [subs, users])
        expect(plan).toContain('USING INDEX Subscription_tenantId_purchaserId_productId_createdAt_id_key (tenantId=? AND purchaserId=? AND productId=?)');
      expect(users).toContain('USING INDEX LicenseAssignment_tenantId_subscriptionId_id_idx (tenantId=? AND subscriptionId=?)');
      expect(users).toMatch(/SEARCH u USING (INDEX sqlite_autoindex_DirectoryUser_1|PRIMARY KEY) \(tenantId=\? AND id=\?\)/);
      for (const plan of plans) {
        expectNoScan(plan);
        expectNoSort(plan);
      }
    });

    test("take-over's move targets: the holders' other licenses by person, the product's central subscriptions on its index, nothing else read", async () => {
      // sid(4) is a self-service subscription of LIC, whose 2,000 central subscriptions are all targets.
      const [plan, ...more] = await plansOf((r) => r.subscriptions.centralTargets(BIG, LIC, sid(4), 25));
      expect(more).toEqual([]);
      expect(plan).toContain('USING INDEX LicenseAssignment_tenantId_subscriptionId_id_idx (tenantId=? AND subscriptionId=?)'); // the holders
      expect(plan).toContain('USING INDEX LicenseAssignment_tenantId_userId_idx (tenantId=? AND userId=?)'); // their licenses
      expect(plan).toMatch(/SEARCH s USING INDEX \w+ \(tenantId=\? AND (origin=\? AND )?productId=\?/);
      expect(plan).not.toMatch(/SEARCH t USING \w* ?INDEX \w+ \(tenantId=\?\)/); // never the tenant's every license
      // Ranking the targets by fit sorts them: the product's central subscriptions, in SQL, of which 25 come back.
      expectNoScan(plan.replace(/^SCAN o$/m, ''));
    });

    test("purchase detail's invoices: the subscription's own, on (tenantId, subscriptionId, issuedAt, id), in order", async () => {
      const [plan] = await plansOf((r) => r.invoices.listBySubscription(BIG, sid(42)));
      expect(plan).toContain('USING INDEX Invoice_tenantId_subscriptionId_issuedAt_id_idx (tenantId=? AND subscriptionId=?)');
      expectNoScan(plan);
      expectNoSort(plan);
    });

    test('people search: a range of the search terms, then each person by key; no scan of the directory, no sort', async () => {
      for (const query of ['megan b', 'Watson', 'a']) {
        const plans = await plansOf((r) => r.users.search(BIG, query, 5));
        for (const plan of plans) {
          expect(plan).toMatch(/SEARCH t USING (COVERING INDEX sqlite_autoindex_DirectorySearchTerm_1|PRIMARY KEY) \(tenantId=\? AND term>\? AND term<\?\)/);
          expect(plan).toMatch(/SEARCH u USING (INDEX sqlite_autoindex_DirectoryUser_1|PRIMARY KEY) \(tenantId=\? AND id=\?\)/);
          expectNoScan(plan);
          expectNoSort(plan);
        }
      }
    });

    test('export: the sizes by key, then subscriptions on (tenantId, subscriptionId, id), several small ones in one statement (sorting only its own rows), each person by key', async () => {
      // PER_SUB (3) rows each: the first two fit in a page of 7 together, the third is read alone for the last row.
      const plans = await plansOf((r) => r.assignments.exportPage(BIG, [sid(1), sid(2), sid(3)], { index: 0, afterId: null }, 7, 10));
      const [sizes, ...reads] = plans;
      expect(sizes).toMatch(/SEARCH Subscription USING (COVERING )?INDEX Subscription_tenantId_id_key \(tenantId=\? AND id=\?\)/);
      expect(reads).toHaveLength(2);
      for (const plan of reads) {
        expect(plan).toContain('USING INDEX LicenseAssignment_tenantId_subscriptionId_id_idx (tenantId=? AND subscriptionId=?');
        expect(plan).toMatch(/SEARCH u USING (INDEX sqlite_autoindex_DirectoryUser_1|PRIMARY KEY) \(tenantId=\? AND id=\?\)/);
      }
      expect(reads[0]).toContain('USE TEMP B-TREE FOR ORDER BY'); // the two subscriptions' 6 rows, in list order
      expectNoSort(reads[1]);
      for (const plan of plans) expectNoScan(plan);
    });
  };

  describe('before any statistics (a new database that grew)', checks);

  describe('after the statistics refresh', () => {
    beforeAll(async () => {
      expect(await t.db.refreshStatistics()).toEqual(expect.arrayContaining([expect.stringContaining('"Subscription"'), expect.stringContaining('"LicenseAssignment"')]));
      expect(await t.db.refreshStatistics()).toEqual([]); // nothing changed since: nothing to do
    });
    test('keeps the per-index averages (sqlite_stat1) and drops the per-value samples (sqlite_stat4) that make SQLite plan bound statements again on every run', () => {
      const db = new Database(t.file, { readonly: true });
      try {
        expect((db.prepare(`SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE tbl = 'Subscription'`).get() as { n: number }).n).toBeGreaterThan(0);
        expect((db.prepare('SELECT COUNT(*) AS n FROM sqlite_stat4').get() as { n: number }).n).toBe(0);
      } finally {
        db.close();
      }
    });
    checks();
  });

  describe('what the reads return', () => {
    const read = <T>(work: (r: Repositories) => Promise<T>) => t.uow.read(work);

    test('people search: a prefix of the first name, of a later word of the name, or of the email; ASCII case and hyphens ignored', async () => {
      const ids = async (q: string, limit = 100) => (await read((r) => r.users.search(BIG, q, limit))).map((u) => u.displayName);
      expect(await ids('megan bowen 12')).toEqual([
        'Megan Bowen 12',
        'Megan Bowen 120',
        'Megan Bowen 121',
        'Megan Bowen 122',
        'Megan Bowen 123',
        'Megan Bowen 124',
        'Megan Bowen 125',
        'Megan Bowen 126',
        'Megan Bowen 127',
        'Megan Bowen 128',
        'Megan Bowen 129',
      ]);
      expect(await ids('BOWEN 12', 3)).toHaveLength(3);
      expect((await ids('watson 3')).every((n) => n.startsWith('Mary Jane Watson 3'))).toBe(true); // last name
      expect((await ids('jane watson 3')).length).toBeGreaterThan(0); // middle name onward
      expect((await ids('luc picard 1')).every((n) => n.startsWith('Jean-Luc Picard 1'))).toBe(true);
      expect(await ids('jean luc picard 10', 1)).toEqual(['Jean-Luc Picard 10']);
      expect(await read((r) => r.users.search(BIG, 'adele.9@big', 5))).toMatchObject([{ id: uid(9), email: 'adele.9@big-tenant.example' }]);
      expect(await ids('egan')).toEqual([]); // inside a word: not a prefix
      expect(await ids('   ')).toEqual([]);
      expect(await read((r) => r.users.search(SMALL, 'megan bowen 1', 100))).toHaveLength(1); // the other tenant's people only
      // Inactive people are never found.
      expect(await read((r) => r.users.search(BIG, `${NAMES[5]} 0`, 5))).toEqual([]); // u00005 left
      // A one-letter typeahead stops at the limit, in name order.
      const a = await read((r) => r.users.search(BIG, 'a', 5));
      expect(a).toHaveLength(5);
      expect(a.map((u) => u.displayName)).toEqual([...a.map((u) => u.displayName)].sort());
    });

    test('a person written through the repository is found by their new name only', async () => {
      await t.uow.run((r) => r.users.upsert({ tenantId: SMALL, id: 'renamed', displayName: 'Old Name', email: 'old@x.example', isGuest: false, active: true }));
      expect(await read((r) => r.users.search(SMALL, 'old', 5))).toHaveLength(1);
      await t.uow.run((r) => r.users.upsert({ tenantId: SMALL, id: 'renamed', displayName: 'Nora Newman', email: 'nora@x.example', isGuest: false, active: true }));
      expect(await read((r) => r.users.search(SMALL, 'old', 5))).toEqual([]);
      expect((await read((r) => r.users.search(SMALL, 'newm', 5))).map((u) => u.id)).toEqual(['renamed']);
      expect((await read((r) => r.users.search(SMALL, 'nora@', 5))).map((u) => u.id)).toEqual(['renamed']);
    });

    test('licenses view groups: exact counts, the first rows of each group, purchasers in id order', async () => {
      const live = (i: number) => i % 13 !== 0;
      const page = await read((r) => r.subscriptions.licenseGroups(BIG, LIC, undefined, 1, 10, { subscriptions: 3, users: 4 }));
      const ofProduct = Array.from({ length: SUBS }, (_, i) => i).filter((i) => i % PRODUCTS.length === 4 && live(i));
      const purchaserOf = (i: number) => (i % 10 === 9 ? ADMIN : uid(1 + (i % PURCHASERS)));
      const purchasers = [...new Set(ofProduct.map(purchaserOf))].sort();
      expect(page.total).toBe(purchasers.length);
      expect(page.items.map((g) => g.purchaserId)).toEqual(purchasers.slice(0, 10));
      const adminGroup = page.items[0];
      expect(adminGroup.purchaserId).toBe(ADMIN);
      const adminSubs = ofProduct.filter((i) => purchaserOf(i) === ADMIN);
      expect(adminGroup).toMatchObject({ subscriptionCount: adminSubs.length, userCount: adminSubs.length * PER_SUB });
      expect(adminGroup.subscriptions).toHaveLength(3);
      expect(adminGroup.users).toHaveLength(4);
      // Oldest first: the highest index was created first.
      const oldest = [...adminSubs].sort((x, y) => y - x);
      expect(adminGroup.subscriptions.map((s) => [s.id, s.assigned])).toEqual(oldest.slice(0, 3).map((i) => [sid(i), PER_SUB]));
      expect(adminGroup.users.map((u) => u.subscriptionId)).toEqual([sid(oldest[0]), sid(oldest[0]), sid(oldest[0]), sid(oldest[1])]);
      expect(adminGroup.users[0].displayName).toEqual(expect.any(String));
      expect(adminGroup.subscriptions[0].expiresAt).toBeInstanceOf(Date);
      const totals = await read((r) => r.subscriptions.productTotals(BIG, LIC));
      expect(totals).toEqual({ subscriptions: ofProduct.length, totalQuantity: ofProduct.length * 5, assigned: ofProduct.length * PER_SUB });
      const beyond = await read((r) => r.subscriptions.licenseGroups(BIG, LIC, undefined, 1_000, 10, { subscriptions: 3, users: 4 }));
      expect(beyond).toEqual({ items: [], total: purchasers.length, page: 1_000, pageSize: 10 });
    });

    test('the tally behind the totals equals a count for every filter, through inserts, changes and deletes', async () => {
      const check = async () => {
        for (const filter of [{}, { origin: 'SelfService' as const }, { productId: LIC }, { origin: 'Central' as const, productId: LIC }, { status: 'Cancelled' as const }]) {
          const page = await read((r) => r.subscriptions.search(BIG, filter, 1, 5));
          const db = new Database(t.file, { readonly: true });
          const where = Object.entries(filter)
            .map(([k]) => ` AND "${k}" = ?`)
            .join('');
          const { n } = db.prepare(`SELECT COUNT(*) AS n FROM "Subscription" WHERE "tenantId" = ?${where}`).get(BIG, ...Object.values(filter)) as { n: number };
          db.close();
          expect({ filter, total: page.total }).toEqual({ filter, total: n });
        }
      };
      await check();
      const db = new Database(t.file);
      db.prepare(`UPDATE "Subscription" SET "status" = 'Cancelled' WHERE "tenantId" = ? AND "id" IN (?, ?)`).run(BIG, sid(4), sid(9));
      db.prepare(`UPDATE "Subscription" SET "quantity" = 7 WHERE "tenantId" = ? AND "id" = ?`).run(BIG, sid(14)); // no tallied column: no change
      db.prepare(`DELETE FROM "LicenseAssignment" WHERE "subscriptionId" = ?`).run(sid(19));
      db.prepare(`DELETE FROM "Invoice" WHERE "subscriptionId" = ?`).run(sid(19));
      db.prepare(`DELETE FROM "Subscription" WHERE "id" = ?`).run(sid(19));
      db.close();
      await check();
      expect(await read((r) => r.subscriptions.search(BIG, { status: 'Deleted' }, 2, 5))).toEqual({ items: [], total: 0, page: 2, pageSize: 5 });
    });

    test('licenses view groups within the caps are read whole, in the same order as a capped group', async () => {
      const live = (i: number) => i % 13 !== 0;
      const page = await read((r) => r.subscriptions.licenseGroups(BIG, LIC, undefined, 1, 3, { subscriptions: 50, users: 500 }));
      const group = page.items.find((g) => g.purchaserId === uid(5))!;
      const own = Array.from({ length: SUBS }, (_, i) => i)
        .filter((i) => i % PRODUCTS.length === 4 && live(i) && i % 10 !== 9 && uid(1 + (i % PURCHASERS)) === uid(5))
        .filter((i) => ![4, 9, 19].includes(i)) // cancelled or deleted by the tally test above
        .sort((x, y) => y - x); // oldest first
      expect(group).toMatchObject({ subscriptionCount: own.length, userCount: own.length * PER_SUB });
      expect(group.subscriptions.map((x) => x.id)).toEqual(own.map(sid));
      expect(group.users.map((u) => u.subscriptionId)).toEqual(own.flatMap((i) => Array(PER_SUB).fill(sid(i))));
      expect(page.items[0].purchaserId).toBe(ADMIN); // beyond the caps: read by its own LIMIT
      expect(page.items[0].subscriptions).toHaveLength(50);
    });

    test('invoices by subscription: only its own, newest first', async () => {
      expect((await read((r) => r.invoices.listBySubscription(BIG, sid(8)))).map((i) => i.id)).toEqual([`i-${sid(8)}-0`, `i-${sid(8)}-1`]);
      expect(await read((r) => r.invoices.listBySubscription(SMALL, sid(5_000)))).toEqual([]);
    });

    test('the export walk returns every assignment of the chosen subscriptions once, in their order, across pages', async () => {
      const chosen = [sid(10), sid(3), 'nope', sid(19_999), sid(11)];
      const rows: ExportRow[] = [];
      let calls = 0;
      for (let cursor: ExportCursor | null = { index: 0, afterId: null }; cursor; calls++) {
        const from: ExportCursor = cursor;
        const page = await read((r) => r.assignments.exportPage(BIG, chosen, from, 2, 2));
        expect(page.rows.length).toBeLessThanOrEqual(2);
        rows.push(...page.rows);
        cursor = page.next;
      }
      expect(rows.map((r) => r.subscriptionId)).toEqual([10, 3, 19_999, 11].flatMap((i) => Array(PER_SUB).fill(sid(i))));
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      expect(rows.every((r) => typeof r.displayName === 'string')).toBe(true);
      expect(calls).toBeGreaterThan(5);
    });
  });
});
