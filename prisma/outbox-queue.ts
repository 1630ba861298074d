import type { NotificationIntent, NotificationKind, Recipient } from '../domain/model';
import type { Database } from './client';

export interface ClaimedNotification extends NotificationIntent {
  attempts: number;
}

/**
 * The sender's side of the outbox. A claim leases rows (nextAttemptAt moves past the lease) in one
 * write transaction, so two senders never hold the same row; a sender that dies leaves its rows to
 * be claimed again when the lease runs out.
 */
export class PrismaOutboxQueue {
  constructor(private readonly db: Pick<Database, 'writer'>) {}

  async claim(now: Date, limit: number, leaseMs: number, maxAttempts: number): Promise<ClaimedNotification[]> {
    return this.db.writer.$transaction(async (tx) => {
      const rows = await tx.outboxNotification.findMany({
        where: { sentAt: null, attempts: { lt: maxAttempts }, OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      });
      if (rows.length === 0) return [];
      await tx.outboxNotification.updateMany({
        where: { id: { in: rows.map((r) => r.id) } },
        data: { nextAttemptAt: new Date(now.getTime() + leaseMs), attempts: { increment: 1 } },
      });
      return rows.map((r) => ({
        id: r.id,
        tenantId: r.tenantId,
        recipient: (r.recipientKind === 'user' ? { kind: 'user', userId: r.recipientUserId! } : { kind: 'admins' }) as Recipient,
        kind: r.kind as NotificationKind,
        data: JSON.parse(r.data) as NotificationIntent['data'],
        createdAt: r.createdAt,
        attempts: r.attempts + 1,
      }));
    });
  }

  async markSent(id: string, at: Date): Promise<void> {
    await this.db.writer.$transaction((tx) => tx.outboxNotification.update({ where: { id }, data: { sentAt: at, lastError: null } }));
  }

  /** `retryAt` null gives up on the row (it stays unsent, with the reason, for an admin to see). */
  async markFailed(id: string, error: string, retryAt: Date | null, maxAttempts: number): Promise<void> {
    await this.db.writer.$transaction((tx) =>
      tx.outboxNotification.update({
        where: { id },
        data: { lastError: error.slice(0, 500), nextAttemptAt: retryAt, ...(retryAt === null && { attempts: maxAttempts }) },
      }),
    );
  }

  /** One intent addressed to "the admins" becomes one row per admin, atomically with giving the original up. */
  async expand(parent: ClaimedNotification, userIds: readonly string[], newId: () => string, maxAttempts: number): Promise<void> {
    await this.db.writer.$transaction(async (tx) => {
      await tx.outboxNotification.createMany({
        data: userIds.map((userId) => ({
          id: newId(), tenantId: parent.tenantId, recipientKind: 'user', recipientUserId: userId, kind: parent.kind, data: JSON.stringify(parent.data), createdAt: parent.createdAt,
        })),
      });
      await tx.outboxNotification.update({ where: { id: parent.id }, data: { sentAt: new Date(), lastError: `expanded to ${userIds.length} admins (no admin channel)`, attempts: maxAttempts } });
    });
  }

  async pending(): Promise<number> {
    return this.db.writer.$transaction((tx) => tx.outboxNotification.count({ where: { sentAt: null } }));
  }
}
