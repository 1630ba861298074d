import type { PrismaClient } from './generated/client';
import { CATALOG } from '../domain/catalog/catalog-data';
import { toProductRow } from './repositories/product-repository';

/** Upserts every product of the catalog, in catalog order; safe to run at every start. */
export const seedCatalog = async (writer: PrismaClient): Promise<number> => {
  await writer.$transaction(async (tx) => {
    for (const [position, product] of CATALOG.entries()) {
      const { id, ...row } = toProductRow(product, position);
      await tx.product.upsert({ where: { id }, create: { id, ...row }, update: row });
    }
  });
  return CATALOG.length;
};
