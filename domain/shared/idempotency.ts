import type { Repositories, ActorContext, Deps } from '../ports';
import { ErrorCodes, fail } from './errors';
import { parseId } from './validation';

/**
 * "The same request twice makes one result": looks up an earlier result under the caller's key. A key
 * reused with different input is refused rather than silently returning someone else's result.
 */
export const replay = async (repos: Repositories, ctx: ActorContext, key: string | null, operation: string, fingerprint: string): Promise<string | null> => {
  if (!key) return null;
  const previous = await repos.idempotency.get(ctx.tenantId, key);
  if (!previous) return null;
  if (previous.operation !== operation || previous.fingerprint !== fingerprint) {
    fail(ErrorCodes.IDEMPOTENCY_KEY_REUSED, 'That request id was already used for a different request.');
  }
  return previous.resultId;
};

export const remember = (repos: Repositories, deps: Deps, ctx: ActorContext, key: string | null, operation: string, fingerprint: string, resultId: string): Promise<void> =>
  key ? repos.idempotency.add({ tenantId: ctx.tenantId, key, operation, fingerprint, resultId, createdAt: deps.clock.now() }) : Promise.resolve();

export const parseIdempotencyKey = (raw: unknown): string | null => (raw === undefined || raw === null || raw === '' ? null : parseId(raw, 'request id'));
