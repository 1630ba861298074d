import { spawn } from 'node:child_process';
import type { AuditEntry, DirectoryUser, Invoice, LicenseAssignment, NotificationIntent, OrderEntry, PurchaseRequest, Subscription, Tenant } from '../../domain/model';
import type { ExportCursor, Repositories } from '../../domain/ports';
import { CATALOG } from '../../domain/catalog/catalog-data';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { createRepositories, isRetryable, PrismaUnitOfWork } from '../../prisma/unit-of-work';
import { TransactionTimeoutError } from '../../prisma/database';
import type { SqlSession } from '../../prisma/repositories/support';
import { ProductCatalogCache } from '../../prisma/repositories';
import { openDatabase } from '../../prisma/client';
import { PrismaConversationStore } from '../../prisma/conversation-store';
import { freshDatabaseOn, type TestDatabase } from '../support/db';
import type { EngineName } from '../../prisma/client';
import { Prisma } from '../../prisma/generated/client';

const T1 = 'tenant-1';
const T2 = 'tenant-2';
const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n, 12, 0, 0, 123));

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
  id: `sub-${++seq}`,
  tenantId: T1,
  productId: 'CFQ7TTC0H9MP',
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
const assignment = (s: Subscription, userId: string, id = `as-${s.id}-${userId}`): LicenseAssignment => ({
  id,
  tenantId: s.tenantId,
  subscriptionId: s.id,
  userId,
  assignedAt: day(1),
  assignedBy: s.purchaserId,
});

const expectConflict = async (p: Promise<unknown>) => {
  await expect(p).rejects.toBeInstanceOf(DomainError);
  await expect(p).rejects.toMatchObject({ code: ErrorCodes.CONCURRENCY_CONFLICT });
};

/** Every repository and the unit of work, on each engine: SQLite (the embedded default) and PostgreSQL (a throwaway cluster). */
const ENGINES: EngineName[] = ['sqlite', 'postgresql'];

