import type { DirectoryUser, Role } from '../../domain/model';
import type { ActorContext, Deps, UnitOfWork } from '../../domain/ports';
import { DomainError, type ErrorCode } from '../../domain/shared/errors';
import { SandboxPaymentProvider } from '../../payments/sandbox-payment-provider';
import { MemoryUnitOfWork } from './in-memory';

/** A storage backend the same scenarios run against: in-memory ports, or a real database. */
export interface Backend {
  name: string;
  uow: UnitOfWork;
  /** Every stored row of a tenant, serialized: equal before and after means "changed nothing". */
  snapshot(tenantId: string): Promise<string>;
  close(): Promise<void>;
}

export const memoryBackend = async (): Promise<Backend> => {
  const uow = new MemoryUnitOfWork();
  return {
    name: 'memory',
    uow,
    snapshot: async (tenantId) =>
      JSON.stringify(Object.fromEntries(Object.entries(uow.state).map(([k, rows]) => [k, (rows as Array<{ tenantId?: string }>).filter((r) => r.tenantId === tenantId)]))),
    close: async () => undefined,
  };
};

export class TestClock {
  constructor(public t = new Date('2026-01-15T09:00:00Z')) {}
  now = (): Date => new Date(this.t.getTime());
  advanceDays(days: number): void {
    this.t = new Date(this.t.getTime() + days * 86_400_000);
  }
}

let worldSeq = 0;

export interface World {
  deps: Deps;
  payments: SandboxPaymentProvider;
  clock: TestClock;
  backend: Backend;
  tenantId: string;
  otherTenantId: string;
  u: Record<'admin' | 'billing' | 'reader' | 'partner' | 'alice' | 'bob' | 'carol' | 'guest' | 'leaver' | 'eve', string>;
  colleagues: string[];
  as(userId: string, tenantId?: string): ActorContext;
  card(number?: string): string;
  snapshot(): Promise<string>;
}

/** A fresh tenant (unique ids, so many worlds can share one database) with the usual cast. */
export const makeWorld = async (
  backend: Backend,
  opts: { requireApproval?: boolean; kind?: 'Commercial' | 'Government' | 'Nonprofit' | 'Education'; country?: string } = {},
): Promise<World> => {
  const w = ++worldSeq;
  const clock = new TestClock();
  const payments = new SandboxPaymentProvider('test-secret-0123456789', clock.now);
  let seq = 0;
  const deps: Deps = {
    uow: backend.uow,
    payments,
    clock,
    ids: { next: () => `w${String(w).padStart(3, '0')}-${String(++seq).padStart(7, '0')}` },
    settings: { enabledMarkets: ['US', 'GB', 'CA', 'DE', 'FR', 'AU'], reminderDays: 7 },
  };
  const tenantId = `tenant-${w}-contoso`;
  const otherTenantId = `tenant-${w}-fabrikam`;
  const u = {
    admin: `${w}-admin`,
    billing: `${w}-billing`,
    reader: `${w}-reader`,
    partner: `${w}-partner`,
    alice: `${w}-alice`,
    bob: `${w}-bob`,
    carol: `${w}-carol`,
    guest: `${w}-guest`,
    leaver: `${w}-leaver`,
    eve: `${w}-eve`,
  };
  const colleagues = Array.from({ length: 30 }, (_, i) => `${w}-colleague-${String(i).padStart(2, '0')}`);
  const person = (tenant: string, id: string, extra: Partial<DirectoryUser> = {}): DirectoryUser => ({
    id,
    tenantId: tenant,
    displayName: id.replace(/^\d+-/, '').replace(/^./, (c) => c.toUpperCase()),
    email: `${id}@example.com`,
    isGuest: false,
    active: true,
    ...extra,
  });
  const roles: Array<[string, Role]> = [
    [u.admin, 'GlobalAdmin'],
    [u.billing, 'BillingAdmin'],
    [u.reader, 'GlobalReader'],
    [u.partner, 'DelegatedAdmin'],
  ];
  await backend.uow.run(async (repos) => {
    const now = clock.now();
    await repos.tenants.save({
      id: tenantId,
      name: 'Contoso',
      kind: opts.kind ?? 'Commercial',
      country: opts.country ?? 'US',
      requireApproval: opts.requireApproval ?? false,
      createdAt: now,
    });
    await repos.tenants.save({ id: otherTenantId, name: 'Fabrikam', kind: 'Commercial', country: 'US', requireApproval: false, createdAt: now });
    for (const id of [u.admin, u.billing, u.reader, u.partner, u.alice, u.bob, u.carol, u.leaver, ...colleagues]) await repos.users.upsert(person(tenantId, id));
    await repos.users.upsert(person(tenantId, u.guest, { isGuest: true }));
    await repos.users.upsert(person(otherTenantId, u.eve));
    await repos.users.upsert(person(otherTenantId, `${w}-fabrikam-admin`));
    for (const [userId, role] of roles) await repos.roles.add({ tenantId, userId, role, grantedBy: null, grantedAt: now });
    await repos.roles.add({ tenantId: otherTenantId, userId: `${w}-fabrikam-admin`, role: 'GlobalAdmin', grantedBy: null, grantedAt: now });
  });
  return {
    deps,
    payments,
    clock,
    backend,
    tenantId,
    otherTenantId,
    u,
    colleagues,
    as: (userId, tenant = tenantId) => ({ tenantId: tenant, actorId: userId, surface: 'chat' }),
    card: (number = '4242424242424242') => payments.tokenize({ number, expMonth: 12, expYear: 2030, cvc: '123', name: 'Test' }).token,
    snapshot: () => backend.snapshot(tenantId),
  };
};

/** Expects a typed refusal with this exact code. */
export const expectCode = async (p: Promise<unknown>, code: ErrorCode): Promise<DomainError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) {
      expect(e.code).toBe(code);
      return e;
    }
    throw e;
  }
  throw new Error(`expected ${code}, but it succeeded`);
};

/** Expects the refusal and that nothing of the tenant's stored state changed. */
export const expectRefusedUnchanged = async (w: World, run: () => Promise<unknown>, code: ErrorCode): Promise<DomainError> => {
  const before = await w.snapshot();
  const error = await expectCode(run(), code);
  expect(await w.snapshot()).toBe(before);
  return error;
};
