import http from 'node:http';

/** A person as Graph's /users has them. */
export interface GraphUserRecord {
  id: string;
  displayName: string;
  mail?: string | null;
  userPrincipalName?: string;
  userType?: 'Member' | 'Guest';
  accountEnabled?: boolean;
}

interface StandInTenant {
  users: Map<string, GraphUserRecord>;
  /** Deleted users (the directory's recycle bin: /directory/deletedItems/microsoft.graph.user). */
  deleted: Map<string, GraphUserRecord>;
  installed: Set<string>;
  catalog: boolean;
  consent: boolean;
  /** User.Read.All consented (default: as `consent`). */
  directory: boolean;
}

/**
 * A loopback stand-in for Microsoft Graph and the Entra token endpoint, answering as they do for the
 * calls the bot makes: client-credentials tokens per tenant (a token works only for the tenant it was
 * issued for), the org app catalog, a user's installed apps (201 installed, 409 already installed, 404
 * unknown user, 403 without the admin's consent) and the installation's chat; 429 with Retry-After
 * when told to throttle; /users as Graph pages it (@odata.nextLink with a $skiptoken, `pageSize` at a
 * time unless $top asks for fewer), its $search (which Graph refuses without ConsistencyLevel:
 * eventual), one user (404 once deleted) and the deleted users. Records every request.
 */
export class GraphStandIn {
  readonly requests: Array<{ method: string; path: string; tenantId: string | null; headers?: http.IncomingHttpHeaders }> = [];
  /** Per tenant: the people in its directory, and who has the app installed (by user id). */
  readonly tenants = new Map<string, StandInTenant>();
  /** The most users Graph puts in one page of /users (it is 100 by default, 999 at most). */
  pageSize = 100;
  /** The next this many Graph requests are answered 429 with Retry-After: 1. */
  throttleNext = 0;
  clientId = '99999999-8888-7777-6666-555555555555';
  clientSecret = 'graph-client-secret';
  readonly manifestAppId = '11111111-2222-3333-4444-555555555555';
  readonly catalogAppId = 'catalog-app-1';
  private readonly tokens = new Map<string, string>();
  private seq = 0;
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  get graphUrl(): string {
    return `${this.url}/v1.0`;
  }

  /** The bot's settings that point its Microsoft Graph calls (token, directory, installs) at this stand-in. */
  get botEnv(): Record<string, string> {
    return {
      TEAMS_APP_ID: this.manifestAppId,
      GRAPH_CLIENT_ID: this.clientId,
      GRAPH_CLIENT_SECRET: this.clientSecret,
      GRAPH_URL: this.graphUrl,
      GRAPH_AUTHORITY_URL: this.url,
    };
  }

  /** A tenant that consented to the app's Graph permissions and has the app in its catalog. */
  tenant(id: string, users: ReadonlyArray<string | GraphUserRecord>, opts: { catalog?: boolean; consent?: boolean; directory?: boolean } = {}) {
    const records = users.map((u) => (typeof u === 'string' ? { id: u, displayName: u } : u));
    const t: StandInTenant = {
      users: new Map(records.map((u) => [u.id, u])),
      deleted: new Map(),
      installed: new Set<string>(),
      catalog: opts.catalog ?? true,
      consent: opts.consent ?? true,
      directory: opts.directory ?? opts.consent ?? true,
    };
    this.tenants.set(id, t);
    return t;
  }

