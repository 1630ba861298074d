import { Prisma, type ChargeIntent as ChargeIntentRow } from '../generated/client';
import type { ChargeIntent, Surface } from '../../domain/model';
import type { ChargeIntentRepository } from '../../domain/ports';
import { as, assignments, columns, insertInto, limitOffset, toMoney, type SqlSession } from './support';

const CHARGE_COLUMNS = columns([
  'tenantId',
  'key',
  'operation',
  'actorId',
  'surface',
  'plan',
  'amountMinor',
  'currency',
  'cardToken',
  'description',
  'status',
  'outcome',
  'chargeId',
  'resultId',
  'note',
  'createdAt',
  'settledAt',
]);

const toIntent = (r: ChargeIntentRow): ChargeIntent => ({
  tenantId: r.tenantId,
  key: r.key,
  operation: r.operation,
  actorId: r.actorId,
  surface: as<Surface>(r.surface),
  plan: r.plan,
  amount: toMoney(r.amountMinor, r.currency),
  cardToken: r.cardToken,
  description: r.description,
  status: as<ChargeIntent['status']>(r.status),
  outcome: r.outcome === null ? null : as<NonNullable<ChargeIntent['outcome']>>(r.outcome),
  chargeId: r.chargeId,
  resultId: r.resultId,
  note: r.note,
  createdAt: new Date(r.createdAt),
  settledAt: r.settledAt === null ? null : new Date(r.settledAt),
});

const toRow = (i: ChargeIntent): ChargeIntentRow => {
  const { amount, ...rest } = i;
  return { ...rest, amountMinor: amount.amountMinor, currency: amount.currency };
};

export class PrismaChargeIntentRepository implements ChargeIntentRepository {
  constructor(
    private readonly sql: SqlSession,
    /** Inside a PostgreSQL write transaction: lock what get returns (support.ts FOR_UPDATE), so one intent settles once. */
    private readonly lock: Prisma.Sql | null = null,
  ) {}

  async get(tenantId: string, key: string): Promise<ChargeIntent | null> {
    const [row] = await this.sql.query<ChargeIntentRow>(
      Prisma.sql`SELECT ${CHARGE_COLUMNS} FROM "ChargeIntent" WHERE "tenantId" = ${tenantId} AND "key" = ${key}${this.lock ?? Prisma.empty}`,
    );
    return row ? toIntent(row) : null;
  }

  /**
   * One statement: INSERT … ON CONFLICT DO UPDATE with nothing to change, returning the stored row
   * (the new one, or the one another request stored first under this key).
   */
  async addOrGet(intent: ChargeIntent): Promise<ChargeIntent> {
    const [statement] = insertInto('ChargeIntent', [toRow(intent)], Prisma.sql` ON CONFLICT ("tenantId", "key") DO UPDATE SET "key" = excluded."key" RETURNING ${CHARGE_COLUMNS}`);
    const [row] = await this.sql.query<ChargeIntentRow>(statement);
    return toIntent(row);
  }

  async settle(intent: ChargeIntent): Promise<boolean> {
    const { tenantId, key, ...data } = toRow(intent);
    const count = await this.sql.execute(Prisma.sql`UPDATE "ChargeIntent" SET ${assignments(data)} WHERE "tenantId" = ${tenantId} AND "key" = ${key} AND "status" = 'Pending'`);
    return count === 1;
  }

  async removePending(tenantId: string, key: string): Promise<void> {
    await this.sql.execute(Prisma.sql`DELETE FROM "ChargeIntent" WHERE "tenantId" = ${tenantId} AND "key" = ${key} AND "status" = 'Pending'`);
  }

  async listPending(before: Date, limit: number): Promise<ChargeIntent[]> {
    const rows = await this.sql.query<ChargeIntentRow>(
      Prisma.sql`SELECT ${CHARGE_COLUMNS} FROM "ChargeIntent" WHERE "status" = 'Pending' AND "createdAt" < ${before} ORDER BY "createdAt", "tenantId", "key" ${limitOffset(Math.max(0, Math.floor(limit)), 0)}`,
    );
    return rows.map(toIntent);
  }
}