describe.each(ENGINES)('Prisma repositories on %s', (engine) => {
  let t: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    t = await freshDatabaseOn(engine, 'repositories');
    repos = createRepositories(t.db.writeSql);
    await repos.tenants.save(tenant(T1));
    await repos.tenants.save(tenant(T2));
  });
  afterAll(() => t.close());

  describe('tenants', () => {
    test('save inserts then updates; get returns the domain object; unknown is null', async () => {
      await repos.tenants.save(tenant('t-x', { requireApproval: true, country: 'DE' }));
      expect(await repos.tenants.get('t-x')).toEqual(tenant('t-x', { requireApproval: true, country: 'DE' }));
      await repos.tenants.save(tenant('t-x', { name: 'Renamed', kind: 'Education' }));
      expect(await repos.tenants.get('t-x')).toEqual(tenant('t-x', { name: 'Renamed', kind: 'Education' }));
      expect(await repos.tenants.get('nope')).toBeNull();
    });
  });

  describe('users', () => {
    test('the same Entra id in two tenants is two people; get and getMany stay in their tenant', async () => {
      await repos.users.upsert(user(T1, 'same-id', { displayName: 'In T1' }));
      await repos.users.upsert(user(T2, 'same-id', { displayName: 'In T2', email: null, isGuest: true }));
      await repos.users.upsert(user(T1, 'bob'));
      expect(await repos.users.get(T1, 'same-id')).toEqual(user(T1, 'same-id', { displayName: 'In T1' }));
      expect(await repos.users.get(T2, 'same-id')).toEqual(user(T2, 'same-id', { displayName: 'In T2', email: null, isGuest: true }));
      expect(await repos.users.get(T2, 'bob')).toBeNull();
      expect((await repos.users.getMany(T1, ['same-id', 'bob', 'ghost'])).map((u) => [u.tenantId, u.id, u.displayName])).toEqual([
        [T1, 'bob', 'User bob'],
        [T1, 'same-id', 'In T1'],
      ]);
      expect(await repos.users.getMany(T2, ['bob'])).toEqual([]);
      expect(await repos.users.getMany(T1, [])).toEqual([]);
    });

    test("activeIdsAfter pages a tenant's active people by id, nobody else's", async () => {
      for (const id of ['c', 'a', 'e', 'b', 'd']) await repos.users.upsert(user(T1, `act-${id}`, { active: id !== 'c' }));
      await repos.users.upsert(user(T2, 'act-z'));
      const all: string[] = [];
      for (let after = 'act-'; ;) {
        const ids = await repos.users.activeIdsAfter(T1, after, 2);
        all.push(...ids.filter((id) => id.startsWith('act-')));
        if (ids.length < 2) break;
        after = ids[ids.length - 1];
      }
      expect(all).toEqual(['act-a', 'act-b', 'act-d', 'act-e']);
      expect(await repos.users.activeIdsAfter(T2, '', 10)).toContain('act-z');
      expect(await repos.users.activeIdsAfter(T2, '', 10)).not.toContain('act-a');
    });

    test('upsert updates (a person who left becomes inactive)', async () => {
      await repos.users.upsert(user(T1, 'leaver'));
      await repos.users.upsert(user(T1, 'leaver', { active: false }));
      expect((await repos.users.get(T1, 'leaver'))?.active).toBe(false);
    });
  });

  describe('roles', () => {
    test('add, list, count and remove, per tenant', async () => {
      await repos.roles.add({ tenantId: T1, userId: 'admin', role: 'GlobalAdmin', grantedBy: null, grantedAt: day(0) });
      await repos.roles.add({ tenantId: T1, userId: 'admin', role: 'BillingAdmin', grantedBy: 'admin', grantedAt: day(1) });
      await repos.roles.add({ tenantId: T1, userId: 'reader', role: 'GlobalReader', grantedBy: 'admin', grantedAt: day(2) });
      await repos.roles.add({ tenantId: T2, userId: 'admin', role: 'GlobalAdmin', grantedBy: null, grantedAt: day(0) });
      expect(await repos.roles.listForUser(T1, 'admin')).toEqual(['BillingAdmin', 'GlobalAdmin']);
      expect(await repos.roles.list(T1)).toEqual([
        { tenantId: T1, userId: 'admin', role: 'GlobalAdmin', grantedBy: null, grantedAt: day(0) },
        { tenantId: T1, userId: 'admin', role: 'BillingAdmin', grantedBy: 'admin', grantedAt: day(1) },
        { tenantId: T1, userId: 'reader', role: 'GlobalReader', grantedBy: 'admin', grantedAt: day(2) },
      ]);
      expect(await repos.roles.count(T1, 'GlobalAdmin')).toBe(1);
      await repos.roles.remove(T2, 'admin', 'BillingAdmin'); // not held there: no-op
      await repos.roles.remove(T1, 'admin', 'BillingAdmin');
      expect(await repos.roles.listForUser(T1, 'admin')).toEqual(['GlobalAdmin']);
      expect(await repos.roles.listForUser(T2, 'reader')).toEqual([]);
    });

    test('granting a held role again is a conflict (the retry then sees it granted)', async () => {
      await expectConflict(repos.roles.add({ tenantId: T1, userId: 'admin', role: 'GlobalAdmin', grantedBy: null, grantedAt: day(3) }));
    });

    test('roles may be granted before the tenant exists (bootstrap admins from configuration)', async () => {
      await repos.roles.add({ tenantId: 'not-installed-yet', userId: 'boss', role: 'GlobalAdmin', grantedBy: null, grantedAt: day(0) });
      expect(await repos.roles.listForUser('not-installed-yet', 'boss')).toEqual(['GlobalAdmin']);
    });
  });

  describe('products', () => {
    test('list is the seeded catalog, in catalog order', async () => {
      expect(await repos.products.list()).toEqual([...CATALOG]);
    });

    test('get resolves current and legacy ids, case-insensitively; unknown is null', async () => {
      expect((await repos.products.get('CFQ7TTC0H9MP'))?.name).toBe('Power BI Pro');
      expect((await repos.products.get('CFQ7TTC0L3PB'))?.id).toBe('CFQ7TTC0H9MP');
      expect((await repos.products.get(' cfq7ttc0l3pb '))?.id).toBe('CFQ7TTC0H9MP');
      expect(await repos.products.get('NOPE')).toBeNull();
      expect((await repos.products.get('CFQ7TTC0HDB1'))?.trial).toEqual({ days: 30, licenses: 25, requiresPaymentMethod: false });
      expect((await repos.products.get('CFQ7TTC0H6RP'))?.trial).toBeNull();
    });

    test('the catalog is read once and shared through the cache, until invalidated', async () => {
      const cache = new ProductCatalogCache();
      const a = createRepositories(t.db.writeSql, cache);
      expect((await a.products.get('CFQ7TTC0MM8R'))?.name).toBe('Microsoft 365 Copilot');
      await t.db.writer.product.update({ where: { id: 'CFQ7TTC0MM8R' }, data: { name: 'Renamed' } });
      try {
        const b = createRepositories(t.db.writeSql, cache); // another session, same cache
        expect((await b.products.get('CFQ7TTC0MM8R'))?.name).toBe('Microsoft 365 Copilot');
        cache.invalidate();
        expect((await b.products.get('CFQ7TTC0MM8R'))?.name).toBe('Renamed');
      } finally {
        await t.db.writer.product.update({ where: { id: 'CFQ7TTC0MM8R' }, data: { name: 'Microsoft 365 Copilot' } });
      }
    });
  });

  describe('policies', () => {
    test('set inserts then overwrites; get and list stay in their tenant', async () => {
      await repos.policies.set({ tenantId: T1, productId: 'CFQ7TTC0H9MP', value: 'Disabled', updatedBy: 'admin', updatedAt: day(1) });
      await repos.policies.set({ tenantId: T1, productId: 'CFQ7TTC0H9MP', value: 'OnlyTrialsWithoutPaymentMethod', updatedBy: 'admin2', updatedAt: day(2) });
      await repos.policies.set({ tenantId: T1, productId: 'CFQ7TTC0HD33', value: 'Enabled', updatedBy: null, updatedAt: day(2) });
      expect(await repos.policies.get(T1, 'CFQ7TTC0H9MP')).toEqual({
        tenantId: T1,
        productId: 'CFQ7TTC0H9MP',
        value: 'OnlyTrialsWithoutPaymentMethod',
        updatedBy: 'admin2',
        updatedAt: day(2),
      });
      expect((await repos.policies.list(T1)).map((p) => p.productId)).toEqual(['CFQ7TTC0H9MP', 'CFQ7TTC0HD33']);
      expect(await repos.policies.get(T2, 'CFQ7TTC0H9MP')).toBeNull();
      expect(await repos.policies.list(T2)).toEqual([]);
    });
  });

  describe('subscriptions', () => {
    test('create and get round-trip every field, with and without a card', async () => {
      const withCard = subscription({ remindedFor: day(25), centralizedInto: 'central-1', cancelReason: null });
      const noCard = subscription({ card: null, origin: 'Central', recurring: false, status: 'Cancelled', cancelledAt: day(3), cancelReason: 'NoLongerNeeded' });
      await repos.subscriptions.create(withCard);
      await repos.subscriptions.create(noCard);
      expect(await repos.subscriptions.get(T1, withCard.id)).toEqual(withCard);
      expect(await repos.subscriptions.get(T1, noCard.id)).toEqual(noCard);
    });

    test("another tenant's id is not found, nor returned by getMany", async () => {
      const s = subscription();
      await repos.subscriptions.create(s);
      expect(await repos.subscriptions.get(T2, s.id)).toBeNull();
      expect(await repos.subscriptions.getMany(T2, [s.id])).toEqual([]);
      expect((await repos.subscriptions.getMany(T1, [s.id, 'missing'])).map((x) => x.id)).toEqual([s.id]);
      expect(await repos.subscriptions.getMany(T1, [])).toEqual([]);
    });

    test('update writes version + 1 and returns it; a stale version is a conflict and changes nothing', async () => {
      const s = subscription({ quantity: 2 });
      await repos.subscriptions.create(s);
      const v1 = await repos.subscriptions.update({ ...s, quantity: 3, card: null, remindedFor: day(28) });
      expect(v1.version).toBe(1);
      expect(await repos.subscriptions.get(T1, s.id)).toEqual({ ...s, quantity: 3, card: null, remindedFor: day(28), version: 1 });
      await expectConflict(repos.subscriptions.update({ ...s, quantity: 99 })); // still version 0
      const v2 = await repos.subscriptions.update({ ...v1, status: 'Cancelled', cancelledAt: day(4), cancelReason: 'TooExpensive' });
      expect(v2.version).toBe(2);
      expect(await repos.subscriptions.get(T1, s.id)).toMatchObject({ quantity: 3, status: 'Cancelled', version: 2 });
    });

    test("update can't reach another tenant's subscription", async () => {
      const s = subscription();
      await repos.subscriptions.create(s);
      await expectConflict(repos.subscriptions.update({ ...s, tenantId: T2, quantity: 1 }));
      expect((await repos.subscriptions.get(T1, s.id))?.quantity).toBe(5);
    });

    test("ProductTally and PurchaserTally (the triggers' counts) equal a recount through creates, assigns, resizes, moves, status changes and deletes", async () => {
      const P = 'CFQ7TTC0KXG7';
      const T3 = 'tenant-tally';
      await repos.tenants.save(tenant(T3));
      const recount = async () => ({
        products: await t.db.writer.$queryRaw<
          unknown[]
        >(Prisma.sql`SELECT "tenantId", "productId", COUNT(*) AS "subscriptions", SUM("quantity") AS "quantity", SUM("assignedCount") AS "assigned", COUNT(DISTINCT "purchaserId") AS "purchasers"
           FROM "Subscription" WHERE "tenantId" = ${T3} AND "status" IN ('Active', 'Trial') GROUP BY "tenantId", "productId" ORDER BY "productId"`),
        purchasers: await t.db.writer.$queryRaw<unknown[]>(Prisma.sql`SELECT "tenantId", "productId", "purchaserId", COUNT(*) AS "count" FROM "Subscription"
           WHERE "tenantId" = ${T3} AND "status" IN ('Active', 'Trial') GROUP BY "tenantId", "productId", "purchaserId" ORDER BY "productId", "purchaserId"`),
      });
      const tallies = async () => ({
        products: await t.db.writer.$queryRaw<unknown[]>(
          Prisma.sql`SELECT "tenantId", "productId", "subscriptions", "quantity", "assigned", "purchasers" FROM "ProductTally" WHERE "tenantId" = ${T3} AND "subscriptions" > 0 ORDER BY "productId"`,
        ),
        purchasers: await t.db.writer.$queryRaw<unknown[]>(
          Prisma.sql`SELECT "tenantId", "productId", "purchaserId", "count" FROM "PurchaserTally" WHERE "tenantId" = ${T3} AND "count" > 0 ORDER BY "productId", "purchaserId"`,
        ),
      });
      const numbers = (v: { products: unknown[]; purchasers: unknown[] }) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)));
      const same = async () => expect(numbers(await tallies())).toEqual(numbers(await recount()));
      const a1 = subscription({ tenantId: T3, productId: P, purchaserId: 'ann', quantity: 3 });
      const a2 = subscription({ tenantId: T3, productId: P, purchaserId: 'ann', quantity: 2, status: 'Trial' });
      const b1 = subscription({ tenantId: T3, productId: P, purchaserId: 'ben', quantity: 4 });
      const gone = subscription({ tenantId: T3, productId: P, purchaserId: 'cat', status: 'Cancelled' });
      const other = subscription({ tenantId: T3, productId: 'CFQ7TTC0H9MP', purchaserId: 'ann', quantity: 1 });
      for (const s of [a1, a2, b1, gone, other]) await repos.subscriptions.create(s);
      await same();
      expect(await repos.subscriptions.productTotals(T3, P)).toEqual({ subscriptions: 3, totalQuantity: 9, assigned: 0 });
      await repos.assignments.add([assignment(a1, 'u1'), assignment(a1, 'u2'), assignment(b1, 'u3')]);
      await same();
      expect(await repos.subscriptions.productTotals(T3, P)).toEqual({ subscriptions: 3, totalQuantity: 9, assigned: 3 });
      await repos.assignments.remove(T3, a1.id, ['u2']);
      const a1v1 = await repos.subscriptions.update({ ...(await repos.subscriptions.get(T3, a1.id))!, quantity: 6 });
      await same();
      // Taken over: ben's subscription becomes ann's; ben holds none of the product any more.
      await repos.subscriptions.update({ ...(await repos.subscriptions.get(T3, b1.id))!, purchaserId: 'ann', origin: 'Central' });
      await same();
      expect((await repos.subscriptions.licenseGroups(T3, P, undefined, 1, 10, { subscriptions: 10, users: 25 })).total).toBe(1);
      // Out of the live statuses and back; a cancelled one revived.
      await repos.subscriptions.update({ ...a1v1, status: 'Cancelled', cancelledAt: day(5), cancelReason: 'TooExpensive' });
      await same();
      await repos.subscriptions.update({ ...(await repos.subscriptions.get(T3, gone.id))!, status: 'Active' });
      await same();
      expect((await repos.subscriptions.licenseGroups(T3, P, undefined, 1, 10, { subscriptions: 10, users: 25 })).total).toBe(2);
      // Deleted rows (a bulk clean-up, or a test's): out of the counts too.
      await t.db.writer.$executeRaw(Prisma.sql`DELETE FROM "LicenseAssignment" WHERE "tenantId" = ${T3}`);
      await t.db.writer.$executeRaw(Prisma.sql`DELETE FROM "Subscription" WHERE "tenantId" = ${T3} AND "id" = ${a2.id}`);
      await same();
      expect(await repos.subscriptions.productTotals(T3, P)).toEqual(
        await repos.subscriptions.productTotals(T3, P, 'SelfService').then(async (self) => {
          const central = await repos.subscriptions.productTotals(T3, P, 'Central');
          return {
            subscriptions: self.subscriptions + central.subscriptions,
            totalQuantity: self.totalQuantity + central.totalQuantity,
            assigned: self.assigned + central.assigned,
          };
        }),
      );
      // Leaves nothing for the other tests: every subscription of the tenant gone, every count at zero.
      await t.db.writer.$executeRaw(Prisma.sql`DELETE FROM "Subscription" WHERE "tenantId" = ${T3}`);
      await same();
      expect(numbers(await tallies())).toEqual({ products: [], purchasers: [] });
    });

    test("purchasedBy and searchPurchases: each subscription with its assigned licenses, the page with its purchasers' names (null when the directory has none)", async () => {
      const T5 = 'tenant-listings';
      await repos.tenants.save(tenant(T5));
      await repos.users.upsert(user(T5, 'known', { displayName: 'Known Person' }));
      const a = subscription({ tenantId: T5, purchaserId: 'known', createdAt: day(3) });
      const b = subscription({ tenantId: T5, purchaserId: 'known', createdAt: day(4), origin: 'Central' });
      const c = subscription({ tenantId: T5, purchaserId: 'left-the-company', createdAt: day(5) });
      for (const s of [a, b, c]) await repos.subscriptions.create(s);
      await repos.assignments.add([assignment(a, 'x1'), assignment(a, 'x2'), assignment(c, 'x3')]);
      // a's two declined renewals are unpaid, its first bill paid; c's unpaid bill is another purchaser's.
      const bill = (id: string, s: Subscription, status: 'Paid' | 'Unpaid'): Invoice => ({
        id,
        tenantId: T5,
        subscriptionId: s.id,
        purchaserId: s.purchaserId,
        amount: { amountMinor: 1000, currency: 'USD' },
        status,
        description: 'renewal',
        issuedAt: day(6),
        paidAt: status === 'Paid' ? day(6) : null,
        chargeId: null,
        failureCode: status === 'Paid' ? null : 'card_declined',
      });
      for (const i of [bill('b-1', a, 'Paid'), bill('b-2', a, 'Unpaid'), bill('b-3', a, 'Unpaid'), bill('b-4', c, 'Unpaid')]) await repos.invoices.add(i);
      expect(await repos.subscriptions.purchasedBy(T5, 'known')).toEqual([
        { subscription: b, assigned: 0, unpaid: 0 },
        { subscription: a, assigned: 2, unpaid: 2 },
      ]);
      const page = await repos.subscriptions.searchPurchases(T5, {}, 1, 2);
      expect(page).toMatchObject({ total: 3, page: 1, pageSize: 2 });
      expect(page.items).toEqual([
        { subscription: c, assigned: 1, purchaserName: null },
        { subscription: b, assigned: 0, purchaserName: 'Known Person' },
      ]);
      expect((await repos.subscriptions.searchPurchases(T5, {}, 2, 2)).items).toEqual([{ subscription: a, assigned: 2, purchaserName: 'Known Person' }]);
      expect(await repos.subscriptions.searchPurchases(T5, { origin: 'Central' }, 5, 2)).toEqual({ items: [], total: 1, page: 5, pageSize: 2 });
      expect(await repos.subscriptions.purchasedBy(T2, 'known')).toEqual([]);
      // One subscription with its count: from the row, and inside a write transaction its own assigns counted.
      expect(await repos.subscriptions.getWithAssigned(T5, a.id)).toEqual({ subscription: a, assigned: 2 });
      expect(await repos.subscriptions.getWithAssigned(T5, b.id)).toEqual({ subscription: b, assigned: 0 });
      expect(await repos.subscriptions.getWithAssigned(T2, a.id)).toBeNull();
      const inside = await new PrismaUnitOfWork(t.db).run(async (r) => {
        await r.assignments.add([assignment(a, 'x4')]);
        return r.subscriptions.getWithAssigned(T5, a.id);
      });
      expect(inside).toEqual({ subscription: a, assigned: 3 });
      await t.db.writer.$executeRaw(Prisma.sql`DELETE FROM "LicenseAssignment" WHERE "tenantId" = ${T5}`);
      await t.db.writer.$executeRaw(Prisma.sql`DELETE FROM "Invoice" WHERE "tenantId" = ${T5}`);
      await t.db.writer.$executeRaw(Prisma.sql`DELETE FROM "Subscription" WHERE "tenantId" = ${T5}`);
    });

    test('licenseGroups: a purchaser beyond the caps gets the first rows of each kind, others whole (the SQL both engines run)', async () => {
      const P = 'CFQ7TTC0J203';
      const subs = Array.from({ length: 5 }, (_, i) => subscription({ productId: P, purchaserId: 'grace', createdAt: day(10 + i) }));
      subs.push(subscription({ productId: P, purchaserId: 'heidi', createdAt: day(20) }));
      for (const s of subs) {
        await repos.subscriptions.create(s);
        await repos.assignments.add([assignment(s, `${s.id}-u1`), assignment(s, `${s.id}-u2`)]);
      }
      const page = await repos.subscriptions.licenseGroups(T1, P, undefined, 1, 10, { subscriptions: 2, users: 3 });
      expect(page.total).toBe(2);
      const [grace, heidi] = page.items;
      expect(grace).toMatchObject({ purchaserId: 'grace', subscriptionCount: 5, userCount: 10 });
      expect(grace.subscriptions.map((x) => x.id)).toEqual([subs[0].id, subs[1].id]);
      expect(grace.users.map((u) => u.subscriptionId)).toEqual([subs[0].id, subs[0].id, subs[1].id]);
      expect(heidi).toMatchObject({ purchaserId: 'heidi', subscriptionCount: 1, userCount: 2 });
      expect(heidi.subscriptions).toHaveLength(1);
      expect(heidi.users).toHaveLength(2);
    });

    describe('queries', () => {
      const P = 'CFQ7TTC0LH2H';
      const mine: Subscription[] = [];
      beforeAll(async () => {
        const rows = [
          subscription({ tenantId: T2, productId: P, purchaserId: 'carol', createdAt: day(5), expiresAt: day(6) }),
          subscription({ tenantId: T2, productId: P, purchaserId: 'carol', status: 'Trial', isTrial: true, createdAt: day(6), expiresAt: day(7) }),
        ];
        for (let i = 0; i < 7; i++) {
          const s = subscription({
            tenantId: T2,
            productId: i % 2 ? P : 'CFQ7TTC0LH3L',
            purchaserId: i < 4 ? 'dave' : 'erin',
            origin: i === 6 ? 'Central' : 'SelfService',
            status: i === 5 ? 'Expired' : 'Active',
            createdAt: i === 3 ? day(10) : day(10 + i),
            expiresAt: day(40 - i),
            id: `q-${i}`,
          });
          mine.push(s);
          rows.push(s);
        }
        for (const s of rows) await repos.subscriptions.create(s);
      });

      test('listByPurchaser: newest first, ties by id, only that tenant', async () => {
        expect((await repos.subscriptions.listByPurchaser(T2, 'dave')).map((s) => s.id)).toEqual(['q-2', 'q-1', 'q-3', 'q-0']); // q-3 and q-0 share createdAt
        expect(await repos.subscriptions.listByPurchaser(T1, 'dave')).toEqual([]);
      });

      test('search filters, counts and pages (newest first)', async () => {
        const all = await repos.subscriptions.search(T2, {}, 1, 100);
        expect(all.total).toBe(9);
        const p1 = await repos.subscriptions.search(T2, { origin: 'SelfService' }, 1, 3);
        const p2 = await repos.subscriptions.search(T2, { origin: 'SelfService' }, 2, 3);
        const p3 = await repos.subscriptions.search(T2, { origin: 'SelfService' }, 3, 3);
        expect([p1.total, p1.page, p1.pageSize]).toEqual([8, 1, 3]);
        expect([...p1.items, ...p2.items, ...p3.items].map((s) => s.id)).toEqual(['q-5', 'q-4', 'q-2', 'q-1', 'q-3', 'q-0', expect.any(String), expect.any(String)]);
        expect(p3.items).toHaveLength(2);
        const filtered = await repos.subscriptions.search(T2, { productId: P, purchaserId: 'dave', status: 'Active' }, 1, 10);
        expect(filtered.items.map((s) => s.id)).toEqual(['q-1', 'q-3']);
        expect(filtered.total).toBe(2);
        expect(await repos.subscriptions.search(T1, { purchaserId: 'dave' }, 1, 10)).toEqual({ items: [], total: 0, page: 1, pageSize: 10 });
        const beyond = await repos.subscriptions.search(T2, {}, 5, 10);
        expect([beyond.items.length, beyond.total]).toEqual([0, 9]);
      });

      test('centralTargets: the best few of a product’s live central subscriptions, ranked by fit in SQL, with how many there are', async () => {
        const [T5, T6] = ['tenant-move-targets', 'tenant-move-targets-other'];
        await repos.tenants.save(tenant(T5));
        await repos.tenants.save(tenant(T6));
        const P5 = 'CFQ7TTC0LH2H';
        // Expiring long after the billing job's window the test below reads.
        const at = (n: number) => ({ tenantId: T5, productId: P5, createdAt: day(n), startedAt: day(n), expiresAt: day(400) });
        const source = subscription({ ...at(0), purchaserId: 'src' });
        const central = (n: number, quantity: number, over: Partial<Subscription> = {}) => subscription({ ...at(n), origin: 'Central', card: null, quantity, ...over });
        const c1 = central(1, 10); // 8 free, 1 of the 3 holders already there: 6 to spare after the move
        const c2 = central(2, 12); // 8 free, none of them: 5 to spare
        const c3 = central(3, 5); // 2 free, all 3 there: 2 to spare
        const c4 = central(4, 9); // 9 free: 6 to spare, and more free than c1
        const c9 = central(-1, 8); // 8 free: 5 to spare, older than c2
        const excluded = [
          central(5, 20, { status: 'Cancelled' }),
          subscription({ ...at(6), quantity: 50 }), // self-service
          central(7, 40, { productId: 'CFQ7TTC0H9MP' }),
          central(8, 40, { tenantId: T6 }),
        ];
        for (const x of [source, c1, c2, c3, c4, c9, ...excluded]) await repos.subscriptions.create(x);
        await repos.assignments.add([
          ...['h1', 'h2', 'h3'].map((u) => assignment(source, u)),
          assignment(c1, 'h1'),
          assignment(c1, 'x1'),
          ...['y1', 'y2', 'y3', 'y4'].map((u) => assignment(c2, u)),
          ...['h1', 'h2', 'h3'].map((u) => assignment(c3, u)),
          assignment(excluded[2], 'h2'),
          assignment(excluded[3], 'h2'), // the same user id in another tenant is another person
        ]);
        const all = await repos.subscriptions.centralTargets(T5, P5, source.id, 25);
        expect(all.total).toBe(5);
        expect(all.targets.map((t) => [t.subscription.id, t.assigned, t.overlap])).toEqual([
          [c4.id, 0, 0],
          [c1.id, 2, 1],
          [c9.id, 0, 0],
          [c2.id, 4, 0],
          [c3.id, 3, 3],
        ]);
        expect(all.targets[0].subscription).toEqual({ ...c4, version: expect.any(Number) });
        const best = await repos.subscriptions.centralTargets(T5, P5, source.id, 2);
        expect([best.targets.map((t) => t.subscription.id), best.total]).toEqual([[c4.id, c1.id], 5]);
        // A central subscription is never its own target; another tenant sees only its own, and none of this tenant's holders.
        expect((await repos.subscriptions.centralTargets(T5, P5, c1.id, 25)).targets.map((t) => t.subscription.id)).not.toContain(c1.id);
        const elsewhere = await repos.subscriptions.centralTargets(T6, P5, source.id, 25);
        expect([elsewhere.targets.map((t) => [t.subscription.id, t.overlap]), elsewhere.total]).toEqual([[[excluded[3].id, 0]], 1]);
        expect(all.targets.map((t) => t.subscription.id)).not.toContain(excluded[3].id);
      });

      test('hasTrial: a running trial, a converted one (TrialStarted order), or none', async () => {
        expect(await repos.subscriptions.hasTrial(T2, 'carol', P)).toBe(true);
        expect(await repos.subscriptions.hasTrial(T2, 'dave', P)).toBe(false);
        await repos.orders.add({
          id: 'o-trial',
          tenantId: T2,
          subscriptionId: 'q-1',
          kind: 'TrialStarted',
          quantityDelta: 25,
          amount: null,
          actorId: 'dave',
          at: day(10),
          note: null,
        });
        expect(await repos.subscriptions.hasTrial(T2, 'dave', P)).toBe(true);
        expect(await repos.subscriptions.hasTrial(T1, 'dave', P)).toBe(false);
        expect(await repos.subscriptions.hasTrial(T2, 'dave', 'CFQ7TTC0LH3L')).toBe(false);
      });

      test('listExpiringBefore spans tenants (billing job), live only, oldest expiry first, limited', async () => {
        const due = await repos.subscriptions.listExpiringBefore(day(36), 100);
        expect(due.every((s) => (s.status === 'Active' || s.status === 'Trial') && s.expiresAt < day(36))).toBe(true);
        expect(due.map((s) => s.expiresAt.getTime())).toEqual([...due.map((s) => s.expiresAt.getTime())].sort((a, b) => a - b));
        expect(new Set(due.map((s) => s.tenantId))).toEqual(new Set([T1, T2]));
        expect(due.map((s) => s.id)).not.toContain('q-5'); // expired
        expect(due.slice(0, 2).map((s) => s.purchaserId)).toEqual(['carol', 'carol']);
        expect(await repos.subscriptions.listExpiringBefore(day(36), 1)).toHaveLength(1);
        const t2Only = await repos.subscriptions.listExpiringBefore(day(36), 100, T2);
        expect(t2Only.length).toBeGreaterThan(0);
        expect(t2Only.every((s) => s.tenantId === T2)).toBe(true);
      });
    });
  });

  describe('license assignments', () => {
    test("exportPage walks the chosen subscriptions in their order, each one's rows by id, every row once, whatever the page splits", async () => {
      const T4 = 'tenant-export-walk';
      await repos.tenants.save(tenant(T4));
      const sizes = [0, 1, 2, 3, 5, 0, 1, 1, 1, 4];
      const subs = sizes.map((_, i) => subscription({ tenantId: T4, purchaserId: `p${i % 3}` }));
      for (const [i, s] of subs.entries()) {
        await repos.subscriptions.create(s);
        await repos.assignments.add(Array.from({ length: sizes[i] }, (_, k) => assignment(s, `w${i}-${k}`, `as-${s.id}-${String(k).padStart(2, '0')}`)));
      }
      // Not in list order of creation, with an id of no subscription among them.
      const chosen = [subs[4].id, subs[0].id, subs[9].id, subs[1].id, 'missing', subs[2].id, subs[3].id, subs[5].id, subs[6].id, subs[7].id, subs[8].id];
      const expected = chosen.flatMap((id) =>
        subs
          .filter((s) => s.id === id)
          .flatMap((s) => (sizes[subs.indexOf(s)] > 0 ? Array.from({ length: sizes[subs.indexOf(s)] }, (_, k) => `as-${s.id}-${String(k).padStart(2, '0')}`) : [])),
      );
      for (const [limit, perRead] of [
        [1, 1],
        [2, 3],
        [3, 2],
        [4, 500],
        [7, 4],
        [100, 500],
      ]) {
        const ids: string[] = [];
        for (let cursor: ExportCursor | null = { index: 0, afterId: null }, calls = 0; cursor; calls++) {
          const page = await repos.assignments.exportPage(T4, chosen, cursor, limit, perRead);
          expect(page.rows.length).toBeLessThanOrEqual(limit);
          ids.push(...page.rows.map((r) => r.id));
          cursor = page.next;
          expect(calls).toBeLessThan(100);
        }
        expect(ids).toEqual(expected);
      }
    });

    let s: Subscription;
    let other: Subscription;
    beforeAll(async () => {
      s = subscription({ quantity: 40 });
      other = subscription({ quantity: 3 });
      await repos.subscriptions.create(s);
      await repos.subscriptions.create(other);
    });

    test('add, list, count (grouped) and remove', async () => {
      await repos.assignments.add([assignment(s, 'u1'), assignment(s, 'u2'), assignment(other, 'u1')]);
      expect((await repos.assignments.listBySubscription(T1, s.id)).map((a) => a.userId)).toEqual(['u1', 'u2']);
      expect(await repos.assignments.listBySubscription(T1, s.id)).toContainEqual(assignment(s, 'u1'));
      expect((await repos.assignments.listBySubscriptions(T1, [s.id, other.id])).length).toBe(3);
      expect(await repos.assignments.countBySubscriptions(T1, [s.id, other.id, 'none'])).toEqual(
        new Map([
          [s.id, 2],
          [other.id, 1],
        ]),
      );
      await repos.assignments.remove(T1, s.id, ['u2', 'not-assigned']);
      expect((await repos.assignments.listBySubscription(T1, s.id)).map((a) => a.userId)).toEqual(['u1']);
      await repos.assignments.remove(T1, s.id, ['u1']);
      await repos.assignments.remove(T1, other.id, ['u1']);
    });

    test('the first N in assigned order, and which of some people hold a license (lookups that do not read every holder)', async () => {
      await repos.assignments.add(['a', 'b', 'c', 'd'].map((u, i) => ({ ...assignment(s, `first-${u}`), assignedAt: day(i) })));
      expect((await repos.assignments.listBySubscription(T1, s.id, 2)).map((a) => a.userId)).toEqual(['first-a', 'first-b']);
      expect(await repos.assignments.listBySubscription(T1, s.id, 0)).toEqual([]);
      expect((await repos.assignments.listBySubscription(T1, s.id)).length).toBe(4);
      expect((await repos.assignments.holdersAmong(T1, s.id, ['first-c', 'nobody', 'first-a'])).sort()).toEqual(['first-a', 'first-c']);
      expect(await repos.assignments.holdersAmong(T1, other.id, ['first-a'])).toEqual([]);
      expect(await repos.assignments.holdersAmong(T2, s.id, ['first-a'])).toEqual([]);
      expect(await repos.assignments.holdersAmong(T1, s.id, [])).toEqual([]);
      await repos.assignments.remove(T1, s.id, ['first-a', 'first-b', 'first-c', 'first-d']);
    });

    test('assigning a user twice to one subscription is a conflict, and nothing of the batch is written', async () => {
      await repos.assignments.add([assignment(s, 'dup')]);
      await expectConflict(repos.assignments.add([assignment(s, 'fresh'), assignment(s, 'dup', 'as-dup-2')]));
      expect((await repos.assignments.listBySubscription(T1, s.id)).map((a) => a.userId)).toEqual(['dup']);
      await repos.assignments.remove(T1, s.id, ['dup']);
    });

    test("another tenant sees nothing and can't remove anything", async () => {
      await repos.assignments.add([assignment(s, 'kept')]);
      expect(await repos.assignments.listBySubscription(T2, s.id)).toEqual([]);
      expect(await repos.assignments.listBySubscriptions(T2, [s.id])).toEqual([]);
      expect(await repos.assignments.countBySubscriptions(T2, [s.id])).toEqual(new Map());
      expect(await repos.assignments.pageBySubscriptions(T2, [s.id], null, 10)).toEqual([]);
      await repos.assignments.remove(T2, s.id, ['kept']);
      expect((await repos.assignments.listBySubscription(T1, s.id)).map((a) => a.userId)).toEqual(['kept']);
      await repos.assignments.remove(T1, s.id, ['kept']);
    });

    test("the database refuses an assignment pointing at another tenant's subscription", async () => {
      // By its message: the driver's error class may come from another test file's realm (a native
      // module is loaded once per Jest worker), where `toThrow`'s instanceof Error check fails.
      await expect(repos.assignments.add([{ ...assignment(s, 'x'), tenantId: T2 }])).rejects.toHaveProperty('message', expect.stringMatching(/Foreign key constraint/i));
    });

    test('pageBySubscriptions walks every assignment once, by id, in keyset pages', async () => {
      const rows = Array.from({ length: 25 }, (_, i) => assignment(i % 5 ? s : other, `k${i}`, `ka-${String(i).padStart(3, '0')}`)).slice(0, 23);
      await repos.assignments.add(rows);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const page: LicenseAssignment[] = await repos.assignments.pageBySubscriptions(T1, [s.id, other.id], after, 10);
        if (page.length === 0) break;
        pages++;
        seen.push(...page.map((a) => a.id));
        after = page[page.length - 1].id;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(rows.map((r) => r.id).sort());
      expect(await repos.assignments.pageBySubscriptions(T1, [other.id], null, 100)).toHaveLength(rows.filter((r) => r.subscriptionId === other.id).length);
      expect(await repos.assignments.pageBySubscriptions(T1, [], null, 10)).toEqual([]);
      await repos.assignments.remove(
        T1,
        s.id,
        rows.map((r) => r.userId),
      );
      await repos.assignments.remove(
        T1,
        other.id,
        rows.map((r) => r.userId),
      );
    });
  });

  describe('orders', () => {
    test('add and list in time order, with and without an amount; per tenant', async () => {
      const s = subscription();
      await repos.subscriptions.create(s);
      const first: OrderEntry = {
        id: 'o-1',
        tenantId: T1,
        subscriptionId: s.id,
        kind: 'Purchase',
        quantityDelta: 5,
        amount: { amountMinor: 8400, currency: 'USD' },
        actorId: 'alice',
        at: day(0),
        note: null,
      };
      const second: OrderEntry = {
        id: 'o-2',
        tenantId: T1,
        subscriptionId: s.id,
        kind: 'RecurringOff',
        quantityDelta: 0,
        amount: null,
        actorId: 'alice',
        at: day(2),
        note: 'by chat',
      };
      await repos.orders.add(second);
      await repos.orders.add(first);
      expect(await repos.orders.listBySubscription(T1, s.id)).toEqual([first, second]);
      expect(await repos.orders.listBySubscription(T2, s.id)).toEqual([]);
    });
  });

  describe('invoices', () => {
    test('add, get, update and list newest first; another tenant sees none and updates none', async () => {
      const s = subscription({ purchaserId: 'payer' });
      await repos.subscriptions.create(s);
      const inv = (id: string, issuedAt: Date): Invoice => ({
        id,
        tenantId: T1,
        subscriptionId: s.id,
        purchaserId: 'payer',
        amount: { amountMinor: 8400, currency: 'USD' },
        status: 'Unpaid',
        description: 'Power BI Pro × 5',
        issuedAt,
        paidAt: null,
        chargeId: null,
        failureCode: 'card_declined',
      });
      await repos.invoices.add(inv('i-1', day(0)));
      await repos.invoices.add(inv('i-2', day(30)));
      expect(await repos.invoices.get(T1, 'i-1')).toEqual(inv('i-1', day(0)));
      const paid = { ...inv('i-1', day(0)), status: 'Paid' as const, paidAt: day(1), chargeId: 'ch_1', failureCode: null };
      await repos.invoices.update(paid);
      expect(await repos.invoices.get(T1, 'i-1')).toEqual(paid);
      expect((await repos.invoices.listByPurchaser(T1, 'payer')).map((i) => i.id)).toEqual(['i-2', 'i-1']);
      expect(await repos.invoices.listByPurchaser(T1, 'payer')).toEqual([inv('i-2', day(30)), paid]);
      expect(await repos.invoices.get(T2, 'i-1')).toBeNull();
      expect(await repos.invoices.listByPurchaser(T2, 'payer')).toEqual([]);
      await expectConflict(repos.invoices.update({ ...paid, tenantId: T2, status: 'Unpaid' }));
      expect((await repos.invoices.get(T1, 'i-1'))?.status).toBe('Paid');
    });
  });

  describe('purchase requests', () => {
    const request = (id: string, over: Partial<PurchaseRequest> = {}): PurchaseRequest => ({
      id,
      tenantId: T1,
      requesterId: 'alice',
      productId: 'CFQ7TTC0HD32',
      kind: 'Purchase',
      quantity: 3,
      billingFrequency: 'Annual',
      cardToken: 'tok_visa',
      status: 'Pending',
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
      subscriptionId: null,
      createdAt: day(0),
      ...over,
    });

    test('add, get, listPending (oldest first); decide once only', async () => {
      await repos.requests.add(request('r-2', { createdAt: day(2) }));
      await repos.requests.add(request('r-1', { createdAt: day(1), kind: 'Trial', cardToken: null }));
      await repos.requests.add(request('r-other', { tenantId: T2 }));
      expect(await repos.requests.get(T1, 'r-1')).toEqual(request('r-1', { createdAt: day(1), kind: 'Trial', cardToken: null }));
      expect((await repos.requests.listPending(T1)).map((r) => r.id)).toEqual(['r-1', 'r-2']);

      const approved = request('r-2', { createdAt: day(2), status: 'Approved', decidedBy: 'admin', decidedAt: day(3), decisionNote: 'ok', subscriptionId: 'sub-x' });
      await repos.requests.decide(approved);
      expect(await repos.requests.get(T1, 'r-2')).toEqual(approved);
      expect((await repos.requests.listPending(T1)).map((r) => r.id)).toEqual(['r-1']);
      // A second admin deciding the same request loses.
      await expectConflict(repos.requests.decide({ ...approved, status: 'Rejected', decidedBy: 'admin2' }));
      expect((await repos.requests.get(T1, 'r-2'))?.decidedBy).toBe('admin');
    });

    test("another tenant can't read or decide a request", async () => {
      expect(await repos.requests.get(T2, 'r-1')).toBeNull();
      await expectConflict(repos.requests.decide({ ...request('r-1'), tenantId: T2, status: 'Rejected' }));
      expect((await repos.requests.get(T1, 'r-1'))?.status).toBe('Pending');
    });
  });

  describe('outbox', () => {
    test('stores intents with their recipient and JSON data, unsent', async () => {
      // The repository stores whatever JSON it is given (the shapes are the producers' business).
      const intents = [
        {
          id: 'n-1',
          tenantId: T1,
          recipient: { kind: 'user', userId: 'alice' },
          kind: 'PurchaseCreated',
          data: { product: 'Visio Plan 2', quantity: 3, trial: false, note: null },
          createdAt: day(1),
        },
        { id: 'n-2', tenantId: T1, recipient: { kind: 'admins' }, kind: 'ApprovalRequested', data: {}, createdAt: day(1) },
      ] as unknown as NotificationIntent[];
      await repos.outbox.add(intents);
      await repos.outbox.add([]);
      const rows = await t.db.writer.outboxNotification.findMany({ orderBy: { id: 'asc' } });
      expect(rows).toEqual([
        {
          id: 'n-1',
          tenantId: T1,
          recipientKind: 'user',
          recipientUserId: 'alice',
          kind: 'PurchaseCreated',
          data: '{"product":"Visio Plan 2","quantity":3,"trial":false,"note":null}',
          createdAt: day(1),
          attempts: 0,
          nextAttemptAt: null,
          claimToken: null,
          sendingAt: null,
          sentAt: null,
          activityId: null,
          lastError: null,
          waitingSince: null,
        },
        {
          id: 'n-2',
          tenantId: T1,
          recipientKind: 'admins',
          recipientUserId: null,
          kind: 'ApprovalRequested',
          data: '{}',
          createdAt: day(1),
          attempts: 0,
          nextAttemptAt: null,
          claimToken: null,
          sendingAt: null,
          sentAt: null,
          activityId: null,
          lastError: null,
          waitingSince: null,
        },
      ]);
      expect(JSON.parse(rows[0].data)).toEqual(intents[0].data);
    });
  });

  describe('audit', () => {
    test('newest first, paged with a total, per tenant', async () => {
      const entry = (i: number, tenantId = T1): AuditEntry => ({
        id: `au-${tenantId}-${i}`,
        tenantId,
        actorId: 'admin',
        action: 'policy.set',
        targetType: 'product',
        targetId: 'CFQ7TTC0H9MP',
        summary: `change ${i}`,
        surface: 'chat',
        at: day(i),
      });
      for (let i = 0; i < 7; i++) await repos.audit.add(entry(i));
      await repos.audit.add(entry(9, T2));
      const p1 = await repos.audit.list(T1, 1, 3);
      const p3 = await repos.audit.list(T1, 3, 3);
      expect(p1).toEqual({ items: [entry(6), entry(5), entry(4)], total: 7, page: 1, pageSize: 3 });
      expect(p3.items).toEqual([entry(0)]);
      expect((await repos.audit.list(T2, 1, 10)).items).toEqual([entry(9, T2)]);
    });
  });

  describe('idempotency', () => {
    test('a key is stored once per tenant; reusing it is a conflict', async () => {
      const record = { tenantId: T1, key: 'req-1', operation: 'buy', fingerprint: 'abc', resultId: 'sub-1', createdAt: day(1) };
      await repos.idempotency.add(record);
      expect(await repos.idempotency.get(T1, 'req-1')).toEqual(record);
      expect(await repos.idempotency.get(T2, 'req-1')).toBeNull();
      await expectConflict(repos.idempotency.add({ ...record, resultId: 'sub-2' }));
      await repos.idempotency.add({ ...record, tenantId: T2 });
      expect((await repos.idempotency.get(T1, 'req-1'))?.resultId).toBe('sub-1');
    });

    test('a claim stores the record only if its key is free, and says whether it did; claims racing in parallel transactions: one wins, none fails', async () => {
      const record = { tenantId: T1, key: 'claim-1', operation: 'seed', fingerprint: '', resultId: 'x', createdAt: day(1) };
      expect(await repos.idempotency.claim(record)).toBe(true);
      expect(await repos.idempotency.claim({ ...record, resultId: 'y' })).toBe(false);
      expect((await repos.idempotency.get(T1, 'claim-1'))?.resultId).toBe('x');
      const raced = await Promise.all(['a', 'b', 'c', 'd'].map((resultId) => t.uow.run((r) => r.idempotency.claim({ ...record, key: 'claim-2', resultId }))));
      expect(raced.filter(Boolean)).toHaveLength(1);
    });
  });
});

