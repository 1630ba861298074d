import { Prisma } from '../generated/client';
import type { Page } from '../../domain/model';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { MAX_IDS_PER_QUERY } from '../../domain/ports';
import type { Money } from '../../domain/shared/money';

/** What every repository is built on: the client itself or an interactive transaction's client. */
export type Db = Prisma.TransactionClient;

export const conflict = (what: string, details: Record<string, unknown> = {}): DomainError =>
  new DomainError(ErrorCodes.CONCURRENCY_CONFLICT, `${what} changed meanwhile`, details);

export const isUniqueViolation = (e: unknown): boolean => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';

/** A unique violation means someone wrote the same row first: the unit of work retries on a conflict. */
export const uniqueAsConflict = async <T>(what: string, write: () => Promise<T>): Promise<T> => {
  try {
    return await write();
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(what);
    throw e;
  }
};

export const toMoney = (amountMinor: number, currency: string): Money => ({ amountMinor, currency });

/** Pages are 1-based, as parsePaging returns them. */
export const pageWindow = (page: number, pageSize: number): { skip: number; take: number } => ({ skip: (page - 1) * pageSize, take: pageSize });

export const toPage = <T>(items: T[], total: number, page: number, pageSize: number): Page<T> => ({ items, total, page, pageSize });

/** Enum-like columns are plain strings (portable); the domain type is what we wrote. */
export const as = <T extends string>(value: string): T => value as T;

/** Runs a query per group of at most MAX_IDS_PER_QUERY ids and concatenates the rows, so no id list
 *  meets a database's bound-parameter limit (SQLite's and PostgreSQL's differ). */
export const inGroups = async <T>(ids: readonly string[], query: (group: string[]) => Promise<T[]>): Promise<T[]> => {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += MAX_IDS_PER_QUERY) out.push(...(await query(ids.slice(i, i + MAX_IDS_PER_QUERY))));
  return out;
};
