import { Prisma, type PurchaseRequest as RequestRow } from '../generated/client';
import type { BillingFrequency, PurchaseRequest, RequestKind, RequestStatus } from '../../domain/model';
import type { PurchaseRequestRepository } from '../../domain/ports';
import { as, assignments, columns, conflict, insert, type SqlSession } from './support';

const REQUEST_COLUMNS = columns([
  'id',
  'tenantId',
  'requesterId',
  'productId',
  'kind',
  'quantity',
  'billingFrequency',
  'cardToken',
  'status',
  'decidedBy',
  'decidedAt',
  'decisionNote',
  'subscriptionId',
  'createdAt',
] satisfies (keyof RequestRow)[]);

const toRequest = (r: RequestRow): PurchaseRequest => ({
  id: r.id,
  tenantId: r.tenantId,
  requesterId: r.requesterId,
  productId: r.productId,
  kind: as<RequestKind>(r.kind),
  quantity: r.quantity,
  billingFrequency: as<BillingFrequency>(r.billingFrequency),
  cardToken: r.cardToken,
  status: as<RequestStatus>(r.status),
  decidedBy: r.decidedBy,
  decidedAt: r.decidedAt,
  decisionNote: r.decisionNote,
  subscriptionId: r.subscriptionId,
  createdAt: r.createdAt,
});

export class PrismaPurchaseRequestRepository implements PurchaseRequestRepository {
  constructor(
    private readonly sql: SqlSession,
    /** Inside a PostgreSQL write transaction: lock what get returns (support.ts FOR_UPDATE). */
    private readonly lock: Prisma.Sql | null = null,
  ) {}

  async add(request: PurchaseRequest): Promise<void> {
    await insert(this.sql, 'PurchaseRequest', [{ ...request }]);
  }

  async get(tenantId: string, id: string): Promise<PurchaseRequest | null> {
    const [row] = await this.sql.query<RequestRow>(
      Prisma.sql`SELECT ${REQUEST_COLUMNS} FROM "PurchaseRequest" WHERE "tenantId" = ${tenantId} AND "id" = ${id}${this.lock ?? Prisma.empty}`,
    );
    return row ? toRequest(row) : null;
  }

  /** Only a Pending request can be decided: two admins deciding at once, the second gets a conflict. */
  async decide(request: PurchaseRequest): Promise<void> {
    const { id, tenantId, createdAt: _createdAt, ...data } = request;
    const count = await this.sql.execute(Prisma.sql`UPDATE "PurchaseRequest" SET ${assignments(data)} WHERE "tenantId" = ${tenantId} AND "id" = ${id} AND "status" = 'Pending'`);
    if (count === 0) throw conflict('purchase request', { requestId: id });
  }

  async listPending(tenantId: string): Promise<PurchaseRequest[]> {
    // Plain SQL (the SQL reader outside a transaction): "my purchases" reads this on every turn.
    const rows = await this.sql.query<RequestRow>(Prisma.sql`
      SELECT ${REQUEST_COLUMNS} FROM "PurchaseRequest" WHERE "tenantId" = ${tenantId} AND "status" = 'Pending' ORDER BY "createdAt", "id"`);
    return rows.map(toRequest);
  }
}
