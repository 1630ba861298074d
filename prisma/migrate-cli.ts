/**
 * `npm run db:migrate`: applies the committed migrations to DATABASE_URL (SQLite `file:` or
 * PostgreSQL), as every start does, for a release step of its own. Offline: no Prisma engine needed.
 */
import { migrateDatabase } from './client';
import { DEFAULT_DATABASE_URL, withoutPassword } from './database-url';

const main = async (): Promise<void> => {
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const where = withoutPassword(url);
  const { applied, unknown } = await migrateDatabase(url);
  process.stdout.write(applied.length ? `Applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}\n` : `${where} is up to date.\n`);
  if (unknown.length) process.stderr.write(`Warning: the database has migrations this code doesn't know: ${unknown.join(', ')}\n`);
};

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
