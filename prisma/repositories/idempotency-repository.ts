import type { IdempotencyRecord } from '../../domain/model';
import type { IdempotencyRepository } from '../../domain/ports';
import { uniqueAsConflict, type Db } from './support';

export class PrismaIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly db: Db) {}

  async get(tenantId: string, key: string): Promise<IdempotencyRecord | null> {
    const row = await this.db.idempotencyRecord.findUnique({ where: { tenantId_key: { tenantId, key } } });
    return row;
  }

  /** Two requests with one key racing: the loser gets a conflict, and its retry replays the winner's result. */
  async add(record: IdempotencyRecord): Promise<void> {
    await uniqueAsConflict('idempotency key', () => this.db.idempotencyRecord.create({ data: record }));
  }
}
