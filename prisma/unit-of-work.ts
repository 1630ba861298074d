import { setTimeout as sleep } from 'node:timers/promises';
import { Prisma } from './generated/client';
import type { Database } from './client';
import { transactionLimits, type TransactionOptions } from './database';
import type { Repositories, UnitOfWork } from '../domain/ports';
import { isDomainError, ErrorCodes } from '../domain/shared/errors';
import { createRepositories, ProductCatalogCache } from './repositories';
import { readOnly } from './repositories/support';

export { createRepositories };

export interface UnitOfWorkOptions {
  /** Attempts in all, the first included (the in-memory unit of work makes 5 too). */
  maxAttempts?: number;
  /** How long `work` may take before it is rolled back. */
  timeoutMs?: number;
  /** How long to wait for the writer while other transactions of this process run. */
  maxWaitMs?: number;
}

/**
 * Another writer won: an optimistic-concurrency miss (ours), a write conflict reported by Prisma
 * (P2034; tools and tests on a Prisma client), SQLite
 * busy past busy_timeout (another process held the write lock), or PostgreSQL's serialization failure
 * or deadlock (40001, 40P01: one of two transactions is chosen to fail). All are cured by re-running
 * `work` on fresh state.
 */
export const isRetryable = (e: unknown): boolean => {
  if (isDomainError(e, ErrorCodes.CONCURRENCY_CONFLICT)) return true;
  if (e instanceof Prisma.PrismaClientKnownRequestError) {
    if (e.code === 'P2034' || e.code === 'P1008') return true;
    const cause = (e.meta as { driverAdapterError?: { cause?: { originalCode?: string } } } | undefined)?.driverAdapterError?.cause;
    if (cause?.originalCode?.startsWith('SQLITE_BUSY') || cause?.originalCode === '40001' || cause?.originalCode === '40P01') return true;
  }
  // The drivers' own errors, from our transactions (Database.transaction): better-sqlite3's and pg's codes.
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code === '40001' || code === '40P01')) return true;
  return e instanceof Error && /SQLITE_BUSY|database is locked/.test(e.message);
};

export class PrismaUnitOfWork implements UnitOfWork {
  private readonly maxAttempts: number;
  private readonly txOptions: TransactionOptions;

  constructor(
    /** Writes through `transaction`; reads through `readSql`, the read repositories' raw SELECTs on committed state. */
    private readonly db: Pick<Database, 'engine' | 'transaction' | 'readSql'>,
    options: UnitOfWorkOptions = {},
    /** Shared by every transaction's repositories: the catalog is read once per process. */
    readonly products: ProductCatalogCache = new ProductCatalogCache(),
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.txOptions = transactionLimits(options);
    this.readRepositories = createRepositories(readOnly(db.readSql), products);
  }

  private readonly readRepositories: Repositories;

  async run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const lockRows = this.db.engine === 'postgresql';
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction((tx) => work(createRepositories(tx, this.products, { lockRows })), this.txOptions);
      } catch (e) {
        if (attempt >= this.maxAttempts || !isRetryable(e)) throw e;
        // A little jitter so two processes that collided don't collide again in lockstep.
        await sleep(Math.floor(Math.random() * 10 * attempt));
      }
    }
  }

  /**
   * Runs on the readers' connections (`readSql`), which are read-only and see committed data only:
   * never the writer's transaction in flight, and never blocking it. Without a transaction around it
   * (one BEGIN/COMMIT pair would cost as much as a query), successive queries of one read may see a
   * commit that landed between them; every read use case tolerates that.
   */
  read<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return work(this.readRepositories);
  }
}