describe.each(ENGINES)('PrismaConversationStore on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabaseOn(engine, 'conversations');
  });
  afterAll(() => t.close());

  test('get and getMany read what save wrote, within one tenant; keys without a reference are absent', async () => {
    const store = new PrismaConversationStore(t.db);
    const ref = (id: string) => ({ channelId: 'msteams', serviceUrl: 'https://smba.example/amer/', conversation: { id, conversationType: 'personal', tenantId: T1 } as never });
    await store.save(T1, 'user:a', ref('a:1'));
    await store.save(T1, 'user:b', ref('a:2'));
    await store.save(T2, 'user:c', ref('a:3'));
    await store.save(T1, 'user:a', ref('a:1-new')); // a changed reference replaces the stored one
    expect((await store.get(T1, 'user:a'))?.conversation?.id).toBe('a:1-new');
    const many = await store.getMany(T1, ['user:a', 'user:b', 'user:c', 'user:none', 'user:a']);
    expect([...many.keys()].sort()).toEqual(['user:a', 'user:b']);
    expect(many.get('user:b')?.conversation?.id).toBe('a:2');
    expect(await store.get(T1, 'user:c')).toBeNull();
  });

  test("what it writes is dated by the injected clock: the tenant's service URL is the one seen latest by that clock", async () => {
    let now = new Date('2026-03-02T00:00:00Z');
    const store = new PrismaConversationStore(t.db, { now: () => now });
    await store.saveAccount(T1, 'clock-a', { teamsUserId: '29:a', serviceUrl: 'https://smba.example/later/' });
    now = new Date('2026-03-01T00:00:00Z'); // written second, but earlier by the clock
    await store.saveAccount(T1, 'clock-b', { teamsUserId: '29:b', serviceUrl: 'https://smba.example/earlier/' });
    expect(await store.serviceUrlOf(T1)).toBe('https://smba.example/later/');
  });
});

