import type {
  AuditEntry,
  ChargeIntent,
  DirectoryUser,
  IdempotencyRecord,
  Invoice,
  LicenseAssignment,
  NotificationIntent,
  OrderEntry,
  PolicySetting,
  Product,
  PurchaseRequest,
  RoleAssignment,
  Subscription,
  Tenant,
} from '../../domain/model';
import type { ExportRow, Repositories, SpendTotalRow, SubscriptionFilter, UnitOfWork } from '../../domain/ports';
import { searchKey, searchTermsOf } from '../../domain/directory/find-people';
import { byMoveFit } from '../../domain/takeover/purchase-abilities';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { CATALOG, canonicalProductId } from '../../domain/catalog/catalog-data';

/** The whole store as plain data, so a transaction can snapshot it and roll back by restoring. */
export interface MemoryState {
  tenants: Tenant[];
  users: DirectoryUser[];
  roles: RoleAssignment[];
  policies: PolicySetting[];
  subscriptions: Subscription[];
  assignments: LicenseAssignment[];
  orders: OrderEntry[];
  invoices: Invoice[];
  requests: PurchaseRequest[];
  outbox: NotificationIntent[];
  audit: AuditEntry[];
  idempotency: IdempotencyRecord[];
  charges: ChargeIntent[];
}

export const emptyState = (): MemoryState => ({
  tenants: [],
  users: [],
  roles: [],
  policies: [],
  subscriptions: [],
  assignments: [],
  orders: [],
  invoices: [],
  requests: [],
  outbox: [],
  audit: [],
  idempotency: [],
  charges: [],
});

const conflict = (what: string) => new DomainError(ErrorCodes.CONCURRENCY_CONFLICT, `${what} changed meanwhile`);
const page = <T>(all: T[], p: number, size: number) => ({ items: all.slice((p - 1) * size, p * size), total: all.length, page: p, pageSize: size });
const byCreatedDesc = (a: { createdAt: Date; id: string }, b: { createdAt: Date; id: string }) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);

const matching = (st: MemoryState, tenantId: string, f: SubscriptionFilter): Subscription[] =>
  st.subscriptions
    .filter(
      (s) =>
        s.tenantId === tenantId &&
        (!f.origin || s.origin === f.origin) &&
        (!f.productId || s.productId === f.productId) &&
        (!f.purchaserId || s.purchaserId === f.purchaserId) &&
        (!f.status || s.status === f.status),
    )
    .sort(byCreatedDesc);
const assignedOn = (st: MemoryState, s: Subscription): number => st.assignments.filter((a) => a.tenantId === s.tenantId && a.subscriptionId === s.id).length;
const liveOf = (st: MemoryState, tenantId: string, productId: string, origin?: string) =>
  st.subscriptions.filter((s) => s.tenantId === tenantId && s.productId === productId && (s.status === 'Active' || s.status === 'Trial') && (!origin || s.origin === origin));

