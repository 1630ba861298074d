import type { DirectoryUser, Tenant, TenantKind } from '../model';
import type { Deps, Repositories } from '../ports';
import { MAX_IDS_PER_QUERY } from '../ports';
import { audit } from '../shared/effects';

/**
 * Keeps our copy of the tenant and its people current, from what Teams tells the bot (installs,
 * roster, conversation updates) or from seed data. R11: a person who leaves is marked inactive; their
 * subscriptions keep running and their users keep access until someone cancels.
 */
export const upsertTenant = async (deps: Deps, input: { id: string; name: string; kind?: TenantKind; country?: string }): Promise<Tenant> =>
  deps.uow.run(async (repos) => {
    const existing = await repos.tenants.get(input.id);
    const tenant: Tenant = {
      id: input.id,
      name: input.name,
      kind: input.kind ?? existing?.kind ?? 'Commercial',
      country: (input.country ?? existing?.country ?? 'US').toUpperCase(),
      requireApproval: existing?.requireApproval ?? false,
      createdAt: existing?.createdAt ?? deps.clock.now(),
    };
    await repos.tenants.save(tenant);
    return tenant;
  });

export const upsertDirectoryUsers = async (deps: Deps, users: readonly DirectoryUser[]): Promise<void> =>
  deps.uow.run(async (repos) => {
    for (const user of users) await repos.users.upsert(user);
  });

export const markUserLeft = async (deps: Deps, tenantId: string, userId: string): Promise<void> => {
  await applyDirectory(deps, tenantId, { present: [], gone: [userId] });
};

const sameEntry = (a: DirectoryUser, b: DirectoryUser): boolean => a.displayName === b.displayName && a.email === b.email && a.isGuest === b.isGuest && a.active === b.active;

/**
 * Brings our copy of a tenant's people in line with its directory (Microsoft Graph): names, emails,
 * guest status and enabled accounts as the directory has them, people it has that we had not seen
 * added, and people it no longer has marked as having left. R11: someone who left (deleted, or their
 * account disabled) keeps their subscriptions running and their users their licenses; the audit trail
 * says why. Only people of `tenantId`; only what changed is written (nothing at all when nothing did).
 */
export const applyDirectory = async (
  deps: Deps,
  tenantId: string,
  change: { present: readonly DirectoryUser[]; gone: readonly string[] },
): Promise<{ updated: number; left: number }> => {
  const present = [...new Map(change.present.filter((u) => u.tenantId === tenantId).map((u) => [u.id, u])).values()];
  const ids = [...new Set([...present.map((u) => u.id), ...change.gone])];
  if (ids.length === 0) return { updated: 0, left: 0 };
  const storedOf = async (repos: Repositories) => {
    const stored = new Map<string, DirectoryUser>();
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_QUERY) for (const u of await repos.users.getMany(tenantId, ids.slice(i, i + MAX_IDS_PER_QUERY))) stored.set(u.id, u);
    return stored;
  };
  const changesIn = (stored: Map<string, DirectoryUser>) => {
    const writes: Array<{ user: DirectoryUser; left: boolean }> = [];
    for (const u of present) {
      const before = stored.get(u.id);
      if (!before || !sameEntry(before, u)) writes.push({ user: u, left: Boolean(before?.active) && !u.active });
    }
    for (const id of change.gone) {
      const before = stored.get(id);
      if (before?.active && !present.some((u) => u.id === id)) writes.push({ user: { ...before, active: false }, left: true });
    }
    return writes;
  };
  // Read first: most refreshes change nothing, and then take no write transaction at all.
  if (changesIn(await deps.uow.read(storedOf)).length === 0) return { updated: 0, left: 0 };
  return deps.uow.run(async (repos) => {
    const writes = changesIn(await storedOf(repos));
    for (const { user, left } of writes) {
      await repos.users.upsert(user);
      // R11: their subscriptions are deliberately left running; the trail says why they still renew.
      if (left) {
        await audit(
          repos,
          deps,
          { tenantId, actorId: 'system', surface: 'system' },
          'user.left',
          { type: 'user', id: user.id },
          `${user.displayName} left the organization; their subscriptions keep running`,
        );
      }
    }
    return { updated: writes.length, left: writes.filter((w) => w.left).length };
  });
};

