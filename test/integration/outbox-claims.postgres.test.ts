import { openDatabase, type Database } from '../../prisma/client';
import { PrismaOutboxQueue } from '../../prisma/outbox-queue';
import { createRepositories } from '../../prisma/repositories';
import type { NotificationIntent } from '../../domain/model';
import { freshPostgresDatabase, type TestDatabase } from '../support/db';

/**
 * Two instances' outbox senders on one PostgreSQL database claim at the same time: every row is
 * claimed by exactly one of them (FOR UPDATE SKIP LOCKED), and neither waits for the other's claim.
 */
describe('outbox claims across instances (PostgreSQL)', () => {
  let t: TestDatabase;
  let second: Database;
  beforeAll(async () => {
    t = await freshPostgresDatabase('outbox_claims');
    second = await openDatabase(t.url);
  }, 120_000);
  // Each test's senders start at its own moment: the senders seen by an earlier test are not theirs.
  beforeEach(async () => {
    await t.db.writer.$executeRawUnsafe(`DELETE FROM "OutboxSender"`);
    await t.db.writer.$executeRawUnsafe(`DELETE FROM "OutboxLease"`);
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  const notifications = (tenants: number, perTenant: number, prefix: string): NotificationIntent[] =>
    Array.from(
      { length: tenants * perTenant },
      (_, i) =>
        ({
          id: `${prefix}-${String(i).padStart(4, '0')}`,
          tenantId: `${prefix}-tenant-${i % tenants}`,
          recipient: { kind: 'user', userId: `u-${i % 40}` },
          kind: 'LicenseAssigned',
          data: { subscriptionId: 's1', productId: 'p', productName: 'Power BI Pro' },
          createdAt: new Date(Date.UTC(2026, 11, 1, 12, 0, 0, i)),
        }) as NotificationIntent,
    );
  const add = (rows: NotificationIntent[]) => t.db.writer.$transaction((tx) => createRepositories(tx).outbox.add(rows));

  it('a row given up because its person is out of reach fails for good with an admin audit entry in the same transaction; a stale claim changes nothing', async () => {
    await add(notifications(1, 1, 'u'));
    const queue = new PrismaOutboxQueue(t.db);
    const now = new Date(Date.UTC(2026, 11, 1, 14));
    const [row] = await queue.claim(now, 5, 60_000, 5);
    await queue.markUnreachable({ ...row, claimToken: 'someone-else/1' }, 'gone', '"x"', 5, now);
    expect(await t.db.reader.auditEntry.count({ where: { action: 'notification.undelivered' } })).toBe(0);
    await queue.markUnreachable(row, 'could not start a 1:1 chat with them: 403', '"Power BI Pro"', 5, now);
    const stored = await t.db.reader.outboxNotification.findUnique({ where: { id: row.id } });
    expect(stored).toMatchObject({ sentAt: null, nextAttemptAt: null, attempts: 5, lastError: 'could not start a 1:1 chat with them: 403', claimToken: null });
    const [entry] = await t.db.reader.auditEntry.findMany({ where: { action: 'notification.undelivered' } });
    expect(entry).toMatchObject({ tenantId: row.tenantId, targetType: 'subscription', targetId: 's1', actorId: 'system', surface: 'system' });
    expect(entry.summary).toBe('Someone was not told "Power BI Pro": could not start a 1:1 chat with them: 403');
    expect(await queue.claim(now, 5, 60_000, 5)).toEqual([]);
  });

  it('four senders on two instances claiming 25 at a time in parallel: each row claimed once, all claimed, each tenant by one sender at a time', async () => {
    await add(notifications(6, 100, 'a'));
    // The clock stands still here: a tenant handed over (a sender seen later gets its share) is free at once.
    const queues = [t.db, second, t.db, second].map((db) => new PrismaOutboxQueue(db, { handOverMs: 0 }));
    const now = new Date(Date.UTC(2026, 11, 1, 13));
    const claimedBy = new Map<string, number>();
    const sendersOf = new Map<string, number[]>();
    const duplicates: string[] = [];
    await Promise.all(
      queues.map(async (queue, q) => {
        // As a sender polls: a claim may find nothing of its share free while others still drain theirs.
        for (let empty = 0; empty < 20 && claimedBy.size < 600;) {
          const batch = await queue.claim(now, 25, 60_000, 5);
          if (batch.length === 0) {
            empty++;
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          for (const row of batch) {
            if (claimedBy.has(row.id)) duplicates.push(row.id);
            claimedBy.set(row.id, q);
            const senders = sendersOf.get(row.tenantId) ?? [];
            if (senders[senders.length - 1] !== q) sendersOf.set(row.tenantId, [...senders, q]);
            expect(row.attempts).toBe(1);
            expect(row.claimToken.startsWith(`${queue.holder}/`)).toBe(true);
          }
          // A sender sends its batch before it claims again.
          for (const row of batch) await queue.markSent(row.id, now);
        }
      }),
    );
    expect(duplicates).toEqual([]);
    expect(claimedBy.size).toBe(600);
    // The Teams limits are counted by the one sender that drains a tenant: a tenant moves from one
    // sender to another (handed over), never back and forth between claims of two at once.
    expect(sendersOf.size).toBe(6);
    for (const [, senders] of sendersOf) expect(new Set(senders).size).toBe(senders.length);
  });

  it("a batch takes the tenants in turn: one tenant's burst of 300 does not hold up two others' notifications behind it", async () => {
    const burst = notifications(1, 300, 'c').map((r) => ({ ...r, createdAt: new Date(Date.UTC(2026, 11, 1, 11, 0, 0, 0)) }));
    const others = notifications(2, 10, 'd').map((r) => ({ ...r, createdAt: new Date(Date.UTC(2026, 11, 1, 11, 30)) }));
    await add([...burst, ...others]);
    const queue = new PrismaOutboxQueue(t.db);
    const batch = await queue.claim(new Date(Date.UTC(2026, 11, 1, 12, 30)), 30, 60_000, 5);
    const byTenant = new Map<string, number>();
    for (const row of batch) byTenant.set(row.tenantId, (byTenant.get(row.tenantId) ?? 0) + 1);
    expect(Object.fromEntries(byTenant)).toEqual({ 'c-tenant-0': 10, 'd-tenant-0': 10, 'd-tenant-1': 10 });
    // …and in that order: the sender works through a batch in order.
    expect(batch.slice(0, 3).map((r) => r.tenantId)).toEqual(['c-tenant-0', 'd-tenant-0', 'd-tenant-1']);
    await t.db.writer.$executeRawUnsafe(`UPDATE "OutboxNotification" SET "sentAt" = now() WHERE "id" LIKE 'c-%' OR "id" LIKE 'd-%'`);
  });

  it('a sender that stops: its tenant is taken over when the lease ends, its unsent claims at once, its sends in flight handed to the in-doubt settlement', async () => {
    await add(notifications(1, 10, 'b'));
    const a = new PrismaOutboxQueue(t.db, { tenantLeaseMs: 15_000 });
    const b = new PrismaOutboxQueue(second, { tenantLeaseMs: 15_000 });
    const t0 = new Date(Date.UTC(2026, 11, 1, 14));
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    const claimedByA = await a.claim(at(0), 5, 60_000, 5);
    expect(claimedByA).toHaveLength(5);
    expect(await a.beginSend(claimedByA[0], at(1), 60_000)).toBe(true); // in flight when A stops
    // A stops here (kill -9). While its tenant lease lasts, B takes nothing of that tenant.
    expect(await b.claim(at(10), 25, 60_000, 5)).toEqual([]);
    // 15 s after A's last renewal (its beginSend at 1 s) the tenant is B's: the 5 rows A never claimed
    // and the 4 A claimed but never began, without waiting out A's 60 s claims.
    const taken = await b.claim(at(17), 25, 60_000, 5);
    expect(taken.map((r) => r.id).sort()).toEqual(
      notifications(1, 10, 'b')
        .slice(1)
        .map((r) => r.id),
    );
    // The send A began is settled as in doubt at once (not sent again under "hold").
    expect(await b.settleInDoubt(at(17), 'hold', 5)).toEqual([claimedByA[0].id]);
    // A, had it only stalled, can begin nothing more there, nor let a request it began leave (holdsTenant).
    expect(await a.beginSend(claimedByA[1], at(18), 60_000)).toBe(false);
    expect(await a.holdsTenant('b-tenant-0', at(18))).toBe(false);
    expect(await b.beginSend(taken[0], at(18), 60_000)).toBe(true);
    // B's lease runs out while nobody takes it (B waited, say): still B's, renewed by asking.
    expect(await b.holdsTenant('b-tenant-0', at(60))).toBe(true);
    expect(await a.claim(at(70), 25, 60_000, 5)).toEqual([]);
  });

  it('the live senders share the tenants out: two senders, four tenants, two each; a sender that starts later gets its share from one that held them all', async () => {
    await t.db.writer.$executeRawUnsafe(`UPDATE "OutboxNotification" SET "sentAt" = now() WHERE "sentAt" IS NULL`); // the earlier tests' leftovers
    await add(notifications(4, 20, 'e'));
    const a = new PrismaOutboxQueue(t.db);
    const b = new PrismaOutboxQueue(second);
    const t0 = new Date(Date.UTC(2026, 11, 1, 15));
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    const tenants = (rows: Array<{ tenantId: string }>) => [...new Set(rows.map((r) => r.tenantId))].sort();
    // A is alone: it takes every tenant.
    const alone = await a.claim(at(0), 8, 60_000, 5);
    expect(tenants(alone)).toHaveLength(4);
    await a.release(alone, at(0));
    // B starts: its first claim finds every tenant A's, and counts it as a sender from now on.
    expect(await b.claim(at(1), 8, 60_000, 5)).toEqual([]);
    // A's next claim keeps its share (2 of 4) and hands the rest over: B can take them once A's
    // sends there are out of the tenants' rate windows (2 s), with counts of its own starting empty.
    const fromA = await a.claim(at(2), 8, 60_000, 5);
    expect(await b.claim(at(3), 8, 60_000, 5)).toEqual([]);
    const fromB = await b.claim(at(4), 8, 60_000, 5);
    expect(tenants(fromA)).toHaveLength(2);
    expect(tenants(fromB)).toHaveLength(2);
    expect([...tenants(fromA), ...tenants(fromB)].sort()).toEqual(['e-tenant-0', 'e-tenant-1', 'e-tenant-2', 'e-tenant-3']);
    // A's tenants stay A's while it lives: B's next claims take nothing of theirs.
    const again = await b.claim(at(5), 40, 60_000, 5);
    expect(tenants(again).every((id) => tenants(fromB).includes(id))).toBe(true);
    // B stops: 15 s after it was last seen, A has every tenant again.
    await a.release(fromA, at(5));
    expect(tenants(await a.claim(at(21), 80, 60_000, 5))).toHaveLength(4);
    await t.db.writer.$executeRawUnsafe(`UPDATE "OutboxNotification" SET "sentAt" = now() WHERE "id" LIKE 'e-%'`);
  });
});
