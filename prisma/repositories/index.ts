import type { Repositories } from '../../domain/ports';
import { PrismaActorRepository } from './actor-repository';
import { PrismaAssignmentRepository } from './assignment-repository';
import { PrismaAuditRepository } from './audit-repository';
import { PrismaChargeIntentRepository } from './charge-intent-repository';
import { PrismaIdempotencyRepository } from './idempotency-repository';
import { PrismaInvoiceRepository } from './invoice-repository';
import { PrismaOrderRepository } from './order-repository';
import { PrismaOutboxRepository } from './outbox-repository';
import { PrismaPolicyRepository } from './policy-repository';
import { PrismaProductRepository, ProductCatalogCache } from './product-repository';
import { PrismaPurchaseRequestRepository } from './purchase-request-repository';
import { PrismaReportRepository } from './report-repository';
import { PrismaRoleRepository } from './role-repository';
import { PrismaSubscriptionRepository } from './subscription-repository';
import { PrismaTenantRepository } from './tenant-repository';
import { PrismaUserRepository } from './user-repository';
import { FOR_UPDATE, viaPrisma, type Db, type SqlRunner } from './support';

export {
  PrismaActorRepository,
  PrismaAssignmentRepository,
  PrismaAuditRepository,
  PrismaChargeIntentRepository,
  PrismaIdempotencyRepository,
  PrismaInvoiceRepository,
  PrismaOrderRepository,
  PrismaOutboxRepository,
  PrismaPolicyRepository,
  PrismaProductRepository,
  PrismaPurchaseRequestRepository,
  PrismaRoleRepository,
  PrismaSubscriptionRepository,
  PrismaTenantRepository,
  PrismaUserRepository,
  ProductCatalogCache,
};
export type { Db, SqlRunner };

export interface RepositoryOptions {
  /** A write transaction on an engine whose writers run in parallel (PostgreSQL): lock the rows about to change (support.ts FOR_UPDATE). */
  lockRows?: boolean;
}

/**
 * Every port over one client or transaction. Pass a shared cache so the catalog is read once, and,
 * for reads outside a transaction, the SQL reader that runs the raw SELECTs (prisma/sql-reader.ts).
 */
export const createRepositories = (
  db: Db,
  products: ProductCatalogCache = new ProductCatalogCache(),
  sql: SqlRunner = viaPrisma(db),
  options: RepositoryOptions = {},
): Repositories => {
  const lock = options.lockRows ? FOR_UPDATE : null;
  return {
    actors: new PrismaActorRepository(db, sql),
    tenants: new PrismaTenantRepository(db),
    users: new PrismaUserRepository(db, sql),
    roles: new PrismaRoleRepository(db, sql),
    products: new PrismaProductRepository(db, products),
    policies: new PrismaPolicyRepository(db),
    subscriptions: new PrismaSubscriptionRepository(db, sql, lock),
    assignments: new PrismaAssignmentRepository(db, sql),
    orders: new PrismaOrderRepository(db),
    invoices: new PrismaInvoiceRepository(db, sql, lock),
    requests: new PrismaPurchaseRequestRepository(db, sql, lock),
    outbox: new PrismaOutboxRepository(db),
    audit: new PrismaAuditRepository(db),
    idempotency: new PrismaIdempotencyRepository(db),
    charges: new PrismaChargeIntentRepository(db, sql, lock),
    reports: new PrismaReportRepository(db, sql),
  };
};
