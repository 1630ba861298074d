/**
 * The read repositories run their raw SELECTs on prisma/sql-reader.ts instead of Prisma's $queryRaw
 * (a bot turn's reads cost a fraction). Both must return the same thing: every raw-SQL read is run
 * both ways on the same data and compared, and the reader keeps the read connection's guarantees.
 */
import type { DirectoryUser, LicenseAssignment, RoleAssignment, Subscription, Tenant } from '../../domain/model';
import type { Repositories } from '../../domain/ports';
import { createRepositories } from '../../prisma/unit-of-work';
import { readOnly } from '../../prisma/repositories/support';
import { freshDatabase, type TestDatabase } from '../support/db';

const T1 = 'tenant-1';
const T2 = 'tenant-2';
const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n, 12, 0, 0, 123));
const P1 = 'CFQ7TTC0H9MP';
const P2 = 'CFQ7TTC0LH2H';

const tenant = (id: string, over: Partial<Tenant> = {}): Tenant => ({
  id,
  name: `Org ${id}`,
  kind: 'Commercial',
  country: 'US',
  requireApproval: false,
  createdAt: day(0),
  ...over,
});
const user = (tenantId: string, id: string, over: Partial<DirectoryUser> = {}): DirectoryUser => ({
  id,
  tenantId,
  displayName: `User ${id}`,
  email: `${id}@contoso.test`,
  isGuest: false,
  active: true,
  ...over,
});
let seq = 0;
const subscription = (over: Partial<Subscription> = {}): Subscription => ({
  id: `sub-${String(++seq).padStart(2, '0')}`,
  tenantId: T1,
  productId: P1,
  purchaserId: 'alice',
  origin: 'SelfService',
  status: 'Active',
  quantity: 5,
  billingFrequency: 'Monthly',
  unitPrice: { amountMinor: 1680, currency: 'USD' },
  recurring: true,
  isTrial: false,
  card: { token: 'tok_visa', brand: 'Visa', last4: '4242', expMonth: 12, expYear: 2030 },
  startedAt: day(0),
  expiresAt: day(30),
  cancelledAt: null,
  cancelReason: null,
  centralizedInto: null,
  remindedFor: null,
  createdAt: day(0),
  version: 0,
  ...over,
});
const assignment = (s: Subscription, userId: string): LicenseAssignment => ({
  id: `as-${s.id}-${userId}`,
  tenantId: s.tenantId,
  subscriptionId: s.id,
  userId,
  assignedAt: day(1),
  assignedBy: s.purchaserId,
});
const role = (tenantId: string, userId: string, r: RoleAssignment['role'], at: number): RoleAssignment => ({
  tenantId,
  userId,
  role: r,
  grantedBy: at === 0 ? null : 'boss',
  grantedAt: day(at),
});

