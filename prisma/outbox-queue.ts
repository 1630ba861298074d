import { randomUUID } from 'node:crypto';
import type { NotificationIntent, NotificationKind, Recipient } from '../domain/model';
import type { Database } from './client';
import { Prisma } from './generated/client';
import { UNDELIVERED_ACTION } from '../domain/shared/effects';
import { isRetryable } from './unit-of-work';
import { countOf, inGroups, insert, limitOffset, type SqlSession } from './repositories/support';

export type ClaimedNotification = NotificationIntent & {
  attempts: number;
  /** Since when it has waited for a way to reach its person (markWaiting); null when it never had to. */
  waitingSince: Date | null;
  /** The claim this row was taken under; every later step of its send names it. */
  claimToken: string;
};

/**
 * What to do with a row whose send was started (committed `sendingAt`) but never finished (no
 * `sentAt`, no failure recorded) by a sender that stopped, typically a crash between handing the
 * message to the connector and recording the answer. Teams may or may not show it; nothing here can
 * tell, because the Bot Connector has no idempotency key and no way to read a bot's messages back.
 *
 * - `hold` (at most once): the row is not sent again. It keeps `sendingAt`, gets `lastError`
 *   starting with IN_DOUBT and is listed by `inDoubt()`.
 * - `resend` (at least once): the row is sent again; the person may see it twice.
 */
export type InDoubtPolicy = 'hold' | 'resend';

export const IN_DOUBT = 'IN_DOUBT';

/**
 * How a row waiting for a way to reach its person starts its `lastError` (bot/outbox-sender.ts
 * waitForConversation): nobody can start a chat with them yet. Such a row waits without using up its
 * attempts (`markWaiting`), and goes as soon as a chat or their Teams account is stored (`wakeWaiting`).
 */
export const WAITING_FOR_CHAT = 'no conversation with this person yet';

/**
 * Makes a person's waiting notifications due now: called in the transaction that stores their 1:1 chat
 * or how Teams knows them (prisma/conversation-store.ts), so the notice that waited for their first
 * message arrives right after it, not at the end of its backoff. On the (tenantId, recipientUserId) index.
 */
export const wakeWaiting = (tx: SqlSession, tenantId: string, userId: string, now: Date): Promise<number> =>
  tx.execute(Prisma.sql`
    UPDATE "OutboxNotification" SET "nextAttemptAt" = ${now}
    WHERE "tenantId" = ${tenantId} AND "recipientUserId" = ${userId} AND "sentAt" IS NULL AND "sendingAt" IS NULL AND "claimToken" IS NULL
      AND "nextAttemptAt" > ${now} AND "lastError" LIKE ${`${WAITING_FOR_CHAT}%`}`);

/** What a claim reads of a row, as SQL (both engines' claims select these columns). */
const CLAIM_COLUMNS = Prisma.sql`"id", "tenantId", "recipientKind", "recipientUserId", "kind", "data", "createdAt", "attempts", "waitingSince"`;

/** What a claim reads of a row (both engines' claims select these columns). */
type ClaimRow = {
  id: string;
  tenantId: string;
  recipientKind: string;
  recipientUserId: string | null;
  kind: string;
  data: string;
  createdAt: Date;
  attempts: number;
  waitingSince: Date | null;
};

const rowToClaimed = (r: ClaimRow, claimToken: string): ClaimedNotification =>
  ({
    id: r.id,
    tenantId: r.tenantId,
    recipient: (r.recipientKind === 'user' ? { kind: 'user', userId: r.recipientUserId! } : { kind: 'admins' }) as Recipient,
    // Stored by the domain's typed producers; read back as that kind's shape (cards still tolerate a missing field).
    kind: r.kind as NotificationKind,
    data: JSON.parse(r.data),
    createdAt: r.createdAt,
    attempts: r.attempts + 1,
    waitingSince: r.waitingSince,
    claimToken,
  }) as ClaimedNotification;

