import { Prisma, type Product as ProductRow } from '../generated/client';
import type { Product } from '../../domain/model';
import type { ProductRepository } from '../../domain/ports';
import { canonicalProductId } from '../../domain/catalog/catalog-data';
import { columns, toMoney, type SqlRunner } from './support';

const PRODUCT_COLUMNS = columns([
  'id',
  'position',
  'legacyIds',
  'name',
  'monthlyPriceMinor',
  'monthlyCurrency',
  'annualPriceMinor',
  'annualCurrency',
  'trialDays',
  'trialLicenses',
  'trialRequiresPaymentMethod',
] satisfies (keyof ProductRow)[]);

export const toProduct = (r: ProductRow): Product => ({
  id: r.id,
  legacyIds: r.legacyIds === '' ? [] : r.legacyIds.split(','),
  name: r.name,
  prices: {
    Monthly: toMoney(r.monthlyPriceMinor, r.monthlyCurrency),
    Annual: toMoney(r.annualPriceMinor, r.annualCurrency),
  },
  trial:
    r.trialDays === null || r.trialLicenses === null || r.trialRequiresPaymentMethod === null
      ? null
      : { days: r.trialDays, licenses: r.trialLicenses, requiresPaymentMethod: r.trialRequiresPaymentMethod },
});

export const toProductRow = (p: Product, position: number): ProductRow => ({
  id: p.id,
  position,
  legacyIds: p.legacyIds.join(','),
  name: p.name,
  monthlyPriceMinor: p.prices.Monthly.amountMinor,
  monthlyCurrency: p.prices.Monthly.currency,
  annualPriceMinor: p.prices.Annual.amountMinor,
  annualCurrency: p.prices.Annual.currency,
  trialDays: p.trial?.days ?? null,
  trialLicenses: p.trial?.licenses ?? null,
  trialRequiresPaymentMethod: p.trial?.requiresPaymentMethod ?? null,
});

/**
 * The catalog changes only by seed, so it is read once per process and shared by every repository
 * set (each transaction gets its own). `invalidate()` after re-seeding a running process.
 */
export class ProductCatalogCache {
  private loading: Promise<readonly Product[]> | null = null;

  get(sql: SqlRunner): Promise<readonly Product[]> {
    if (!this.loading) {
      this.loading = sql.query<ProductRow>(Prisma.sql`SELECT ${PRODUCT_COLUMNS} FROM "Product" ORDER BY "position", "id"`).then((rows) => Object.freeze(rows.map(toProduct)));
      this.loading.catch(() => {
        this.loading = null; // a failed load is retried by the next caller
      });
    }
    return this.loading;
  }

  invalidate(): void {
    this.loading = null;
  }
}

export class PrismaProductRepository implements ProductRepository {
  constructor(
    private readonly sql: SqlRunner,
    private readonly cache: ProductCatalogCache = new ProductCatalogCache(),
  ) {}

  async list(): Promise<Product[]> {
    return [...(await this.cache.get(this.sql))];
  }

  /** By current or legacy id, case-insensitively (R3: a product keeps its policy under a new id). */
  async get(id: string): Promise<Product | null> {
    const products = await this.cache.get(this.sql);
    const canonical = canonicalProductId(products, id);
    return products.find((p) => p.id === canonical) ?? null;
  }
}