/**
 * One person brought up to date from the directory (see applyDirectory): false when the directory
 * can't be asked now, and what is stored stands.
 */
export const refreshFromDirectory = async (deps: Deps, tenantId: string, userId: string): Promise<boolean> => {
  const now = await deps.directory?.person(tenantId, userId);
  if (!now) return false;
  await applyDirectory(deps, tenantId, now === 'gone' ? { present: [], gone: [userId] } : { present: [{ ...now, tenantId }], gone: [] });
  return true;
};

/**
 * A whole tenant brought up to date from the directory, a page at a time; null when it can't be read
 * now. Read to its end, it also marks as having left whom we have as active and the directory no
 * longer lists at all (deleted for good, past its recycle bin), compared a page of ids at a time.
 */
/** Stored people compared with a whole listing per read (ids only). */
const LEFT_CHECK_PAGE = 1_000;

export const syncDirectory = async (
  deps: Deps,
  tenantId: string,
  opts: { /** Checked before each page: false stops the sync there (a shutdown). */ goOn?: () => boolean } = {},
): Promise<{ seen: number; updated: number; left: number } | null> => {
  const pages = deps.directory?.everyone(tenantId);
  if (!pages) return null;
  const total = { seen: 0, updated: 0, left: 0 };
  const listed = new Set<string>();
  const add = (r: { updated: number; left: number }) => {
    total.updated += r.updated;
    total.left += r.left;
  };
  for await (const page of pages) {
    if (opts.goOn && !opts.goOn()) return total;
    add(await applyDirectory(deps, tenantId, page));
    total.seen += page.present.length;
    for (const u of page.present) listed.add(u.id);
    for (const id of page.gone) listed.add(id);
  }
  // Read to the end: whom we have as active and no page named was deleted for good (R11). An empty
  // listing is taken as a directory that could not say, not as everyone gone.
  if (total.seen === 0) return total;
  for (let after = ''; ;) {
    const ids = await deps.uow.read((repos) => repos.users.activeIdsAfter(tenantId, after, LEFT_CHECK_PAGE));
    const unlisted = ids.filter((id) => !listed.has(id));
    if (unlisted.length) add(await applyDirectory(deps, tenantId, { present: [], gone: unlisted }));
    if (ids.length < LEFT_CHECK_PAGE || (opts.goOn && !opts.goOn())) break;
    after = ids[ids.length - 1];
  }
  return total;
};

/** Whether the tenant and the person are both in our directory already. */
export const isInDirectory = async (deps: Deps, tenantId: string, userId: string): Promise<boolean> => {
  const stored = await deps.uow.read((repos) => repos.actors.load(tenantId, userId));
  return Boolean(stored.tenant && stored.user);
};

/**
 * Records someone Teams told us about for the first time: the tenant (with defaults) when it is new,
 * and the person when they are new. People and tenants already stored are left exactly as stored.
 */
export const recordNewcomer = async (deps: Deps, input: { tenantId: string; userId: string; displayName: string; email: string | null; isGuest: boolean }): Promise<void> =>
  deps.uow.run(async (repos) => {
    const stored = await repos.actors.load(input.tenantId, input.userId);
    if (!stored.tenant) {
      await repos.tenants.save({ id: input.tenantId, name: 'Organization', kind: 'Commercial', country: 'US', requireApproval: false, createdAt: deps.clock.now() });
    }
    if (!stored.user) {
      await repos.users.upsert({ id: input.userId, tenantId: input.tenantId, displayName: input.displayName, email: input.email, isGuest: input.isGuest, active: true });
    }
  });
