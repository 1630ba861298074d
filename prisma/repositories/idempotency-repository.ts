import { Prisma, type IdempotencyRecord as IdempotencyRow } from '../generated/client';
import type { IdempotencyRecord } from '../../domain/model';
import type { IdempotencyRepository } from '../../domain/ports';
import { columns, insert, insertInto, uniqueAsConflict, type SqlSession } from './support';

const IDEMPOTENCY_COLUMNS = columns(['tenantId', 'key', 'operation', 'fingerprint', 'resultId', 'createdAt'] satisfies (keyof IdempotencyRow)[]);

export class PrismaIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly sql: SqlSession) {}

  async get(tenantId: string, key: string): Promise<IdempotencyRecord | null> {
    const [row] = await this.sql.query<IdempotencyRow>(Prisma.sql`SELECT ${IDEMPOTENCY_COLUMNS} FROM "IdempotencyRecord" WHERE "tenantId" = ${tenantId} AND "key" = ${key}`);
    return row ?? null;
  }

  /** Two requests with one key racing: the loser gets a conflict, and its retry replays the winner's result. */
  async add(record: IdempotencyRecord): Promise<void> {
    await uniqueAsConflict('idempotency key', () => insert(this.sql, 'IdempotencyRecord', [{ ...record }]));
  }

  /** ON CONFLICT DO NOTHING: a racing claim waits for the other's commit and stores nothing, with no error (nor one in PostgreSQL's log). */
  async claim(record: IdempotencyRecord): Promise<boolean> {
    const [statement] = insertInto('IdempotencyRecord', [{ ...record }], Prisma.sql` ON CONFLICT ("tenantId", "key") DO NOTHING`);
    return (await this.sql.execute(statement)) === 1;
  }
}
