import { Prisma, type Invoice as InvoiceRow } from '../generated/client';
import type { Invoice, InvoiceStatus } from '../../domain/model';
import type { InvoiceRepository } from '../../domain/ports';
import { as, assignments, columns as columnList, conflict, insert, toMoney, type SqlSession } from './support';

const toInvoice = (r: InvoiceRow): Invoice => ({
  id: r.id,
  tenantId: r.tenantId,
  subscriptionId: r.subscriptionId,
  purchaserId: r.purchaserId,
  amount: toMoney(r.amountMinor, r.currency),
  status: as<InvoiceStatus>(r.status),
  description: r.description,
  issuedAt: r.issuedAt,
  paidAt: r.paidAt,
  chargeId: r.chargeId,
  failureCode: r.failureCode,
});

const columns = (i: Invoice) => {
  const { amount, ...rest } = i;
  return { ...rest, amountMinor: amount.amountMinor, currency: amount.currency };
};

const INVOICE_COLUMNS = columnList([
  'id',
  'tenantId',
  'subscriptionId',
  'purchaserId',
  'amountMinor',
  'currency',
  'status',
  'description',
  'issuedAt',
  'paidAt',
  'chargeId',
  'failureCode',
] satisfies (keyof InvoiceRow)[]);

export class PrismaInvoiceRepository implements InvoiceRepository {
  constructor(
    private readonly sql: SqlSession,
    /** Inside a PostgreSQL write transaction: lock what get returns (support.ts FOR_UPDATE), so one bill is paid once. */
    private readonly lock: Prisma.Sql | null = null,
  ) {}

  async add(invoice: Invoice): Promise<void> {
    await insert(this.sql, 'Invoice', [columns(invoice)]);
  }

  async get(tenantId: string, id: string): Promise<Invoice | null> {
    const [row] = await this.sql.query<InvoiceRow>(
      Prisma.sql`SELECT ${INVOICE_COLUMNS} FROM "Invoice" WHERE "tenantId" = ${tenantId} AND "id" = ${id}${this.lock ?? Prisma.empty}`,
    );
    return row ? toInvoice(row) : null;
  }

  /** The invoice must exist in its tenant; if it vanished meanwhile the retry reports it missing. */
  async update(invoice: Invoice): Promise<void> {
    const { id, tenantId, ...data } = columns(invoice);
    const count = await this.sql.execute(Prisma.sql`UPDATE "Invoice" SET ${assignments(data)} WHERE "tenantId" = ${tenantId} AND "id" = ${id}`);
    if (count === 0) throw conflict('invoice', { invoiceId: id });
  }

  /** On the (tenantId, subscriptionId, issuedAt, id) index: the purchase's invoices only, already in order. */
  async listBySubscription(tenantId: string, subscriptionId: string): Promise<Invoice[]> {
    const rows = await this.sql.query<InvoiceRow>(Prisma.sql`
      SELECT ${INVOICE_COLUMNS} FROM "Invoice" WHERE "tenantId" = ${tenantId} AND "subscriptionId" = ${subscriptionId} ORDER BY "issuedAt" DESC, "id" DESC`);
    return rows.map(toInvoice);
  }

  /** On the (tenantId, purchaserId, issuedAt) index. */
  async listByPurchaser(tenantId: string, purchaserId: string): Promise<Invoice[]> {
    const rows = await this.sql.query<InvoiceRow>(Prisma.sql`
      SELECT ${INVOICE_COLUMNS} FROM "Invoice" WHERE "tenantId" = ${tenantId} AND "purchaserId" = ${purchaserId} ORDER BY "issuedAt" DESC, "id" DESC`);
    return rows.map(toInvoice);
  }
}
