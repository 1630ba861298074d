import { setTimeout as sleep } from 'node:timers/promises';
import { Prisma } from './generated/client';
import type { Database } from './client';
import type { Repositories, UnitOfWork } from '../domain/ports';
import { isDomainError, ErrorCodes } from '../domain/shared/errors';
import { createRepositories, ProductCatalogCache, type SqlRunner } from './repositories';

export { createRepositories };

export interface UnitOfWorkOptions {
  /** Attempts in all, the first included (the in-memory unit of work makes 5 too). */
  maxAttempts?: number;
  /** How long `work` may take before Prisma rolls it back. */
  timeoutMs?: number;
  /** How long to wait for the writer while other transactions of this process run. */
  maxWaitMs?: number;
}

/**
 * Another writer won: an optimistic-concurrency miss (ours), Prisma's write conflict (P2034), SQLite
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
  return e instanceof Error && /SQLITE_BUSY|database is locked/.test(e.message);
};

export class PrismaUnitOfWork implements UnitOfWork {
  private readonly maxAttempts: number;
  private readonly txOptions: { maxWait: number; timeout: number };

  constructor(
    /** `readSql`, when given, runs the read repositories' raw SELECTs (Database.readSql); otherwise `reader` does. */
    private readonly db: Pick<Database, 'engine' | 'writer' | 'reader' | 'startWrite'> & { readSql?: SqlRunner },
    options: UnitOfWorkOptions = {},
    /** Shared by every transaction's repositories: the catalog is read once per process. */
    readonly products: ProductCatalogCache = new ProductCatalogCache(),
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.txOptions = { maxWait: options.maxWaitMs ?? 10_000, timeout: options.timeoutMs ?? 15_000 };
    this.readRepositories = createRepositories(db.reader, products, db.readSql);
  }

  private readonly readRepositories: Repositories;

  async run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.writer.$transaction(async (tx) => {
          await this.db.startWrite(tx);
          return work(createRepositories(tx, this.products, undefined, { lockRows: this.db.engine === 'postgresql' }));
        }, this.txOptions);
      } catch (e) {
        if (attempt >= this.maxAttempts || !isRetryable(e)) throw e;
        // A little jitter so two processes that collided don't collide again in lockstep.
        await sleep(Math.floor(Math.random() * 10 * attempt));
      }
    }
  }

  /**
   * Runs on the reader connections (Prisma's `reader`, and `readSql` for the raw SELECTs), which are
   * query-only and in WAL mode see committed data only: never
   * the writer's transaction in flight, and never blocking it. Without a transaction around it (one
   * BEGIN/COMMIT pair would cost as much as a query), successive queries of one read may see a commit
   * that landed between them; every read use case tolerates that.
   */
  read<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return work(this.readRepositories);
  }
}
