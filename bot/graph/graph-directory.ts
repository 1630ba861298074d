import type { DirectoryUser } from '../../domain/model';
import type { DirectorySource } from '../../domain/ports';
import type { Logger } from '../logger';
import { GraphError, type GraphClient } from './graph-client';

/**
 * The organization's directory from Microsoft Graph (application permission User.Read.All, consented by
 * an admin of each organization): the domain's DirectorySource. Every call is made with the tenant's
 * own token, so it can only see that tenant's people, and every answer is stamped with that tenant.
 *
 *   GET /users?$search="displayName:…" OR "mail:…" OR "userPrincipalName:…"  (ConsistencyLevel: eventual)
 *   GET /users/{id}                         → 404 once the person is deleted
 *   GET /users, then /directory/deletedItems/microsoft.graph.user, each paged by @odata.nextLink
 *
 * A refusal (no consent: 403; the app unknown in that tenant: no token) or an outage is logged and
 * answered with null, and the tenant's directory left alone for a while: the callers go on with the
 * people stored.
 */
export class GraphDirectory implements DirectorySource {
  /** Per tenant: no calls before this time (after a failure; see guard). */
  private readonly pausedUntil = new Map<string, number>();

  constructor(
    private readonly graph: GraphClient,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async search(tenantId: string, query: string, limit: number): Promise<DirectoryUser[] | null> {
    // Graph's $search takes a quoted phrase; quotes and backslashes in what was typed can't be in it.
    const words = query.replace(/["\\]/g, ' ').trim();
    if (!words) return [];
    const search = ['displayName', 'mail', 'userPrincipalName'].map((p) => `"${p}:${words}"`).join(' OR ');
    const top = Math.max(1, Math.min(limit, 50));
    return this.guard(tenantId, 'search', async () => {
      const { body } = await this.graph.call<{ value?: GraphUser[] }>(
        tenantId,
        'GET',
        `/users?$search=${encodeURIComponent(search)}&$select=${SELECT}&$top=${top}&$orderby=displayName&$count=true`,
        { headers: { ConsistencyLevel: 'eventual' }, interactive: true },
      );
      // One page: the closest matches; a picker or a typed name never needs the whole tenant's.
      return usersOf(tenantId, body?.value).slice(0, top);
    });
  }

  async person(tenantId: string, userId: string): Promise<DirectoryUser | 'gone' | null> {
    return this.guard(tenantId, 'person', async () => {
      const { status, body } = await this.graph.call<GraphUser>(tenantId, 'GET', `/users/${encodeURIComponent(userId)}?$select=${SELECT}`, { accept: [404], interactive: true });
      if (status === 404) return 'gone';
      return usersOf(tenantId, body ? [body] : [])[0] ?? null;
    });
  }

  everyone(tenantId: string): AsyncIterable<{ present: DirectoryUser[]; gone: string[] }> {
    const { graph } = this;
    return {
      async *[Symbol.asyncIterator]() {
        for (let next: string | undefined = `/users?$select=${SELECT}&$top=999`; next;) {
          const { body }: { body: GraphPage<GraphUser> | null } = await graph.call<GraphPage<GraphUser>>(tenantId, 'GET', next);
          yield { present: usersOf(tenantId, body?.value), gone: [] };
          next = body?.['@odata.nextLink'];
        }
        for (let next: string | undefined = `/directory/deletedItems/microsoft.graph.user?$select=id&$top=999`; next;) {
          const { body }: { body: GraphPage<{ id: string }> | null } = await graph.call<GraphPage<{ id: string }>>(tenantId, 'GET', next);
          yield { present: [], gone: (body?.value ?? []).map((u) => u.id).filter((id) => typeof id === 'string') };
          next = body?.['@odata.nextLink'];
        }
      },
    };
  }

  /**
   * A failed call makes the tenant's next ones wait, rather than every turn paying for a refusal: 10
   * minutes after a refusal (no consent, no token), a minute after throttling or an outage. Logged once
   * per pause.
   */
  private async guard<T>(tenantId: string, what: string, call: () => Promise<T>): Promise<T | null> {
    if ((this.pausedUntil.get(tenantId) ?? 0) > this.now()) return null;
    try {
      return await call();
    } catch (err) {
      const transient = !(err instanceof GraphError) || err.transient;
      this.pausedUntil.set(tenantId, this.now() + (transient ? 60_000 : 10 * 60_000));
      const e = err instanceof GraphError ? { status: err.status, code: err.code, message: err.message } : { message: (err as Error).message };
      this.logger.warn({ tenantId, call: what, err: e }, 'Microsoft Graph directory unavailable for this organization; using the people Teams showed the bot');
      return null;
    }
  }
}

interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  userType?: string | null;
  accountEnabled?: boolean | null;
}

interface GraphPage<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

const SELECT = 'id,displayName,mail,userPrincipalName,userType,accountEnabled';

/** Graph's users as ours; an entry without an id (never seen, but not ours to trust blindly) is left out. */
const usersOf = (tenantId: string, users: readonly GraphUser[] | undefined): DirectoryUser[] =>
  (Array.isArray(users) ? users : []).filter((u) => typeof u?.id === 'string' && u.id.length > 0 && u.id.length <= 100).map((u) => toUser(tenantId, u));

const toUser = (tenantId: string, u: GraphUser): DirectoryUser => ({
  id: u.id,
  tenantId,
  displayName: (u.displayName ?? '').trim() || (u.mail ?? u.userPrincipalName ?? 'Unknown user'),
  email: u.mail ?? u.userPrincipalName ?? null,
  // R1: guests are who the directory says are guests, whatever a roster showed.
  isGuest: u.userType === 'Guest',
  // Without User.Read.All's accountEnabled (older consents), an account is taken as enabled.
  active: u.accountEnabled !== false,
});
