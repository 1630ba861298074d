import { CATALOG } from '../domain/catalog/catalog-data';
import type { Database } from './database';
import { toProductRow } from './repositories/product-repository';
import { upsert } from './repositories/support';

/** Upserts every product of the catalog, in catalog order; safe to run at every start. */
export const seedCatalog = async (db: Pick<Database, 'transaction'>): Promise<number> => {
  const rows = CATALOG.map((product, position) => ({ ...toProductRow(product, position) }));
  await db.transaction((tx) => upsert(tx, 'Product', rows, ['id']));
  return CATALOG.length;
};
