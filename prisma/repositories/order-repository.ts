import type { OrderEntry as OrderRow } from '../generated/client';
import type { OrderEntry, OrderKind } from '../../domain/model';
import type { OrderRepository } from '../../domain/ports';
import { as, toMoney, type Db } from './support';

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
  constructor(private readonly db: Db) {}

  async add(order: OrderEntry): Promise<void> {
    const { amount, ...rest } = order;
    await this.db.orderEntry.create({ data: { ...rest, amountMinor: amount?.amountMinor ?? null, currency: amount?.currency ?? null } });
  }

  async listBySubscription(tenantId: string, subscriptionId: string): Promise<OrderEntry[]> {
    const rows = await this.db.orderEntry.findMany({ where: { tenantId, subscriptionId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    return rows.map(toOrder);
  }
}
