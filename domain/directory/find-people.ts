import { loadActor } from '../access';
import type { DirectoryUser } from '../model';
import type { ActorContext, Deps } from '../ports';
import { ErrorCodes, fail } from '../shared/errors';
import { MAX_USERS_PER_OPERATION } from '../shared/validation';

export interface PersonMatch {
  query: string;
  /** Exactly one entry: found. Several: ambiguous (let the person pick). None: nobody by that name. */
  people: DirectoryUser[];
}

const MAX_QUERY_LENGTH = 120;
const CANDIDATES = 5;

/**
 * People of the caller's organization named by what was typed: an email or UPN matches exactly; a
 * name matches when the display name contains it. Only active members of the caller's own tenant.
 */
export const findPeople = async (deps: Deps, ctx: ActorContext, input: { queries: unknown }): Promise<PersonMatch[]> => {
  const raw = input.queries;
  if (!Array.isArray(raw) || raw.length === 0 || raw.some((q) => typeof q !== 'string')) {
    return fail(ErrorCodes.INPUT_INVALID, 'Name at least one person (a name, email or @mention).', { field: 'people' });
  }
  const queries = [...new Set((raw as string[]).map((q) => q.trim()).filter(Boolean))];
  if (queries.length === 0) return fail(ErrorCodes.INPUT_INVALID, 'Name at least one person (a name, email or @mention).', { field: 'people' });
  if (queries.length > MAX_USERS_PER_OPERATION) {
    return fail(ErrorCodes.INPUT_INVALID, `At most ${MAX_USERS_PER_OPERATION} people at a time.`, { field: 'people', max: MAX_USERS_PER_OPERATION });
  }
  if (queries.some((q) => q.length > MAX_QUERY_LENGTH)) return fail(ErrorCodes.INPUT_INVALID, 'That name is too long.', { field: 'people' });
  return deps.uow.read(async (repos) => {
    await loadActor(repos, ctx);
    return Promise.all(
      queries.map(async (query) => {
        const found = await repos.users.search(ctx.tenantId, query, CANDIDATES);
        const lower = query.toLowerCase();
        const exact = found.filter((u) => (u.email ?? '').toLowerCase() === lower || u.displayName.toLowerCase() === lower);
        return { query, people: exact.length === 1 ? exact : found };
      }),
    );
  });
};
