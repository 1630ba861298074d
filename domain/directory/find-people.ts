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
 * The form in which names, emails and queries are compared: ASCII letters lower-cased (as before,
 * when this was SQLite's LIKE), each run of spaces, tabs, line breaks and hyphens one space, none at
 * either end. Other characters are kept as typed, so that SQL alone can write the same keys (the
 * migration that filled them in for people already stored; SQLite's lower() is ASCII-only).
 */
export const searchKey = (text: string): string =>
  text
    .replace(/[A-Z]+/g, (m) => m.toLowerCase())
    .replace(/[ \t\r\n-]+/g, ' ')
    .replace(/^ | $/g, '');

/**
 * What a person can be found by, each as a search key: their display name from each of its words on
 * ("megan bowen", "bowen": first name, last name, any middle name) and their email. A query finds
 * the person when its key is a prefix of one of these. Repositories store and index them.
 */
export const searchTermsOf = (user: Pick<DirectoryUser, 'displayName' | 'email'>): string[] => {
  const name = searchKey(user.displayName);
  const terms = new Set<string>();
  for (let i = 0; i < name.length; i++) if (i === 0 || name[i - 1] === ' ') terms.add(name.slice(i));
  const email = user.email === null ? '' : searchKey(user.email);
  if (email) terms.add(email);
  return [...terms];
};

/**
 * People of the caller's organization named by what was typed: an email or UPN matches exactly; a
 * name matches when the display name, or one of its later words (a last name), starts with it; an
 * email when it starts with it. Only active members of the caller's own tenant.
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
