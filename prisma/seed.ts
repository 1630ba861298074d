import { Prisma } from './generated/client';
import { CATALOG } from '../domain/catalog/catalog-data';
import type { Database } from './database';
import { toProductRow } from './repositories/product-repository';
import { insertInto } from './repositories/support';

/** Upserts every product of the catalog, in catalog order; safe to run at every start. */
export const seedCatalog = async (db: Pick<Database, 'transaction'>): Promise<number> => {
  const rows = CATALOG.map((product, position) => ({ ...toProductRow(product, position) }));
  const changed = Object.keys(rows[0]).filter((name) => name !== 'id');
  const [upsert] = insertInto('Product', rows, Prisma.sql` ON CONFLICT ("id") DO UPDATE SET ${Prisma.raw(changed.map((name) => `"${name}" = excluded."${name}"`).join(', '))}`);
  await db.transaction((tx) => tx.execute(upsert));
  return CATALOG.length;
};
