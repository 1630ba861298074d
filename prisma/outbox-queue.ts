import { randomUUID } from 'node:crypto';
import type { NotificationIntent, NotificationKind, Recipient } from '../domain/model';
import type { Database } from './client';

export type ClaimedNotification = NotificationIntent & {
  attempts: number;
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

const rowToClaimed = (
  r: { id: string; tenantId: string; recipientKind: string; recipientUserId: string | null; kind: string; data: string; createdAt: Date; attempts: number },
  claimToken: string,
): ClaimedNotification =>
  ({
    id: r.id,
    tenantId: r.tenantId,
    recipient: (r.recipientKind === 'user' ? { kind: 'user', userId: r.recipientUserId! } : { kind: 'admins' }) as Recipient,
    // Stored by the domain's typed producers; read back as that kind's shape (cards still tolerate a missing field).
    kind: r.kind as NotificationKind,
    data: JSON.parse(r.data),
    createdAt: r.createdAt,
    attempts: r.attempts + 1,
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
export class PrismaOutboxQueue {
  constructor(private readonly db: Pick<Database, 'writer' | 'reader'>) {}

  async claim(now: Date, limit: number, leaseMs: number, maxAttempts: number): Promise<ClaimedNotification[]> {
    const token = randomUUID();
    return this.db.writer.$transaction(async (tx) => {
      const rows = await tx.outboxNotification.findMany({
        where: { sentAt: null, sendingAt: null, attempts: { lt: maxAttempts }, OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      });
      if (rows.length === 0) return [];
      await tx.outboxNotification.updateMany({
        where: { id: { in: rows.map((r) => r.id) } },
        data: { nextAttemptAt: new Date(now.getTime() + leaseMs), attempts: { increment: 1 }, claimToken: token },
      });
      return rows.map((r) => rowToClaimed(r, token));
    });
  }

  /**
   * Commits that this row's message is about to go out, and extends its lease so no one takes it for
   * in doubt while the send is in flight. False when the row is no longer ours to send (another
   * sender claimed it after our lease ran out, or it was begun or sent already): skip it.
   */
  async beginSend(row: Pick<ClaimedNotification, 'id' | 'claimToken'>, now: Date, leaseMs: number): Promise<boolean> {
    const { count } = await this.db.writer.$transaction((tx) =>
      tx.outboxNotification.updateMany({
        where: { id: row.id, claimToken: row.claimToken, sentAt: null, sendingAt: null },
        data: { sendingAt: now, nextAttemptAt: new Date(now.getTime() + leaseMs) },
      }),
    );
    return count === 1;
  }

  /** Teams accepted it. Recorded whoever holds the row now: the message is out. */
  async markSent(id: string, at: Date, activityId?: string): Promise<void> {
    await this.db.writer.$transaction((tx) =>
      tx.outboxNotification.updateMany({ where: { id, sentAt: null }, data: { sentAt: at, activityId: activityId ?? null, lastError: null, claimToken: null } }),
    );
  }

  /**
   * A definite failure: the message was not delivered (an HTTP error answer, or no send happened).
   * `retryAt` null gives up on the row (it stays unsent, with the reason, for an admin to see).
   * Only the holder of the claim (its token) can record the outcome.
   */
  async markFailed(id: string, error: string, retryAt: Date | null, maxAttempts: number, claimToken: string): Promise<void> {
    await this.db.writer.$transaction((tx) =>
      tx.outboxNotification.updateMany({
        where: { id, sentAt: null, claimToken },
        data: { lastError: error.slice(0, 500), nextAttemptAt: retryAt, sendingAt: null, claimToken: null, ...(retryAt === null && { attempts: maxAttempts }) },
      }),
    );
  }

  /**
   * The send was made but its outcome is unknown (no HTTP answer: connection reset, timeout). Held
   * rows are kept as in doubt; with `resend` the row is simply due again at `retryAt`.
   */
  async markInDoubt(row: Pick<ClaimedNotification, 'id' | 'claimToken'>, error: string, policy: InDoubtPolicy, retryAt: Date, maxAttempts: number): Promise<void> {
    await this.db.writer.$transaction((tx) =>
      tx.outboxNotification.updateMany({
        where: { id: row.id, claimToken: row.claimToken, sentAt: null },
        data:
          policy === 'hold'
            ? { lastError: `${IN_DOUBT}: ${error}`.slice(0, 500), nextAttemptAt: null, attempts: maxAttempts, claimToken: null }
            : { lastError: `sent again after: ${error}`.slice(0, 500), nextAttemptAt: retryAt, sendingAt: null, claimToken: null },
      }),
    );
  }

  /** Gives back claimed rows that were not begun (a sender shutting down), due at once, the claim not counted as an attempt. */
  async release(rows: ReadonlyArray<Pick<ClaimedNotification, 'id' | 'claimToken'>>, now: Date): Promise<number> {
    if (rows.length === 0) return 0;
    return this.db.writer.$transaction(async (tx) => {
      let released = 0;
      for (const row of rows) {
        const { count } = await tx.outboxNotification.updateMany({
          where: { id: row.id, claimToken: row.claimToken, sentAt: null, sendingAt: null },
          data: { nextAttemptAt: now, claimToken: null, attempts: { decrement: 1 } },
        });
        released += count;
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
    return this.db.writer.$transaction(async (tx) => {
      const rows = await tx.outboxNotification.findMany({
        where: { sentAt: null, sendingAt: { not: null }, nextAttemptAt: { lte: now } },
        select: { id: true, attempts: true },
        take: 1000,
      });
      if (rows.length === 0) return [];
      // A row that has used its attempts is held even under `resend`: it would not be claimed again.
      const resend = policy === 'resend' ? rows.filter((r) => r.attempts < maxAttempts).map((r) => r.id) : [];
      const hold = rows.map((r) => r.id).filter((id) => !resend.includes(id));
      if (hold.length) {
        await tx.outboxNotification.updateMany({
          where: { id: { in: hold } },
          data: {
            lastError: `${IN_DOUBT}: the sender stopped while this message was being sent; Teams may or may not show it, so it is not sent again`,
            nextAttemptAt: null,
            attempts: maxAttempts,
            claimToken: null,
          },
        });
      }
      if (resend.length) {
        await tx.outboxNotification.updateMany({
          where: { id: { in: resend } },
          data: { lastError: 'sent again: the sender stopped while it was being sent, so it may show twice', sendingAt: null, claimToken: null },
        });
      }
      return rows.map((r) => r.id);
    });
  }

  /** One intent addressed to "the admins" becomes one row per admin, atomically with giving the original up (only while it is still the caller's). */
  async expand(parent: ClaimedNotification, userIds: readonly string[], newId: () => string, maxAttempts: number): Promise<void> {
    await this.db.writer.$transaction(async (tx) => {
      const { count } = await tx.outboxNotification.updateMany({
        where: { id: parent.id, claimToken: parent.claimToken, sentAt: null, sendingAt: null },
        data: { sentAt: new Date(), lastError: `expanded to ${userIds.length} admins (no admin channel)`, attempts: maxAttempts, claimToken: null },
      });
      if (count === 0) return;
      await tx.outboxNotification.createMany({
        data: userIds.map((userId) => ({
          id: newId(),
          tenantId: parent.tenantId,
          recipientKind: 'user',
          recipientUserId: userId,
          kind: parent.kind,
          data: JSON.stringify(parent.data),
          createdAt: parent.createdAt,
        })),
      });
    });
  }

  async pending(): Promise<number> {
    return this.db.writer.$transaction((tx) => tx.outboxNotification.count({ where: { sentAt: null } }));
  }

  /** Messages held as in doubt: each may or may not have been shown. */
  async inDoubt(tenantId?: string): Promise<Array<{ id: string; tenantId: string; kind: string; sendingAt: Date }>> {
    const rows = await this.db.reader.outboxNotification.findMany({
      where: { sentAt: null, sendingAt: { not: null }, lastError: { startsWith: IN_DOUBT }, ...(tenantId !== undefined && { tenantId }) },
      select: { id: true, tenantId: true, kind: true, sendingAt: true },
      orderBy: { sendingAt: 'asc' },
    });
    return rows.map((r) => ({ ...r, sendingAt: r.sendingAt! }));
  }
}
