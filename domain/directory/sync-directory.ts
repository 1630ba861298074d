import type { DirectoryUser, Tenant, TenantKind } from '../model';
import type { Deps } from '../ports';
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

export const markUserLeft = async (deps: Deps, tenantId: string, userId: string): Promise<void> =>
  deps.uow.run(async (repos) => {
    const user = await repos.users.get(tenantId, userId);
    if (!user || !user.active) return;
    await repos.users.upsert({ ...user, active: false });
    // R11: their subscriptions are deliberately left running; the trail says why they still renew.
    await audit(
      repos,
      deps,
      { tenantId, actorId: 'system', surface: 'system' },
      'user.left',
      { type: 'user', id: userId },
      `${user.displayName} left the organization; their subscriptions keep running`,
    );
  });

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