export const memoryRepositories = (st: MemoryState, products: readonly Product[] = CATALOG): Repositories => ({
  actors: {
    load: async (tenantId, userId) => ({
      tenant: st.tenants.find((t) => t.id === tenantId) ?? null,
      user: st.users.find((u) => u.tenantId === tenantId && u.id === userId) ?? null,
      roles: st.roles.filter((r) => r.tenantId === tenantId && r.userId === userId).map((r) => r.role),
    }),
  },
  tenants: {
    get: async (id) => st.tenants.find((t) => t.id === id) ?? null,
    save: async (t) => {
      st.tenants = [...st.tenants.filter((x) => x.id !== t.id), { ...t }];
    },
  },
  users: {
    get: async (tenantId, id) => st.users.find((u) => u.tenantId === tenantId && u.id === id) ?? null,
    getMany: async (tenantId, ids) => st.users.filter((u) => u.tenantId === tenantId && ids.includes(u.id)),
    activeIdsAfter: async (tenantId, after, limit) =>
      st.users
        .filter((u) => u.tenantId === tenantId && u.active && u.id > after)
        .map((u) => u.id)
        .sort()
        .slice(0, limit),
    upsert: async (u) => {
      st.users = [...st.users.filter((x) => !(x.tenantId === u.tenantId && x.id === u.id)), { ...u }];
    },
    // As the SQL one: the first `limit` people in the order of the term that finds them, then by name.
    search: async (tenantId, query, limit) => {
      const q = searchKey(query);
      if (q === '') return [];
      const firstTerm = (u: DirectoryUser) =>
        searchTermsOf(u)
          .filter((t) => t.startsWith(q))
          .sort()[0];
      return st.users
        .filter((u) => u.tenantId === tenantId && u.active && firstTerm(u) !== undefined)
        .map((u) => ({ u, term: firstTerm(u) }))
        .sort((a, b) => (a.term < b.term ? -1 : a.term > b.term ? 1 : a.u.id < b.u.id ? -1 : 1))
        .slice(0, limit)
        .map((x) => x.u)
        .sort((a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : a.id < b.id ? -1 : 1));
    },
  },
  roles: {
    listForUser: async (tenantId, userId) => st.roles.filter((r) => r.tenantId === tenantId && r.userId === userId).map((r) => r.role),
    list: async (tenantId) => st.roles.filter((r) => r.tenantId === tenantId),
    add: async (r) => {
      st.roles.push({ ...r });
    },
    remove: async (tenantId, userId, role) => {
      st.roles = st.roles.filter((r) => !(r.tenantId === tenantId && r.userId === userId && r.role === role));
    },
    count: async (tenantId, role) => st.roles.filter((r) => r.tenantId === tenantId && r.role === role).length,
  },
  products: {
    list: async () => [...products],
    get: async (id) => products.find((p) => p.id === canonicalProductId(products, id)) ?? null,
  },
  policies: {
    list: async (tenantId) => st.policies.filter((p) => p.tenantId === tenantId),
    get: async (tenantId, productId) => st.policies.find((p) => p.tenantId === tenantId && p.productId === productId) ?? null,
    set: async (s) => {
      st.policies = [...st.policies.filter((p) => !(p.tenantId === s.tenantId && p.productId === s.productId)), { ...s }];
    },
  },
  subscriptions: {
    get: async (tenantId, id) => st.subscriptions.find((s) => s.tenantId === tenantId && s.id === id) ?? null,
    getWithAssigned: async (tenantId, id) => {
      const subscription = st.subscriptions.find((s) => s.tenantId === tenantId && s.id === id);
      return subscription ? { subscription, assigned: assignedOn(st, subscription) } : null;
    },
    getMany: async (tenantId, ids) => st.subscriptions.filter((s) => s.tenantId === tenantId && ids.includes(s.id)),
    create: async (s) => {
      st.subscriptions.push({ ...s });
    },
    update: async (s) => {
      const i = st.subscriptions.findIndex((x) => x.tenantId === s.tenantId && x.id === s.id);
      if (i < 0 || st.subscriptions[i].version !== s.version) throw conflict('subscription');
      const next = { ...s, version: s.version + 1 };
      st.subscriptions[i] = next;
      return { ...next };
    },
    listByPurchaser: async (tenantId, purchaserId) => st.subscriptions.filter((s) => s.tenantId === tenantId && s.purchaserId === purchaserId).sort(byCreatedDesc),
    purchasedBy: async (tenantId, purchaserId) =>
      st.subscriptions
        .filter((s) => s.tenantId === tenantId && s.purchaserId === purchaserId)
        .sort(byCreatedDesc)
        .map((s) => ({
          subscription: { ...s },
          assigned: assignedOn(st, s),
          unpaid: st.invoices.filter((i) => i.tenantId === tenantId && i.subscriptionId === s.id && i.status === 'Unpaid').length,
        })),
    searchPurchases: async (tenantId, f, p, size) => {
      const found = page(matching(st, tenantId, f), p, size);
      return {
        ...found,
        items: found.items.map((s) => ({
          subscription: s,
          assigned: assignedOn(st, s),
          purchaserName: st.users.find((u) => u.tenantId === tenantId && u.id === s.purchaserId)?.displayName ?? null,
        })),
      };
    },
    search: async (tenantId, f, p, size) => page(matching(st, tenantId, f), p, size),
    centralTargets: async (tenantId, productId, sourceId, limit) => {
      const holders = new Set(st.assignments.filter((a) => a.tenantId === tenantId && a.subscriptionId === sourceId).map((a) => a.userId));
      const rows = liveOf(st, tenantId, productId, 'Central')
        .filter((s) => s.id !== sourceId)
        .map((s) => {
          const assigned = assignedOn(st, s);
          const overlap = st.assignments.filter((a) => a.tenantId === tenantId && a.subscriptionId === s.id && holders.has(a.userId)).length;
          return { row: { subscription: { ...s }, assigned, overlap }, fit: { subscription: s, available: s.quantity - assigned, needed: holders.size - overlap } };
        })
        .sort((a, b) => byMoveFit(a.fit, b.fit));
      return { targets: rows.slice(0, limit).map((r) => r.row), total: rows.length };
    },
    productTotals: async (tenantId, productId, origin) => {
      const subs = liveOf(st, tenantId, productId, origin);
      return {
        subscriptions: subs.length,
        totalQuantity: subs.reduce((n, s) => n + s.quantity, 0),
        assigned: st.assignments.filter((a) => subs.some((s) => s.id === a.subscriptionId)).length,
      };
    },
    licenseGroups: async (tenantId, productId, origin, p, size, perGroup) => {
      const subs = liveOf(st, tenantId, productId, origin).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
      const assignedOf = (id: string) => st.assignments.filter((a) => a.tenantId === tenantId && a.subscriptionId === id).sort((a, b) => (a.id < b.id ? -1 : 1));
      const purchasers = page([...new Set(subs.map((s) => s.purchaserId))].sort(), p, size);
      return {
        ...purchasers,
        items: purchasers.items.map((purchaserId) => {
          const own = subs.filter((s) => s.purchaserId === purchaserId);
          const users = own.flatMap((s) => assignedOf(s.id));
          return {
            purchaserId,
            purchaserName: st.users.find((x) => x.tenantId === tenantId && x.id === purchaserId)?.displayName ?? null,
            subscriptionCount: own.length,
            userCount: users.length,
            subscriptions: own
              .slice(0, perGroup.subscriptions)
              .map((s) => ({ id: s.id, quantity: s.quantity, origin: s.origin, expiresAt: s.expiresAt, assigned: assignedOf(s.id).length })),
            users: users.slice(0, perGroup.users).map((a) => {
              const u = st.users.find((x) => x.tenantId === tenantId && x.id === a.userId);
              return { userId: a.userId, subscriptionId: a.subscriptionId, displayName: u?.displayName ?? null, email: u?.email ?? null };
            }),
          };
        }),
      };
    },
    countExisting: async (tenantId, ids) => new Set(ids).size - [...new Set(ids)].filter((id) => !st.subscriptions.some((s) => s.tenantId === tenantId && s.id === id)).length,
    listLiveIds: async (tenantId, productId) =>
      liveOf(st, tenantId, productId)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
        .map((s) => s.id),
    hasTrial: async (tenantId, purchaserId, productId) =>
      st.subscriptions.some(
        (s) =>
          s.tenantId === tenantId &&
          s.purchaserId === purchaserId &&
          s.productId === productId &&
          (s.isTrial || st.orders.some((o) => o.subscriptionId === s.id && o.kind === 'TrialStarted')),
      ),
    listExpiringBefore: async (before, limit, tenantId) =>
      st.subscriptions
        .filter((s) => (!tenantId || s.tenantId === tenantId) && (s.status === 'Active' || s.status === 'Trial') && s.expiresAt < before)
        .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
        .slice(0, limit),
  },
  assignments: {
    listBySubscription: async (tenantId, subscriptionId, limit) =>
      st.assignments
        .filter((a) => a.tenantId === tenantId && a.subscriptionId === subscriptionId)
        .sort((a, b) => a.assignedAt.getTime() - b.assignedAt.getTime() || (a.id < b.id ? -1 : 1))
        .slice(0, limit ?? Number.MAX_SAFE_INTEGER),
    listBySubscriptions: async (tenantId, ids) => st.assignments.filter((a) => a.tenantId === tenantId && ids.includes(a.subscriptionId)),
    holdersAmong: async (tenantId, subscriptionId, userIds) =>
      st.assignments.filter((a) => a.tenantId === tenantId && a.subscriptionId === subscriptionId && userIds.includes(a.userId)).map((a) => a.userId),
    heldBy: async (tenantId, userId, limit) =>
      st.assignments
        .filter((a) => a.tenantId === tenantId && a.userId === userId)
        .sort((a, b) => b.assignedAt.getTime() - a.assignedAt.getTime() || (a.id < b.id ? 1 : -1))
        .slice(0, limit)
        .map((a) => ({ ...a })),
    countBySubscriptions: async (tenantId, ids) => {
      const m = new Map<string, number>();
      for (const a of st.assignments) if (a.tenantId === tenantId && ids.includes(a.subscriptionId)) m.set(a.subscriptionId, (m.get(a.subscriptionId) ?? 0) + 1);
      return m;
    },
    add: async (rows) => {
      for (const r of rows) if (st.assignments.some((a) => a.subscriptionId === r.subscriptionId && a.userId === r.userId)) throw conflict('assignment');
      st.assignments.push(...rows.map((r) => ({ ...r })));
    },
    remove: async (tenantId, subscriptionId, userIds) => {
      st.assignments = st.assignments.filter((a) => !(a.tenantId === tenantId && a.subscriptionId === subscriptionId && userIds.includes(a.userId)));
    },
    exportPage: async (tenantId, ids, from, limit, maxSubscriptions) => {
      const rows: ExportRow[] = [];
      let { index, afterId } = from;
      for (let visited = 0; index < ids.length && rows.length < limit && visited < maxSubscriptions; visited++) {
        const rest = st.assignments
          .filter((a) => a.tenantId === tenantId && a.subscriptionId === ids[index] && (afterId === null || a.id > afterId))
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        const want = limit - rows.length;
        for (const a of rest.slice(0, want)) {
          const u = st.users.find((x) => x.tenantId === tenantId && x.id === a.userId);
          rows.push({ id: a.id, subscriptionId: a.subscriptionId, userId: a.userId, assignedAt: a.assignedAt, displayName: u?.displayName ?? null, email: u?.email ?? null });
        }
        if (rest.length >= want) return { rows, next: { index, afterId: rows[rows.length - 1].id } };
        index++;
        afterId = null;
      }
      return { rows, next: index < ids.length ? { index, afterId } : null };
    },
    pageBySubscriptions: async (tenantId, ids, afterId, limit) =>
      st.assignments
        .filter((a) => a.tenantId === tenantId && ids.includes(a.subscriptionId) && (afterId === null || a.id > afterId))
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, limit),
  },
  orders: {
    add: async (o) => {
      st.orders.push({ ...o });
    },
    listBySubscription: async (tenantId, subscriptionId) => st.orders.filter((o) => o.tenantId === tenantId && o.subscriptionId === subscriptionId),
  },
  invoices: {
    add: async (i) => {
      st.invoices.push({ ...i });
    },
    get: async (tenantId, id) => st.invoices.find((i) => i.tenantId === tenantId && i.id === id) ?? null,
    update: async (i) => {
      st.invoices = st.invoices.map((x) => (x.tenantId === i.tenantId && x.id === i.id ? { ...i } : x));
    },
    listByPurchaser: async (tenantId, purchaserId) =>
      st.invoices.filter((i) => i.tenantId === tenantId && i.purchaserId === purchaserId).sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime()),
    listBySubscription: async (tenantId, subscriptionId) =>
      st.invoices
        .filter((i) => i.tenantId === tenantId && i.subscriptionId === subscriptionId)
        .sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime() || (a.id < b.id ? 1 : -1)),
  },
  requests: {
    add: async (r) => {
      st.requests.push({ ...r });
    },
    get: async (tenantId, id) => st.requests.find((r) => r.tenantId === tenantId && r.id === id) ?? null,
    decide: async (r) => {
      const i = st.requests.findIndex((x) => x.tenantId === r.tenantId && x.id === r.id);
      if (i < 0 || st.requests[i].status !== 'Pending') throw conflict('request');
      st.requests[i] = { ...r };
    },
    listPending: async (tenantId) => st.requests.filter((r) => r.tenantId === tenantId && r.status === 'Pending'),
  },
  outbox: {
    add: async (rows) => {
      st.outbox.push(...rows.map((r) => ({ ...r })));
    },
  },
  audit: {
    add: async (e) => {
      st.audit.push({ ...e });
    },
    list: async (tenantId, p, size) =>
      page(
        st.audit.filter((e) => e.tenantId === tenantId).sort((a, b) => b.at.getTime() - a.at.getTime()),
        p,
        size,
      ),
    latestFor: async (tenantId, target, actions) =>
      st.audit
        .filter((e) => e.tenantId === tenantId && e.targetType === target.type && e.targetId === target.id && actions.includes(e.action))
        .sort((a, b) => b.at.getTime() - a.at.getTime())[0] ?? null,
  },
  idempotency: {
    get: async (tenantId, key) => st.idempotency.find((r) => r.tenantId === tenantId && r.key === key) ?? null,
    add: async (r) => {
      if (st.idempotency.some((x) => x.tenantId === r.tenantId && x.key === r.key)) throw conflict('idempotency key');
      st.idempotency.push({ ...r });
    },
    claim: async (r) => {
      if (st.idempotency.some((x) => x.tenantId === r.tenantId && x.key === r.key)) return false;
      st.idempotency.push({ ...r });
      return true;
    },
  },
  charges: {
    get: async (tenantId, key) => {
      const hit = st.charges.find((c) => c.tenantId === tenantId && c.key === key);
      return hit ? { ...hit } : null;
    },
    addOrGet: async (c) => {
      const hit = st.charges.find((x) => x.tenantId === c.tenantId && x.key === c.key);
      if (hit) return { ...hit };
      st.charges.push({ ...c });
      return { ...c };
    },
    settle: async (c) => {
      const i = st.charges.findIndex((x) => x.tenantId === c.tenantId && x.key === c.key && x.status === 'Pending');
      if (i < 0) return false;
      st.charges[i] = { ...c };
      return true;
    },
    removePending: async (tenantId, key) => {
      st.charges = st.charges.filter((x) => !(x.tenantId === tenantId && x.key === key && x.status === 'Pending'));
    },
    listPending: async (before, limit) =>
      st.charges
        .filter((c) => c.status === 'Pending' && c.createdAt < before)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .slice(0, limit)
        .map((c) => ({ ...c })),
  },
  reports: {
    spendTotals: async (tenantId, from, to) => {
      const groups = new Map<string, SpendTotalRow>();
      for (const i of st.invoices) {
        if (i.tenantId !== tenantId || i.issuedAt < from || i.issuedAt > to) continue;
        const productId = st.subscriptions.find((s) => s.tenantId === tenantId && s.id === i.subscriptionId)?.productId;
        if (!productId) continue; // the database's join drops an invoice without its subscription too
        const key = [productId, i.purchaserId, i.amount.currency, i.status].join('|');
        const g = groups.get(key) ?? { productId, purchaserId: i.purchaserId, currency: i.amount.currency, status: i.status, amountMinor: 0, invoices: 0 };
        g.amountMinor += i.amount.amountMinor;
        g.invoices += 1;
        groups.set(key, g);
      }
      return [...groups.values()];
    },
    purchaserIds: async (tenantId) => [...new Set(st.subscriptions.filter((s) => s.tenantId === tenantId).map((s) => s.purchaserId))].sort(),
  },
});

/**
 * Transactions for the in-memory store: one at a time (like SQLite), rolled back by restoring a
 * snapshot when the work throws, retried on CONCURRENCY.CONFLICT like the Prisma unit of work.
 */
export class MemoryUnitOfWork implements UnitOfWork {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(readonly state: MemoryState = emptyState()) {}

  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      for (let attempt = 1; ; attempt++) {
        const snapshot = structuredClone(this.state);
        try {
          return await work(memoryRepositories(this.state));
        } catch (e) {
          Object.assign(this.state, snapshot);
          if (!(e instanceof DomainError && e.code === ErrorCodes.CONCURRENCY_CONFLICT) || attempt >= 5) throw e;
        }
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  read<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return work(memoryRepositories(structuredClone(this.state)));
  }
}
