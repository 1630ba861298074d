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
import { FOR_UPDATE, viaPrisma, type Db, type SqlRunner, type SqlSession } from './support';

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
export type { Db, SqlRunner, SqlSession };

export interface RepositoryOptions {
  /** A write transaction on an engine whose writers run in parallel (PostgreSQL): lock the rows about to change (support.ts FOR_UPDATE). */
  lockRows?: boolean;
}

const isSession = (source: Db | SqlSession): source is SqlSession => typeof (source as Partial<SqlSession>).execute === 'function';

/**
 * Every port over one session: a write transaction (Database.transaction), the read side
 * (`readOnly(db.readSql)`), or, for tests and tools, a Prisma client or interactive transaction.
 * Pass a shared cache so the catalog is read once.
 */
export const createRepositories = (source: Db | SqlSession, products: ProductCatalogCache = new ProductCatalogCache(), options: RepositoryOptions = {}): Repositories => {
  const sql = isSession(source) ? source : viaPrisma(source);
  const lock = options.lockRows ? FOR_UPDATE : null;
  return {
    actors: new PrismaActorRepository(sql),
    tenants: new PrismaTenantRepository(sql),
    users: new PrismaUserRepository(sql),
    roles: new PrismaRoleRepository(sql),
    products: new PrismaProductRepository(sql, products),
    policies: new PrismaPolicyRepository(sql),
    subscriptions: new PrismaSubscriptionRepository(sql, lock),
    assignments: new PrismaAssignmentRepository(sql),
    orders: new PrismaOrderRepository(sql),
    invoices: new PrismaInvoiceRepository(sql, lock),
    requests: new PrismaPurchaseRequestRepository(sql, lock),
    outbox: new PrismaOutboxRepository(sql),
    audit: new PrismaAuditRepository(sql),
    idempotency: new PrismaIdempotencyRepository(sql),
    charges: new PrismaChargeIntentRepository(sql, lock),
    reports: new PrismaReportRepository(sql),
  };
};