/**
 * The sender's side of the outbox. Every step is one write transaction, and SQLite runs one writer at
 * a time, so each step sees the others' committed state:
 *
 * - `claim` leases due rows under a fresh token (nextAttemptAt moves past the lease).
 * - `beginSend` commits `sendingAt` just before the message goes out, only if the row is still under
 *   the caller's token and not begun: two live senders can't both send a row, even when a slow
 *   batch outlives its lease and another sender claims what it hadn't started.
 * - `markSent` / `markFailed` record the outcome; `release` gives unstarted rows back at shutdown.
 * - `settleInDoubt` applies the in-doubt policy to begun rows whose lease ran out with no outcome.
 *
 * A sender that dies leaves two kinds of rows: claimed but not begun (claimed again when the lease runs
 * out; never sent, so no duplicate) and begun but not finished (in doubt: at most one per send that
 * was in flight).
 */
export interface OutboxQueueOptions {
  /** This sender's name in tenant leases and claim tokens (PostgreSQL); unique per process by default. */
  holder?: string;
  /** How long a tenant stays with a sender that stopped renewing (PostgreSQL). Default 15 s. */
  tenantLeaseMs?: number;
  /**
   * How long a tenant a sender handed over (more than its share) waits for its next holder: longer
   * than the tenant's rate window, so the old holder's sends are out of it (PostgreSQL). Default 2 s.
   */
  handOverMs?: number;
}

export const DEFAULT_TENANT_LEASE_MS = 15_000;
export const DEFAULT_HAND_OVER_MS = 2_000;
/** The holder of a lease handed over and not yet taken. */
const NOBODY = '';

/**
 * A claim's lease transaction again when PostgreSQL chose it as a deadlock's victim or could not
 * serialize it (the unit of work's isRetryable): nothing of it was committed, so it is run again, a few times.
 */
const retryingDeadlocks = async <T>(run: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (attempt >= 4 || !isRetryable(e)) throw e;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
    }
  }
};

/** In random order: two senders taking free tenants at once mostly take different ones. */
const shuffled = <T>(items: T[]): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
};

export class PrismaOutboxQueue {
  readonly holder: string;
  private readonly tenantLeaseMs: number;
  private readonly handOverMs: number;

  constructor(
    private readonly db: Pick<Database, 'engine' | 'transaction' | 'writeSql' | 'readSql'>,
    options: OutboxQueueOptions = {},
  ) {
    this.holder = options.holder ?? randomUUID();
    if (this.holder === NOBODY || this.holder.includes('/') || this.holder.includes('%') || this.holder.includes('_'))
      throw new Error('An outbox holder name is not empty and has no "/", "%" or "_"');
    this.tenantLeaseMs = options.tenantLeaseMs ?? DEFAULT_TENANT_LEASE_MS;
    this.handOverMs = options.handOverMs ?? DEFAULT_HAND_OVER_MS;
  }

