import type { Repositories } from '../../domain/ports';
import { PrismaActorRepository } from './actor-repository';
import { PrismaAssignmentRepository } from './assignment-repository';
import { PrismaAuditRepository } from './audit-repository';
import { PrismaIdempotencyRepository } from './idempotency-repository';
import { PrismaInvoiceRepository } from './invoice-repository';
import { PrismaOrderRepository } from './order-repository';
import { PrismaOutboxRepository } from './outbox-repository';
import { PrismaPolicyRepository } from './policy-repository';
import { PrismaProductRepository, ProductCatalogCache } from './product-repository';
import { PrismaPurchaseRequestRepository } from './purchase-request-repository';
import { PrismaRoleRepository } from './role-repository';
import { PrismaSubscriptionRepository } from './subscription-repository';
import { PrismaTenantRepository } from './tenant-repository';
import { PrismaUserRepository } from './user-repository';
import type { Db } from './support';

export {
  PrismaActorRepository,
  PrismaAssignmentRepository,
  PrismaAuditRepository,
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
export type { Db };

/** Every port over one client or transaction. Pass a shared cache so the catalog is read once. */
export const createRepositories = (db: Db, products: ProductCatalogCache = new ProductCatalogCache()): Repositories => ({
  actors: new PrismaActorRepository(db),
  tenants: new PrismaTenantRepository(db),
  users: new PrismaUserRepository(db),
  roles: new PrismaRoleRepository(db),
  products: new PrismaProductRepository(db, products),
  policies: new PrismaPolicyRepository(db),
  subscriptions: new PrismaSubscriptionRepository(db),
  assignments: new PrismaAssignmentRepository(db),
  orders: new PrismaOrderRepository(db),
  invoices: new PrismaInvoiceRepository(db),
  requests: new PrismaPurchaseRequestRepository(db),
  outbox: new PrismaOutboxRepository(db),
  audit: new PrismaAuditRepository(db),
  idempotency: new PrismaIdempotencyRepository(db),
});
