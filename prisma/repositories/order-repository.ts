import { Prisma, type OrderEntry as OrderRow } from '../generated/client';
import type { OrderEntry, OrderKind } from '../../domain/model';
import type { OrderRepository } from '../../domain/ports';
import { as, columns, insert, toMoney, type SqlSession } from './support';

const ORDER_COLUMNS = columns(['id', 'tenantId', 'subscriptionId', 'kind', 'quantityDelta', 'amountMinor', 'currency', 'actorId', 'at', 'note'] satisfies (keyof OrderRow)[]);

const toOrder = (r: OrderRow): OrderEntry => ({
  id: r.id,
  tenantId: r.tenantId,
  subscriptionId: r.subscriptionId,
  kind: as<OrderKind>(r.kind),
  quantityDelta: r.quantityDelta,
  amount: r.amountMinor === null || r.currency === null ? null : toMoney(r.amountMinor, r.currency),
  actorId: r.actorId,
  at: r.at,
  note: r.note,
});

export class PrismaOrderRepository implements OrderRepository {
  constructor(private readonly sql: SqlSession) {}

  async add(order: OrderEntry): Promise<void> {
    const { amount, ...rest } = order;
    await insert(this.sql, 'OrderEntry', [{ ...rest, amountMinor: amount?.amountMinor ?? null, currency: amount?.currency ?? null }]);
  }

  async listBySubscription(tenantId: string, subscriptionId: string): Promise<OrderEntry[]> {
    const rows = await this.sql.query<OrderRow>(
      Prisma.sql`SELECT ${ORDER_COLUMNS} FROM "OrderEntry" WHERE "tenantId" = ${tenantId} AND "subscriptionId" = ${subscriptionId} ORDER BY "at", "id"`,
    );
    return rows.map(toOrder);
  }
}