  async claim(now: Date, limit: number, leaseMs: number, maxAttempts: number): Promise<ClaimedNotification[]> {
    if (this.db.engine === 'postgresql') return this.claimLeased(now, limit, leaseMs, maxAttempts);
    const token = randomUUID();
    // SQLite: one writer at a time, so the rows read are still due when they are leased.
    if (!Number.isSafeInteger(limit) || limit <= 0) return [];
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<ClaimRow>(Prisma.sql`
        SELECT ${CLAIM_COLUMNS} FROM "OutboxNotification"
        WHERE "sentAt" IS NULL AND "sendingAt" IS NULL AND "attempts" < ${maxAttempts} AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= ${now})
        ORDER BY "createdAt", "id" ${limitOffset(limit, 0)}`);
      if (rows.length === 0) return [];
      await inGroups(
        rows.map((r) => r.id),
        async (ids) => {
          await tx.execute(Prisma.sql`
            UPDATE "OutboxNotification" SET "nextAttemptAt" = ${new Date(now.getTime() + leaseMs)}, "attempts" = "attempts" + 1, "claimToken" = ${token}
            WHERE "id" IN (${Prisma.join(ids)})`);
          return [];
        },
      );
      return rows.map((r) => rowToClaimed(r, token));
    });
  }

  /**
   * PostgreSQL, where several instances' senders claim at the same time. Each tenant's notifications
   * are drained by one sender at a time, the holder of the tenant's lease (OutboxLease), so the Teams
   * rate limits a sender counts in memory (per conversation, per tenant) are the whole tenant's
   * traffic; different tenants spread over the instances as their leases are taken. A claim:
   *
   * 1. takes or renews the leases of its share of the tenants with due rows: as many as the live
   *    senders (OutboxSender) divide them into, its own first, then tenants no live lease of another
   *    sender holds (an expired one is taken over); leases beyond its share go back, so a sender that
   *    starts later gets tenants too;
   * 2. leases due rows of those tenants, the tenants in turn, with `FOR UPDATE SKIP LOCKED`: no two
   *    claims take one row, and none waits for another. Rows a previous holder claimed but never began are due at once for
   *    the new holder (they were never sent: no duplicate); rows it began are handed to the in-doubt
   *    settlement now instead of after their send lease.
   *
   * Claim tokens start with the holder's name, so a holder knows its own claims from another's.
   */
  private async claimLeased(now: Date, limit: number, leaseMs: number, maxAttempts: number): Promise<ClaimedNotification[]> {
    if (!Number.isSafeInteger(limit) || limit <= 0) return [];
    const token = `${this.holder}/${randomUUID()}`;
    const mineToken = `${this.holder}/%`;
    const dueAs = (a: string) => {
      const c = (name: string) => Prisma.raw(`${a}."${name}"`);
      return Prisma.sql`${c('sentAt')} IS NULL AND ${c('sendingAt')} IS NULL AND ${c('attempts')} < ${maxAttempts}
      AND (${c('nextAttemptAt')} IS NULL OR ${c('nextAttemptAt')} <= ${now} OR (${c('claimToken')} IS NOT NULL AND ${c('claimToken')} NOT LIKE ${mineToken}))`;
    };
    const due = dueAs('d');
    const senders = await this.seen(now);
    const tenants = (await this.db.writeSql.query<{ tenantId: string }>(Prisma.sql`SELECT DISTINCT d."tenantId" FROM "OutboxNotification" d WHERE ${due} LIMIT 200`)).map(
      (r) => r.tenantId,
    );
    if (tenants.length === 0) return [];
    const expires = new Date(now.getTime() + this.tenantLeaseMs);
    const held = await retryingDeadlocks(() =>
      this.db.transaction(async (tx) => {
        // The due tenants' leases, and every live one: tenants being drained count as work until their leases end.
        const before = await tx.query<{ tenantId: string; holder: string; expiresAt: Date }>(
          Prisma.sql`SELECT "tenantId", "holder", "expiresAt" FROM "OutboxLease" WHERE "tenantId" IN (${Prisma.join(tenants)}) OR ("expiresAt" > ${now} AND "holder" <> ${NOBODY})`,
        );
        const lease = new Map(before.map((b) => [b.tenantId, b]));
        // This sender's share of the tenants with work: the live senders divide them between them.
        const working = new Set([...tenants, ...before.filter((b) => b.expiresAt > now && b.holder !== NOBODY).map((b) => b.tenantId)]);
        const share = Math.ceil(working.size / senders);
        const mine = tenants.filter((t) => lease.get(t)?.holder === this.holder);
        const free = shuffled(tenants.filter((t) => lease.get(t) === undefined || (lease.get(t)!.holder !== this.holder && lease.get(t)!.expiresAt <= now)));
        // More than its share (another sender has started since): the rest are handed over. Nobody's,
        // they can be taken once this sender's sends there are out of the tenant's rate window
        // (handOverMs): the next holder's counts start empty. A claim comes between batches, so nothing
        // of these is in flight here.
        const excess = mine.slice(share).sort();
        if (excess.length > 0) {
          await tx.execute(
            Prisma.sql`UPDATE "OutboxLease" SET "holder" = ${NOBODY}, "expiresAt" = ${new Date(now.getTime() + this.handOverMs)} WHERE "holder" = ${this.holder} AND "tenantId" IN (${Prisma.join(excess)})`,
          );
        }
        // In one order for every sender (tenant id): two claims upserting overlapping leases lock them in the
        // same order, rather than deadlocking (the free ones were picked in random order).
        const wanted = [...mine.slice(0, share), ...free.slice(0, Math.max(0, share - mine.length))].sort();
        if (wanted.length === 0) return [];
        const rows = await tx.query<{ tenantId: string }>(Prisma.sql`
        INSERT INTO "OutboxLease" ("tenantId", "holder", "expiresAt") VALUES ${Prisma.join(wanted.map((t) => Prisma.sql`(${t}, ${this.holder}, ${expires})`))}
        ON CONFLICT ("tenantId") DO UPDATE SET "holder" = EXCLUDED."holder", "expiresAt" = EXCLUDED."expiresAt"
        WHERE "OutboxLease"."holder" = EXCLUDED."holder" OR "OutboxLease"."expiresAt" <= ${now}
        RETURNING "tenantId"`);
        const heldNow = rows.map((r) => r.tenantId);
        // (A tenant handed over had nothing in flight: its sends that were are settled as usual.)
        const takenOver = before.filter((b) => b.holder !== this.holder && b.holder !== NOBODY && heldNow.includes(b.tenantId)).map((b) => b.tenantId);
        if (takenOver.length > 0) {
          // Begun by the previous holder and never finished: to the in-doubt settlement at once.
          await tx.execute(Prisma.sql`
          UPDATE "OutboxNotification" SET "nextAttemptAt" = ${now}
          WHERE "tenantId" IN (${Prisma.join(takenOver)}) AND "sentAt" IS NULL AND "sendingAt" IS NOT NULL AND "claimToken" IS NOT NULL AND "claimToken" NOT LIKE ${mineToken}`);
        }
        return heldNow;
      }),
    );
    if (held.length === 0) return [];
    const rows = await this.db.writeSql.query<ClaimRow>(Prisma.sql`
      UPDATE "OutboxNotification" o SET "nextAttemptAt" = ${new Date(now.getTime() + leaseMs)}, "attempts" = o."attempts" + 1, "claimToken" = ${token}
      WHERE o."id" IN (
        SELECT d."id" FROM "OutboxNotification" d
        WHERE d."id" IN (
          -- Tenants in turn (each one's oldest first, then each one's next…): one tenant's burst, held
          -- to its own 50/s, never holds up the others' notifications behind it in the batch.
          SELECT r."id" FROM (
            SELECT x."id", x."createdAt", ROW_NUMBER() OVER (PARTITION BY x."tenantId" ORDER BY x."createdAt", x."id") AS "turn"
            FROM "OutboxNotification" x WHERE x."tenantId" IN (${Prisma.join(held)}) AND ${dueAs('x')}) r
          ORDER BY r."turn", r."createdAt", r."id" LIMIT ${limit})
        AND ${due}
        FOR UPDATE SKIP LOCKED)
      RETURNING o."id", o."tenantId", o."recipientKind", o."recipientUserId", o."kind", o."data", o."createdAt", o."attempts" - 1 AS "attempts", o."waitingSince"`);
    // In the same turns: the sender works through a batch in order, so tenants must alternate in it too.
    const byTenant = new Map<string, typeof rows>();
    for (const r of rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))) {
      const list = byTenant.get(r.tenantId);
      if (list) list.push(r);
      else byTenant.set(r.tenantId, [r]);
    }
    const inTurn: typeof rows = [];
    for (let turn = 0; inTurn.length < rows.length; turn++) for (const list of byTenant.values()) if (turn < list.length) inTurn.push(list[turn]);
    return inTurn.map((r) => rowToClaimed({ ...r, attempts: Number(r.attempts) }, token));
  }

  /**
   * Records that this sender is alive (every claim, work or not) and returns how many senders are:
   * itself and every other seen within a tenant lease. One that stopped drops out of the count as its
   * leases run out; one not seen for a day is forgotten.
   */
  private async seen(now: Date): Promise<number> {
    const [row] = await this.db.writeSql.query<{ others: number | bigint }>(Prisma.sql`
      WITH gone AS (DELETE FROM "OutboxSender" WHERE "seenAt" < ${new Date(now.getTime() - 86_400_000)}),
      me AS (INSERT INTO "OutboxSender" ("holder", "seenAt") VALUES (${this.holder}, ${now}) ON CONFLICT ("holder") DO UPDATE SET "seenAt" = EXCLUDED."seenAt")
      SELECT COUNT(*) AS "others" FROM "OutboxSender" WHERE "holder" <> ${this.holder} AND "seenAt" > ${new Date(now.getTime() - this.tenantLeaseMs)}`);
    return 1 + Number(row?.others ?? 0);
  }

  /**
   * Commits that this row's message is about to go out, and extends its lease so no one takes it for
   * in doubt while the send is in flight. False when the row is no longer ours to send (another
   * sender claimed it after our lease ran out, or it was begun or sent already): skip it.
   */
  async beginSend(row: Pick<ClaimedNotification, 'id' | 'claimToken'> & Partial<Pick<ClaimedNotification, 'tenantId'>>, now: Date, leaseMs: number): Promise<boolean> {
    if (this.db.engine === 'postgresql' && row.tenantId !== undefined) {
      // Only while the tenant's lease is still ours, renewed by the same statement: a sender whose
      // tenant was taken over (it stalled past the lease and another sender claimed) begins nothing
      // more there. A lease that ran out while this sender waited for a rate limit, and that nobody
      // took, is still in its name: it goes on.
      const count = await this.execute(Prisma.sql`
        WITH lease AS (
          UPDATE "OutboxLease" SET "expiresAt" = ${new Date(now.getTime() + this.tenantLeaseMs)}
          WHERE "tenantId" = ${row.tenantId} AND "holder" = ${this.holder}
          RETURNING 1)
        UPDATE "OutboxNotification" SET "sendingAt" = ${now}, "nextAttemptAt" = ${new Date(now.getTime() + leaseMs)}
        WHERE "id" = ${row.id} AND "claimToken" = ${row.claimToken} AND "sentAt" IS NULL AND "sendingAt" IS NULL AND EXISTS (SELECT 1 FROM lease)`);
      return count === 1;
    }
    const count = await this.execute(Prisma.sql`
      UPDATE "OutboxNotification" SET "sendingAt" = ${now}, "nextAttemptAt" = ${new Date(now.getTime() + leaseMs)}
      WHERE "id" = ${row.id} AND "claimToken" = ${row.claimToken} AND "sentAt" IS NULL AND "sendingAt" IS NULL`);
    return count === 1;
  }

  /**
   * Whether this sender still holds the tenant's lease, renewed by the same statement (PostgreSQL).
   * Asked before a request leaves long after the lease was last renewed (a retry after Teams'
   * Retry-After, a process that stalled): once another instance may have taken the tenant over, its
   * rate window started empty, and a late request from here would be one more in it. As in beginSend,
   * a lease that ran out and that nobody took is still ours. SQLite: one sender, always.
   */
  async holdsTenant(tenantId: string, now: Date): Promise<boolean> {
    if (this.db.engine !== 'postgresql') return true;
    const count = await this.execute(Prisma.sql`
      UPDATE "OutboxLease" SET "expiresAt" = ${new Date(now.getTime() + this.tenantLeaseMs)} WHERE "tenantId" = ${tenantId} AND "holder" = ${this.holder}`);
    return count === 1;
  }

  /**
   * One statement on its own (Database.writeSql): on PostgreSQL the sender's per-message steps (begin,
   * sent, failed) are a round trip each instead of a transaction's three; several instances' senders
   * share the database, so each step is atomic by itself and conditional on the row's state.
   */
  private execute(statement: Prisma.Sql): Promise<number> {
    return this.db.writeSql.execute(statement);
  }

  /** Teams accepted it. Recorded whoever holds the row now: the message is out. */
  async markSent(id: string, at: Date, activityId?: string): Promise<void> {
    await this.execute(Prisma.sql`
      UPDATE "OutboxNotification" SET "sentAt" = ${at}, "activityId" = ${activityId ?? null}, "lastError" = NULL, "claimToken" = NULL
      WHERE "id" = ${id} AND "sentAt" IS NULL`);
  }

  /**
   * A definite failure: the message was not delivered (an HTTP error answer, or no send happened).
   * `retryAt` null gives up on the row (it stays unsent, with the reason, for an admin to see).
   * Only the holder of the claim (its token) can record the outcome.
   */
  async markFailed(id: string, error: string, retryAt: Date | null, maxAttempts: number, claimToken: string): Promise<void> {
    await this.execute(Prisma.sql`
      UPDATE "OutboxNotification" SET "lastError" = ${error.slice(0, 500)}, "nextAttemptAt" = ${retryAt}, "sendingAt" = NULL, "claimToken" = NULL,
        "attempts" = ${retryAt === null ? Prisma.sql`${maxAttempts}` : Prisma.sql`"attempts"`}
      WHERE "id" = ${id} AND "sentAt" IS NULL AND "claimToken" = ${claimToken}`);
  }

  /**
   * Not sent yet because nobody can start a chat with the person yet (`error` starts with
   * WAITING_FOR_CHAT): due again at `retryAt`, or as soon as a way to reach them is stored (wakeWaiting).
   * Unlike markFailed, the claim's attempt is given back: waiting for someone's first message is not a
   * failure, and the sender gives up a week after `waitingSince` (set by the first wait: `now`).
   */
  async markWaiting(row: Pick<ClaimedNotification, 'id' | 'claimToken' | 'waitingSince'>, error: string, retryAt: Date, now: Date): Promise<void> {
    const waitingSince = row.waitingSince ?? now;
    // The claim counted an attempt: given back.
    await this.execute(Prisma.sql`
      UPDATE "OutboxNotification" SET "lastError" = ${error.slice(0, 500)}, "nextAttemptAt" = ${retryAt}, "sendingAt" = NULL, "claimToken" = NULL,
        "attempts" = CASE WHEN "attempts" > 0 THEN "attempts" - 1 ELSE 0 END, "waitingSince" = ${waitingSince}
      WHERE "id" = ${row.id} AND "sentAt" IS NULL AND "claimToken" = ${row.claimToken}`);
  }

  /**
   * Given up for good because the person can't be reached: there is no chat with them and none could be
   * started (Teams refused, and Microsoft Graph could not install the app for them, or isn't set up).
   * The row fails with `error`, and in the same transaction the admin audit trail gets who was not
   * told, of what, and why: about the subscription the notification was about (its admin card shows
   * it), or the person.
   */
  async markUnreachable(row: ClaimedNotification, error: string, what: string, maxAttempts: number, at: Date): Promise<void> {
    const userId = row.recipient.kind === 'user' ? row.recipient.userId : null;
    const subscriptionId = (row.data as { subscriptionId?: unknown }).subscriptionId;
    await this.db.transaction(async (tx) => {
      const count = await tx.execute(Prisma.sql`
        UPDATE "OutboxNotification" SET "lastError" = ${error.slice(0, 500)}, "nextAttemptAt" = NULL, "sendingAt" = NULL, "claimToken" = NULL, "attempts" = ${maxAttempts}
        WHERE "id" = ${row.id} AND "sentAt" IS NULL AND "claimToken" = ${row.claimToken}`);
      if (count === 0 || userId === null) return;
      const [person] = await tx.query<{ displayName: string }>(Prisma.sql`SELECT "displayName" FROM "DirectoryUser" WHERE "tenantId" = ${row.tenantId} AND "id" = ${userId}`);
      const target = typeof subscriptionId === 'string' ? { targetType: 'subscription', targetId: subscriptionId } : { targetType: 'user', targetId: userId };
      await insert(tx, 'AuditEntry', [
        {
          id: randomUUID(),
          tenantId: row.tenantId,
          actorId: 'system',
          action: UNDELIVERED_ACTION,
          ...target,
          summary: `${person?.displayName ?? 'Someone'} was not told ${what}: ${error}`.slice(0, 1000),
          surface: 'system',
          at,
        },
      ]);
    });
  }

  /**
   * The send was made but its outcome is unknown (no HTTP answer: connection reset, timeout). Held
   * rows are kept as in doubt; with `resend` the row is simply due again at `retryAt`.
   */
  async markInDoubt(row: Pick<ClaimedNotification, 'id' | 'claimToken'>, error: string, policy: InDoubtPolicy, retryAt: Date, maxAttempts: number): Promise<void> {
    const set =
      policy === 'hold'
        ? Prisma.sql`"lastError" = ${`${IN_DOUBT}: ${error}`.slice(0, 500)}, "nextAttemptAt" = NULL, "attempts" = ${maxAttempts}, "claimToken" = NULL`
        : Prisma.sql`"lastError" = ${`sent again after: ${error}`.slice(0, 500)}, "nextAttemptAt" = ${retryAt}, "sendingAt" = NULL, "claimToken" = NULL`;
    await this.execute(Prisma.sql`UPDATE "OutboxNotification" SET ${set} WHERE "id" = ${row.id} AND "claimToken" = ${row.claimToken} AND "sentAt" IS NULL`);
  }

  /** Gives back claimed rows that were not begun (a sender shutting down), due at once, the claim not counted as an attempt. */
  async release(rows: ReadonlyArray<Pick<ClaimedNotification, 'id' | 'claimToken'>>, now: Date): Promise<number> {
    if (rows.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      let released = 0;
      for (const row of rows) {
        released += await tx.execute(Prisma.sql`
          UPDATE "OutboxNotification" SET "nextAttemptAt" = ${now}, "claimToken" = NULL, "attempts" = "attempts" - 1
          WHERE "id" = ${row.id} AND "claimToken" = ${row.claimToken} AND "sentAt" IS NULL AND "sendingAt" IS NULL`);
      }
      return released;
    });
  }

  /**
   * Begun rows whose lease ran out with no outcome recorded: their sender stopped mid-send. Applies
   * the policy and returns their ids (to be logged: each one is a message that may or may not have
   * reached its recipient).
   */
  async settleInDoubt(now: Date, policy: InDoubtPolicy, maxAttempts: number): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ id: string; attempts: number }>(Prisma.sql`
        SELECT "id", "attempts" FROM "OutboxNotification"
        WHERE "sentAt" IS NULL AND "sendingAt" IS NOT NULL AND "nextAttemptAt" <= ${now} ${limitOffset(1000, 0)}`);
      if (rows.length === 0) return [];
      // A row that has used its attempts is held even under `resend`: it would not be claimed again.
      const resend = policy === 'resend' ? rows.filter((r) => r.attempts < maxAttempts).map((r) => r.id) : [];
      const hold = rows.map((r) => r.id).filter((id) => !resend.includes(id));
      const held = `${IN_DOUBT}: the sender stopped while this message was being sent; Teams may or may not show it, so it is not sent again`;
      await inGroups(hold, async (ids) => {
        await tx.execute(Prisma.sql`
          UPDATE "OutboxNotification" SET "lastError" = ${held}, "nextAttemptAt" = NULL, "attempts" = ${maxAttempts}, "claimToken" = NULL
          WHERE "id" IN (${Prisma.join(ids)})`);
        return [];
      });
      await inGroups(resend, async (ids) => {
        await tx.execute(Prisma.sql`
          UPDATE "OutboxNotification" SET "lastError" = ${'sent again: the sender stopped while it was being sent, so it may show twice'}, "sendingAt" = NULL, "claimToken" = NULL
          WHERE "id" IN (${Prisma.join(ids)})`);
        return [];
      });
      return rows.map((r) => r.id);
    });
  }

  /** One intent addressed to "the admins" becomes one row per admin, atomically with giving the original up (only while it is still the caller's). */
  async expand(parent: ClaimedNotification, userIds: readonly string[], newId: () => string, maxAttempts: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const count = await tx.execute(Prisma.sql`
        UPDATE "OutboxNotification" SET "sentAt" = ${new Date()}, "lastError" = ${`expanded to ${userIds.length} admins (no admin channel)`}, "attempts" = ${maxAttempts}, "claimToken" = NULL
        WHERE "id" = ${parent.id} AND "claimToken" = ${parent.claimToken} AND "sentAt" IS NULL AND "sendingAt" IS NULL`);
      if (count === 0) return;
      await insert(
        tx,
        'OutboxNotification',
        userIds.map((userId) => ({
          id: newId(),
          tenantId: parent.tenantId,
          recipientKind: 'user',
          recipientUserId: userId,
          kind: parent.kind,
          data: JSON.stringify(parent.data),
          createdAt: parent.createdAt,
        })),
      );
    });
  }

  async pending(): Promise<number> {
    const [row] = await this.db.readSql.query<{ n: bigint | number }>(Prisma.sql`SELECT COUNT(*) AS "n" FROM "OutboxNotification" WHERE "sentAt" IS NULL`);
    return countOf(row?.n);
  }

  /** Messages held as in doubt: each may or may not have been shown. */
  async inDoubt(tenantId?: string): Promise<Array<{ id: string; tenantId: string; kind: string; sendingAt: Date }>> {
    return this.db.readSql.query<{ id: string; tenantId: string; kind: string; sendingAt: Date }>(Prisma.sql`
      SELECT "id", "tenantId", "kind", "sendingAt" FROM "OutboxNotification"
      WHERE "sentAt" IS NULL AND "sendingAt" IS NOT NULL AND "lastError" LIKE ${`${IN_DOUBT}%`}${tenantId !== undefined ? Prisma.sql` AND "tenantId" = ${tenantId}` : Prisma.empty}
      ORDER BY "sendingAt", "id"`);
  }
}
