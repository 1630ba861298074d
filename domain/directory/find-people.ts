import { loadActor } from '../access';
import type { DirectoryUser } from '../model';
import type { ActorContext, Deps } from '../ports';
import { ErrorCodes, fail } from '../shared/errors';
import { MAX_USERS_PER_OPERATION } from '../shared/validation';
import { applyDirectory } from './sync-directory';

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
 * The organization's directory asked first, when there is one: whoever it has by these words is stored
 * (or brought up to date) before the search, so people who never used the bot are found too. Only the
 * caller's tenant; a directory that can't answer now leaves the stored people to search.
 */
const fromDirectory = async (deps: Deps, ctx: ActorContext, queries: readonly string[], limit: number): Promise<void> => {
  if (!deps.directory) return;
  const found = await Promise.all(queries.map((q) => deps.directory!.search(ctx.tenantId, q, limit)));
  const present = found.flatMap((people) => people ?? []).map((u) => ({ ...u, tenantId: ctx.tenantId }));
  if (present.length) await applyDirectory(deps, ctx.tenantId, { present, gone: [] });
};

/**
 * Whether someone may look through the organization's directory: its members. A guest (who can't buy,
 * R1, so has no licenses to give) or someone who left gets none of it, not even through typed names.
 */
const mayBrowseDirectory = (user: DirectoryUser): boolean => !user.isGuest && user.active;

/** The most people a picker's search answers with at once. */
export const MAX_PICKER_RESULTS = 15; // what Teams shows in a typeahead's dropdown

/**
 * The people picker's typeahead (a card's Input.ChoiceSet answered by the bot's search): active people
 * of the caller's organization whose name (any word of it) or email starts with what was typed, by
 * name, one page of them. Any member of the organization may look people up (guests and people who
 * left may not); what they may do with them is checked by the action they pick them for.
 */
export const searchPeople = async (deps: Deps, ctx: ActorContext, input: { query: unknown; skip?: unknown; top?: unknown }): Promise<DirectoryUser[]> => {
  const query = typeof input.query === 'string' ? input.query.trim().slice(0, MAX_QUERY_LENGTH) : '';
  const whole = (v: unknown, fallback: number, max: number) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? Math.min(v, max) : fallback);
  const skip = whole(input.skip, 0, 100);
  const top = Math.max(1, whole(input.top, 10, MAX_PICKER_RESULTS));
  if (!query) return [];
  const actor = await deps.uow.read((repos) => loadActor(repos, ctx));
  if (!mayBrowseDirectory(actor.user)) return [];
  await fromDirectory(deps, ctx, [query], skip + top);
  return deps.uow.read(async (repos) => (await repos.users.search(ctx.tenantId, query, skip + top)).slice(skip, skip + top));
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
  const actor = await deps.uow.read((repos) => loadActor(repos, ctx));
  if (mayBrowseDirectory(actor.user)) await fromDirectory(deps, ctx, queries, CANDIDATES);
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
