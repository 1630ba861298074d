import type { NotificationIntent } from '../../domain/model';
import type { OutboxRepository } from '../../domain/ports';
import type { Db } from './support';

/** Intents are written in the transaction of the change that causes them; the sender drains them. */
export class PrismaOutboxRepository implements OutboxRepository {
  constructor(private readonly db: Db) {}

  async add(intents: readonly NotificationIntent[]): Promise<void> {
    if (intents.length === 0) return;
    await this.db.outboxNotification.createMany({
      data: intents.map((n) => ({
        id: n.id,
        tenantId: n.tenantId,
        recipientKind: n.recipient.kind,
        recipientUserId: n.recipient.kind === 'user' ? n.recipient.userId : null,
        kind: n.kind,
        data: JSON.stringify(n.data),
        createdAt: n.createdAt,
      })),
    });
  }
}