describe('SQL reader: the read repositories, without Prisma, return what they return through Prisma', () => {
  let t: TestDatabase;
  let viaPrisma: Repositories;
  let viaReader: Repositories;
  const subs: Subscription[] = [];

  beforeAll(async () => {
    t = await freshDatabase('sql-reader');
    await t.uow.run(async (r) => {
      await r.tenants.save(tenant(T1, { requireApproval: true }));
      await r.tenants.save(tenant(T2));
      for (const id of ['alice', 'bob', 'carol', 'Dave'])
        await r.users.upsert(user(T1, id, { isGuest: id === 'carol', active: id !== 'bob', email: id === 'Dave' ? null : `${id}@contoso.test` }));
      await r.users.upsert(user(T2, 'alice', { displayName: 'Other Alice' }));
      for (const ra of [role(T1, 'alice', 'GlobalAdmin', 0), role(T1, 'alice', 'BillingAdmin', 2), role(T1, 'bob', 'GlobalReader', 1), role(T2, 'alice', 'GlobalReader', 1)])
        await r.roles.add(ra);
      const rows = [
        subscription({ createdAt: day(1) }),
        subscription({ createdAt: day(3), productId: P2, status: 'Trial', isTrial: true, card: null }),
        subscription({ createdAt: day(3), purchaserId: 'bob', recurring: false, cancelledAt: day(4), cancelReason: 'TooExpensive', status: 'Cancelled' }),
        subscription({ createdAt: day(2), origin: 'Central', purchaserId: 'carol', card: null, remindedFor: day(25), centralizedInto: null, quantity: 100 }),
        subscription({ createdAt: day(5), purchaserId: 'alice', centralizedInto: 'sub-04', billingFrequency: 'Annual' }),
        subscription({ tenantId: T2, createdAt: day(1) }),
      ];
      for (let i = 0; i < 9; i++) rows.push(subscription({ createdAt: day(10 + (i % 3)), purchaserId: i % 2 ? 'Dave' : 'alice', productId: i % 2 ? P1 : P2 }));
      for (const s of rows) await r.subscriptions.create(s);
      subs.push(...rows);
      await r.assignments.add([assignment(rows[0], 'alice'), assignment(rows[0], 'bob'), assignment(rows[3], 'carol'), assignment(rows[4], 'alice'), assignment(rows[5], 'alice')]);
    });
    viaPrisma = createRepositories(t.db.reader);
    viaReader = createRepositories(readOnly(t.db.readSql));
  });
  afterAll(() => t.close());

  const same = async <R>(read: (r: Repositories) => Promise<R>): Promise<R> => {
    const [a, b] = [await read(viaPrisma), await read(viaReader)];
    expect(b).toEqual(a);
    return b;
  };

  test('actors.load: tenant, user and roles; a missing tenant or user; another tenant', async () => {
    const alice = await same((r) => r.actors.load(T1, 'alice'));
    expect(alice.tenant).toMatchObject({ id: T1, requireApproval: true, createdAt: day(0) });
    expect(alice.user).toMatchObject({ isGuest: false, active: true });
    expect([...alice.roles].sort()).toEqual(['BillingAdmin', 'GlobalAdmin']);
    expect((await same((r) => r.actors.load(T1, 'carol'))).user).toMatchObject({ isGuest: true });
    expect(await same((r) => r.actors.load(T1, 'nobody'))).toMatchObject({ user: null, roles: [] });
    expect(await same((r) => r.actors.load('no-tenant', 'alice'))).toMatchObject({ tenant: null, user: null });
    await same((r) => r.actors.load(T2, 'alice'));
  });

  test('subscriptions.listByPurchaser: every field, newest first, ties by id', async () => {
    const mine = await same((r) => r.subscriptions.listByPurchaser(T1, 'alice'));
    expect(mine.length).toBe(8);
    expect(mine.find((s) => s.id === 'sub-02')).toEqual(subs[1]);
    expect(mine.find((s) => s.id === 'sub-05')).toEqual(subs[4]);
    await same((r) => r.subscriptions.listByPurchaser(T1, 'bob'));
    await same((r) => r.subscriptions.listByPurchaser(T2, 'bob'));
  });

  test('subscriptions.search: pages, filters, the total, a page past the end', async () => {
    for (const page of [1, 2, 3, 4]) await same((r) => r.subscriptions.search(T1, {}, page, 4));
    const filtered = await same((r) => r.subscriptions.search(T1, { origin: 'SelfService', productId: P1, purchaserId: 'alice', status: 'Active' }, 1, 10));
    expect(filtered.total).toBeGreaterThan(0);
    expect(await same((r) => r.subscriptions.search(T1, { origin: 'Central' }, 2, 10))).toMatchObject({ items: [], total: 1 });
    expect(await same((r) => r.subscriptions.search(T2, { purchaserId: 'nobody' }, 1, 10))).toEqual({ items: [], total: 0, page: 1, pageSize: 10 });
  });

  test('subscriptions.productTotals, assignments.countBySubscriptions, users.getMany, roles.list', async () => {
    await same((r) => r.subscriptions.productTotals(T1, P1));
    await same((r) => r.subscriptions.productTotals(T1, P1, 'SelfService'));
    expect(
      await same((r) =>
        r.assignments.countBySubscriptions(
          T1,
          subs.map((s) => s.id),
        ),
      ),
    ).toEqual(
      new Map([
        ['sub-01', 2],
        ['sub-04', 1],
        ['sub-05', 1],
      ]),
    );
    expect(await same((r) => r.assignments.countBySubscriptions(T1, []))).toEqual(new Map());
    const people = await same((r) => r.users.getMany(T1, ['Dave', 'alice', 'carol', 'ghost']));
    expect(people.map((u) => [u.id, u.email, u.isGuest])).toEqual([
      ['Dave', null, false],
      ['alice', 'alice@contoso.test', false],
      ['carol', 'carol@contoso.test', true],
    ]);
    expect(await same((r) => r.roles.list(T1))).toHaveLength(3);
    await same((r) => r.roles.list('no-tenant'));
  });

  test('date-times written by other tools read as Prisma reads them', async () => {
    const { Prisma } = await import('../../prisma/generated/client');
    const texts = ['2026-11-21 10:00:00', '2026-11-21T10:00:00', '2026-11-21T10:00:00.5Z', '2026-11-21T10:00:00+02:00', '2026-11-21 10:00:00.250', '2026-11-21'];
    await t.db.writer.$transaction(async (tx) => {
      for (const [i, text] of texts.entries()) {
        await tx.$executeRaw(
          Prisma.sql`INSERT INTO "Tenant" ("id", "name", "kind", "country", "requireApproval", "createdAt") VALUES (${`dates-${i}`}, 'Dates', 'Commercial', 'US', 0, ${text})`,
        );
      }
    });
    for (const i of texts.keys()) {
      const actor = await same((r) => r.actors.load(`dates-${i}`, 'nobody'));
      expect(actor.tenant?.createdAt).toBeInstanceOf(Date);
      expect(Number.isNaN(actor.tenant!.createdAt.getTime())).toBe(false);
    }
  });

  test('rows as objects: of two columns with one name the last wins, each converted by its own declared type', async () => {
    const { Prisma } = await import('../../prisma/generated/client');
    const [row] = await t.db.readSql.query<Record<string, unknown>>(
      Prisma.sql`SELECT t."createdAt" AS "x", t."requireApproval" AS "flag", t."name" AS "x", 7 AS "n" FROM "Tenant" t WHERE t."id" = ${T1}`,
    );
    expect(row).toEqual({ x: `Org ${T1}`, flag: true, n: 7 });
    expect(Object.keys(row)).toEqual(['x', 'flag', 'n']);
    const [dated] = await t.db.readSql.query<Record<string, unknown>>(Prisma.sql`SELECT t."name" AS "x", t."createdAt" AS "x" FROM "Tenant" t WHERE t."id" = ${T1}`);
    expect(dated.x).toEqual(day(0));
    expect(await t.db.readSql.query(Prisma.sql`SELECT t."id" FROM "Tenant" t WHERE t."id" = ${'none'}`)).toEqual([]);
  });

  test('reads only committed data, and cannot write', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    const writing = t.uow.run(async (r) => {
      await r.users.upsert(user(T1, 'in-flight'));
      written();
      await gate;
    });
    await wrote;
    expect(await viaReader.users.getMany(T1, ['in-flight'])).toEqual([]);
    release();
    await writing;
    expect((await viaReader.users.getMany(T1, ['in-flight'])).map((u) => u.id)).toEqual(['in-flight']);
    const { Prisma } = await import('../../prisma/generated/client');
    await expect(t.db.readSql.query(Prisma.sql`DELETE FROM "DirectoryUser" WHERE "tenantId" = ${T1}`)).rejects.toThrow();
    await expect(t.db.readSql.query(Prisma.sql`SELECT 1 AS "one"; DELETE FROM "DirectoryUser"`)).rejects.toThrow();
    expect((await viaReader.users.getMany(T1, ['alice'])).length).toBe(1);
  });

  test('the unit of work reads through it', async () => {
    const calls: string[] = [];
    const spy = jest.spyOn(t.db.readSql, 'query').mockImplementation(function (this: unknown, q) {
      calls.push(q.sql);
      return jest.requireActual('../../prisma/sql-reader').SqliteSqlReader.prototype.query.call(t.db.readSql, q);
    });
    try {
      await t.uow.read((r) => r.subscriptions.listByPurchaser(T1, 'alice'));
    } finally {
      spy.mockRestore();
    }
    expect(calls).toHaveLength(1);
  });
});