describe.each(ENGINES)('PrismaUnitOfWork on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabaseOn(engine, 'unit-of-work');
  });
  afterAll(() => t.close());

  test('run commits everything or nothing', async () => {
    await t.uow.run(async (r) => r.tenants.save(tenant('committed')));
    await expect(
      t.uow.run(async (r) => {
        await r.tenants.save(tenant('rolled-back'));
        await r.users.upsert(user('rolled-back', 'u'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await t.uow.read((r) => r.tenants.get('committed'))).not.toBeNull();
    expect(await t.uow.read((r) => r.tenants.get('rolled-back'))).toBeNull();
    expect(await t.uow.read((r) => r.users.get('rolled-back', 'u'))).toBeNull();
  });

  test('a stale version retried with fresh state succeeds; work that never re-reads gives up after 5 attempts', async () => {
    await t.uow.run((r) => r.tenants.save(tenant(T1)));
    const s = subscription({ id: 'uow-sub' });
    await t.uow.run((r) => r.subscriptions.create(s));
    const stale = (await t.uow.read((r) => r.subscriptions.get(T1, s.id)))!;
    await t.uow.run((r) => r.subscriptions.update({ ...stale, quantity: 6 })); // someone else wins

    let attempts = 0;
    await expectConflict(
      t.uow.run(async (r) => {
        attempts++;
        return r.subscriptions.update({ ...stale, quantity: 7 });
      }),
    );
    expect(attempts).toBe(5);

    attempts = 0;
    let first = true;
    const result = await t.uow.run(async (r) => {
      attempts++;
      const current = first ? stale : (await r.subscriptions.get(T1, s.id))!;
      first = false;
      return r.subscriptions.update({ ...current, quantity: current.quantity + 1 });
    });
    expect(attempts).toBe(2);
    expect(result).toMatchObject({ quantity: 7, version: 2 });
  });

  test('concurrent read-modify-writes of one row lose no update (SQLite: one writer at a time; PostgreSQL: the row lock)', async () => {
    const s = subscription({ id: 'counter', quantity: 0 });
    await t.uow.run((r) => r.subscriptions.create(s));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        t.uow.run(async (r) => {
          const cur = (await r.subscriptions.get(T1, s.id))!;
          await new Promise((res) => setTimeout(res, 1));
          await r.subscriptions.update({ ...cur, quantity: cur.quantity + 1 });
        }),
      ),
    );
    expect(await t.uow.read((r) => r.subscriptions.get(T1, s.id))).toMatchObject({ quantity: 20, version: 20 });
  });

  test('read never sees a transaction in flight, and reads one snapshot throughout', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    const writing = t.uow.run(async (r) => {
      await r.tenants.save(tenant('in-flight'));
      written();
      await gate;
    });
    await wrote;
    expect(await t.uow.read((r) => r.tenants.get('in-flight'))).toBeNull();
    release();
    await writing;
    expect(await t.uow.read((r) => r.tenants.get('in-flight'))).not.toBeNull();
  });

  test('read is read-only: a write through it fails', async () => {
    await expect(t.uow.read((r) => r.tenants.save(tenant('sneaky')))).rejects.toThrow(/readonly|read-only|query_only|attempt to write/i);
    expect(await t.uow.read((r) => r.tenants.get('sneaky'))).toBeNull();
  });

  test('a transaction that outlives its timeout is rolled back, its later statements fail, and the writer is free again', async () => {
    let late: Promise<unknown> | undefined;
    const outcome = await t.db
      .transaction(
        async (tx) => {
          await createRepositories(tx).tenants.save(tenant('slow'));
          await new Promise((r) => setTimeout(r, 300));
          late = createRepositories(tx)
            .tenants.save(tenant('slow', { name: 'Late' }))
            .then(
              () => 'saved',
              (e: Error) => e.message,
            );
        },
        { timeoutMs: 50 },
      )
      .catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(TransactionTimeoutError);
    expect(await t.uow.read((r) => r.tenants.get('slow'))).toBeNull();
    await t.uow.run((r) => r.tenants.save(tenant('after-timeout')));
    expect(await t.uow.read((r) => r.tenants.get('after-timeout'))).not.toBeNull();
    await new Promise((r) => setTimeout(r, 350));
    expect(await late).toMatch(/has ended/);
    expect(await t.uow.read((r) => r.tenants.get('slow'))).toBeNull();
  });

  test('a statement after the commit is refused', async () => {
    let kept: SqlSession | undefined;
    await t.db.transaction(async (tx) => {
      kept = tx;
      await createRepositories(tx).tenants.save(tenant('committed'));
    });
    await expect(createRepositories(kept!).tenants.save(tenant('escaped'))).rejects.toHaveProperty('message', expect.stringMatching(/has ended/));
    expect(await t.uow.read((r) => r.tenants.get('escaped'))).toBeNull();
  });

  const sqliteOnly = engine === 'sqlite' ? test : () => undefined;
  const postgresOnly = engine === 'postgresql' ? test : () => undefined;

  postgresOnly('two instances on one database: parallel read-modify-writes of one row from both lose no update and need no retry', async () => {
    const other = await openDatabase(t.url);
    try {
      const s = subscription({ id: 'two-instances', quantity: 0 });
      await t.uow.run((r) => r.subscriptions.create(s));
      // One attempt each: a lost race would surface as a conflict instead of being retried away.
      const instances = [new PrismaUnitOfWork(t.db, { maxAttempts: 1 }), new PrismaUnitOfWork(other, { maxAttempts: 1 })];
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          instances[i % 2].run(async (r) => {
            const cur = (await r.subscriptions.get(T1, s.id))!;
            await new Promise((res) => setTimeout(res, 1));
            await r.subscriptions.update({ ...cur, quantity: cur.quantity + 1 });
          }),
        ),
      );
      expect(await t.uow.read((r) => r.subscriptions.get(T1, s.id))).toMatchObject({ quantity: 30, version: 30 });
    } finally {
      await other.close();
    }
  });

  postgresOnly('raw reads come back typed as on SQLite: timestamps in UTC as Date, counts as numbers, booleans', async () => {
    const at = new Date(Date.UTC(2026, 0, 31, 23, 59, 59, 999));
    await t.uow.run((r) => r.tenants.save(tenant('typed', { createdAt: at, requireApproval: true })));
    const [row] = await t.db.readSql.query<Record<string, unknown>>(
      Prisma.sql`SELECT t."createdAt", t."requireApproval", (SELECT COUNT(*) FROM "Tenant") AS "n", (SELECT SUM("position") FROM "Product") AS "s" FROM "Tenant" t WHERE t."id" = ${'typed'}`,
    );
    expect(row).toEqual({ createdAt: at, requireApproval: true, n: expect.any(Number), s: expect.any(Number) });
    await expect(t.db.readSql.query(Prisma.sql`DELETE FROM "Tenant" WHERE "id" = ${'typed'}`)).rejects.toThrow(/read-only/);
  });

  sqliteOnly('pragmas: WAL, foreign keys on, busy timeout, synchronous NORMAL, on both connections', async () => {
    for (const client of [t.db.writer, t.db.reader]) {
      const [mode] = await client.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
      const [fk] = await client.$queryRawUnsafe<{ foreign_keys: number | bigint }[]>('PRAGMA foreign_keys');
      const [busy] = await client.$queryRawUnsafe<{ timeout: number | bigint }[]>('PRAGMA busy_timeout');
      const [sync] = await client.$queryRawUnsafe<{ synchronous: number | bigint }[]>('PRAGMA synchronous');
      expect([mode.journal_mode, Number(fk.foreign_keys), Number(busy.timeout), Number(sync.synchronous)]).toEqual(['wal', 1, 5000, 1]);
    }
  });

  sqliteOnly('another process holding the write lock: run waits (busy timeout) or retries, then succeeds', async () => {
    const holdMs = 800;
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const d = new (require('better-sqlite3'))(process.argv[1]); d.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => { d.exec('COMMIT'); d.close(); }, ${holdMs});`,
        t.file,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise((r) => child.stdout!.once('data', r));

    // A short busy timeout so the lock outlasts it: the first attempt fails with SQLITE_BUSY…
    const impatient = await openDatabase(t.url, { busyTimeoutMs: 50 });
    try {
      const once = new PrismaUnitOfWork(impatient, { maxAttempts: 1 });
      const err = await once.run((r) => r.tenants.save(tenant('busy'))).catch((e: unknown) => e);
      expect(isRetryable(err)).toBe(true);
      // …and the unit of work retries until the other process commits.
      const started = Date.now();
      await new PrismaUnitOfWork(impatient, { maxAttempts: 100 }).run((r) => r.tenants.save(tenant('busy')));
      expect(Date.now() - started).toBeGreaterThan(100);
    } finally {
      await impatient.close();
    }
    await exited;
    expect(await t.uow.read((r) => r.tenants.get('busy'))).not.toBeNull();
  });
});