  /** The person deleted from the tenant's directory (into its deleted items, as Entra does first). */
  deleteUser(tenantId: string, userId: string): void {
    const t = this.tenants.get(tenantId)!;
    const u = t.users.get(userId);
    if (!u) return;
    t.users.delete(userId);
    t.deleted.set(userId, u);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const send = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(json === undefined ? '' : JSON.stringify(json));
      };
      const error = (status: number, code: string, message: string) => send(status, { error: { code, message } });
      const url = new URL(req.url ?? '/', this.url);
      const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
      if (req.method === 'POST' && token) {
        const form = new URLSearchParams(body);
        const tenantId = decodeURIComponent(token[1]);
        this.requests.push({ method: 'POST', path: url.pathname, tenantId });
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
          return send(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        }
        if (!this.tenants.has(tenantId)) return send(400, { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${tenantId}' not found.` });
        const access = `token-${++this.seq}`;
        this.tokens.set(access, tenantId);
        return send(200, { token_type: 'Bearer', expires_in: 3599, access_token: access });
      }
      const tenantId = this.tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, '')) ?? null;
      this.requests.push({ method: req.method ?? '', path: `${url.pathname}${url.search}`, tenantId, headers: req.headers });
      if (!url.pathname.startsWith('/v1.0/')) return error(404, 'NotFound', 'no such resource');
      if (!tenantId) return error(401, 'InvalidAuthenticationToken', 'Access token is empty or not valid.');
      if (this.throttleNext > 0) {
        this.throttleNext--;
        return send(429, { error: { code: 'TooManyRequests', message: 'Too many requests' } }, { 'retry-after': '1' });
      }
      const t = this.tenants.get(tenantId)!;
      const path = url.pathname.slice('/v1.0'.length);
      if (req.method === 'GET' && path === '/appCatalogs/teamsApps') {
        if (!t.consent) return error(403, 'Forbidden', "Missing role permissions on the request. API requires one of 'AppCatalog.Read.All'.");
        const wanted = /^externalId eq '(.*)'$/.exec(url.searchParams.get('$filter') ?? '')?.[1];
        return send(200, { value: t.catalog && wanted === this.manifestAppId ? [{ id: this.catalogAppId, externalId: wanted, distributionMethod: 'organization' }] : [] });
      }
      const noDirectory = () => error(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      if (req.method === 'GET' && (path === '/users' || path === '/directory/deletedItems/microsoft.graph.user')) {
        if (!t.directory) return noDirectory();
        const search = url.searchParams.get('$search');
        if (search !== null && req.headers.consistencylevel !== 'eventual') {
          return error(
            400,
            'Request_UnsupportedQuery',
            "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
          );
        }
        let people = [...(path === '/users' ? t.users : t.deleted).values()];
        if (search !== null) {
          // "displayName:meg" OR "mail:meg": a property's words starting with what follows the colon.
          const terms = [...search.matchAll(/"(\w+):([^"]*)"/g)].map((m) => ({ property: m[1] as keyof GraphUserRecord, words: m[2].toLowerCase() }));
          people = people.filter((u) =>
            terms.some(({ property, words }) => {
              const value = String(u[property] ?? '').toLowerCase();
              return value.startsWith(words) || value.split(/[\s.@-]+/).some((w) => w.startsWith(words));
            }),
          );
        }
        if (url.searchParams.get('$orderby') === 'displayName') people.sort((a, b) => a.displayName.localeCompare(b.displayName));
        const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
        const top = Math.min(Number(url.searchParams.get('$top') ?? this.pageSize), this.pageSize, 999);
        const page = people.slice(skip, skip + top);
        const next = new URL(url.href);
        next.searchParams.set('$skiptoken', String(skip + top));
        const select = (url.searchParams.get('$select') ?? 'id,displayName,mail,userPrincipalName').split(',');
        return send(200, {
          value: page.map((u) => Object.fromEntries(select.map((k) => [k, u[k as keyof GraphUserRecord] ?? (k === 'userType' ? 'Member' : k === 'accountEnabled' ? true : null)]))),
          ...(skip + top < people.length && { '@odata.nextLink': next.href }),
        });
      }
      const oneUser = /^\/users\/([^/]+)$/.exec(path);
      if (req.method === 'GET' && oneUser) {
        if (!t.directory) return noDirectory();
        const u = t.users.get(decodeURIComponent(oneUser[1]));
        if (!u) return error(404, 'Request_ResourceNotFound', `Resource '${oneUser[1]}' does not exist or one of its queried reference-property objects are not present.`);
        return send(200, { userType: 'Member', accountEnabled: true, mail: null, ...u });
      }
      const installed = /^\/users\/([^/]+)\/teamwork\/installedApps(?:\/([^/]+)\/chat)?$/.exec(path);
      if (installed) {
        const userId = decodeURIComponent(installed[1]);
        if (!t.consent) return error(403, 'Forbidden', "Missing role permissions on the request. API requires one of 'TeamsAppInstallation.ReadWriteSelfForUser.All'.");
        if (!t.users.has(userId)) return error(404, 'Request_ResourceNotFound', `Resource '${userId}' does not exist.`);
        if (req.method === 'POST' && !installed[2]) {
          const bind = (JSON.parse(body || '{}') as Record<string, string>)['teamsApp@odata.bind'] ?? '';
          if (!bind.endsWith(`/appCatalogs/teamsApps/${this.catalogAppId}`)) return error(404, 'NotFound', 'The app is not found.');
          if (t.installed.has(userId)) return error(409, 'Conflict', 'App is already installed.');
          t.installed.add(userId);
          return send(201);
        }
        if (req.method === 'GET' && !installed[2]) {
          const app = /^teamsApp\/id eq '(.*)'$/.exec(url.searchParams.get('$filter') ?? '')?.[1];
          return send(200, { value: t.installed.has(userId) && app === this.catalogAppId ? [{ id: `installation-${userId}` }] : [] });
        }
        if (req.method === 'GET' && installed[2] === `installation-${userId}` && t.installed.has(userId)) return send(200, { id: `19:${userId}_bot@unq.gbl.spaces` });
        return error(404, 'NotFound', 'no such installation');
      }
      return error(404, 'NotFound', 'no such resource');
    });
  }
}

/** People as Graph would list them: members unless `isGuest`, enabled unless inactive. */
export const asGraphUsers = (users: ReadonlyArray<{ id: string; displayName: string; email: string | null; isGuest?: boolean; active?: boolean }>): GraphUserRecord[] =>
  users.map((u) => ({ id: u.id, displayName: u.displayName, mail: u.email, userType: u.isGuest ? 'Guest' : 'Member', accountEnabled: u.active !== false }));
