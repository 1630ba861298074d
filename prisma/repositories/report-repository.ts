import { Prisma } from '../generated/client';
import type { InvoiceStatus } from '../../domain/model';
import type { ReportRepository, SpendTotalRow } from '../../domain/ports';
import { as, countOf, type SqlRunner } from './support';

interface SpendSqlRow {
  productId: string;
  purchaserId: string;
  currency: string;
  status: string;
  amountMinor: bigint | number | null;
  invoices: bigint | number;
}

export class PrismaReportRepository implements ReportRepository {
  constructor(private readonly sql: SqlRunner) {}

  /**
   * One row per product × purchaser × currency × status, summed by the database: the answer's size
   * follows how many people bought what, never how many invoices a year of renewals produced.
   * The product comes from the invoice's subscription (invoices don't carry it); the join stays
   * inside the tenant on both sides.
   */
  async spendTotals(tenantId: string, from: Date, to: Date): Promise<SpendTotalRow[]> {
    const rows = await this.sql.query<SpendSqlRow>(Prisma.sql`
      SELECT s."productId" AS "productId", i."purchaserId" AS "purchaserId", i."currency" AS "currency", i."status" AS "status",
             SUM(i."amountMinor") AS "amountMinor", COUNT(*) AS "invoices"
      FROM "Invoice" i JOIN "Subscription" s ON s."tenantId" = i."tenantId" AND s."id" = i."subscriptionId"
      WHERE i."tenantId" = ${tenantId} AND i."issuedAt" >= ${from} AND i."issuedAt" <= ${to}
      GROUP BY s."productId", i."purchaserId", i."currency", i."status"
      ORDER BY s."productId", i."purchaserId", i."currency", i."status"`);
    return rows.map((r) => ({
      productId: r.productId,
      purchaserId: r.purchaserId,
      currency: r.currency,
      status: as<InvoiceStatus>(r.status),
      amountMinor: countOf(r.amountMinor),
      invoices: countOf(r.invoices),
    }));
  }

  /** Answered from the (tenantId, purchaserId, productId) index alone. */
  async purchaserIds(tenantId: string): Promise<string[]> {
    const rows = await this.sql.query<{ purchaserId: string }>(
      Prisma.sql`SELECT DISTINCT "purchaserId" AS "purchaserId" FROM "Subscription" WHERE "tenantId" = ${tenantId} ORDER BY "purchaserId"`,
    );
    return rows.map((r) => r.purchaserId);
  }
}
