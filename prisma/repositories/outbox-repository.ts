import type { NotificationIntent } from '../../domain/model';
import type { OutboxRepository } from '../../domain/ports';
import { insert, type SqlSession } from './support';

/** Intents are written in the transaction of the change that causes them; the sender drains them. */
export class PrismaOutboxRepository implements OutboxRepository {
  constructor(private readonly sql: SqlSession) {}

  async add(intents: readonly NotificationIntent[]): Promise<void> {
    if (intents.length === 0) return;
    await insert(
      this.sql,
      'OutboxNotification',
      intents.map((n) => ({
        id: n.id,
        tenantId: n.tenantId,
        recipientKind: n.recipient.kind,
        recipientUserId: n.recipient.kind === 'user' ? n.recipient.userId : null,
        kind: n.kind,
        data: JSON.stringify(n.data),
        createdAt: n.createdAt,
      })),
    );
  }
}
