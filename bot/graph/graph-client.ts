/**
 * Microsoft Graph with the bot's own app registration: an app-only token per customer tenant (the
 * OAuth 2.0 client-credentials grant, which is what MSAL's acquireTokenByClientCredential sends), and
 * requests that wait out throttling (429 and 503/504 with Retry-After) a few times before giving up.
 * Every call names its tenant: the token is that tenant's, so a call can only see that tenant's data.
 * Plain fetch: the calls are few and simple, and a loopback stand-in can answer them in tests (MSAL
 * insists on an https authority it can discover).
 */

export interface GraphSettings {
  clientId: string;
  clientSecret: string;
  /** https://graph.microsoft.com/v1.0, or a stand-in's. */
  graphUrl: string;
  /** https://login.microsoftonline.com, or a stand-in's: the token comes from `${authorityUrl}/${tenantId}/oauth2/v2.0/token`. */
  authorityUrl: string;
}

/** A Graph answer that isn't what the call needed: its HTTP status and Graph's error code and message. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }

  /** Worth trying again later: throttled past the retries, Graph unavailable, or no answer at all. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface GraphClientOptions {
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Retries of a throttled or unavailable request (each after its Retry-After). */
  retries?: number;
  /** The longest Retry-After waited out here; a longer one gives up (the caller retries much later). */
  maxWaitMs?: number;
}

/** How long one Graph request may take: a background one, and one someone is waiting for. */
const REQUEST_TIMEOUT_MS = 30_000;
const INTERACTIVE_TIMEOUT_MS = 5_000;

const TENANT_ID = /^[0-9a-zA-Z.-]{1,100}$/;

export class GraphClient {
  private readonly tokens = new Map<string, Promise<{ token: string; expiresAt: number }>>();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly settings: GraphSettings,
    private readonly options: GraphClientOptions = {},
  ) {
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get graphUrl(): string {
    return this.settings.graphUrl.replace(/\/+$/, '');
  }

  /**
   * One Graph request for `tenantId`. `path` starts with `/` (relative to the Graph URL) or is a full
   * `@odata.nextLink`. Answers with a status in `accept` (default: 2xx) are returned; others throw a
   * GraphError. A 401 gets one new token; 429 and 503/504 are retried after Retry-After.
   */
  async call<T = unknown>(
    tenantId: string,
    method: 'GET' | 'POST',
    path: string,
    opts: {
      body?: unknown;
      headers?: Record<string, string>;
      accept?: readonly number[];
      /** Someone is waiting (a turn): fewer retries and shorter waits than the client's defaults. */
      interactive?: boolean;
    } = {},
  ): Promise<{ status: number; body: T | null }> {
    const url = path.startsWith('/') ? `${this.graphUrl}${path}` : path;
    if (!url.startsWith(`${this.graphUrl}/`)) throw new GraphError(0, 'BadRequest', 'not a Microsoft Graph URL');
    const retries = opts.interactive ? Math.min(1, this.options.retries ?? 3) : (this.options.retries ?? 3);
    const maxWaitMs = opts.interactive ? Math.min(2_000, this.options.maxWaitMs ?? 30_000) : (this.options.maxWaitMs ?? 30_000);
    const timeoutMs = opts.interactive ? INTERACTIVE_TIMEOUT_MS : REQUEST_TIMEOUT_MS;
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.token(tenantId);
      let res: Response;
      try {
        res = await this.fetch(url, {
          method,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(opts.body !== undefined && { 'content-type': 'application/json' }), ...opts.headers },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        if (attempt < retries && !opts.interactive) {
          await this.sleep(1000 * 2 ** attempt);
          continue;
        }
        throw new GraphError(0, 'Unreachable', `Microsoft Graph did not answer: ${(e as Error).message}`);
      }
      const body = await readJson(res);
      if ((opts.accept ?? []).includes(res.status) || (res.status >= 200 && res.status < 300)) return { status: res.status, body: body as T | null };
      if (res.status === 401 && !renewed) {
        renewed = true;
        this.tokens.delete(tenantId);
        continue;
      }
      if ((res.status === 429 || res.status === 503 || res.status === 504) && attempt < retries) {
        const wait = retryAfterMs(res.headers.get('retry-after')) ?? 1000 * 2 ** attempt;
        if (wait <= maxWaitMs) {
          await this.sleep(wait);
          continue;
        }
      }
      throw graphError(res.status, body);
    }
  }

  /** The tenant's token, from the cache until five minutes before it expires; one request at a time per tenant. */
  private async token(tenantId: string): Promise<string> {
    if (!TENANT_ID.test(tenantId)) throw new GraphError(0, 'BadTenant', 'not a tenant id');
    const cached = this.tokens.get(tenantId);
    if (cached) {
      const t = await cached.catch(() => null);
      if (t && t.expiresAt > this.now()) return t.token;
    }
    let pending = this.tokens.get(tenantId);
    if (pending === cached) {
      const request = this.requestToken(tenantId);
      pending = request;
      this.tokens.set(tenantId, request);
      request.catch(() => {
        if (this.tokens.get(tenantId) === request) this.tokens.delete(tenantId);
      });
    }
    return (await pending!).token;
  }

  private async requestToken(tenantId: string): Promise<{ token: string; expiresAt: number }> {
    const { clientId, clientSecret, authorityUrl } = this.settings;
    const form = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, scope: `${new URL(this.graphUrl).origin}/.default`, grant_type: 'client_credentials' });
    let res: Response;
    try {
      res = await this.fetch(`${authorityUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(INTERACTIVE_TIMEOUT_MS),
      });
    } catch (e) {
      throw new GraphError(0, 'Unreachable', `the token endpoint did not answer: ${(e as Error).message}`);
    }
    const body = (await readJson(res)) as { access_token?: string; expires_in?: number; error?: string; error_description?: string } | null;
    if (!res.ok || !body?.access_token) {
      // e.g. AADSTS7000215 (bad secret), AADSTS700016 (the app isn't known in that tenant: no admin consent).
      throw new GraphError(res.status, body?.error ?? 'TokenRefused', `no Graph token for this organization: ${body?.error_description?.split('\n')[0] ?? res.status}`);
    }
    // Renewed five minutes before it expires.
    return { token: body.access_token, expiresAt: this.now() + Math.max(60, (body.expires_in ?? 3600) - 300) * 1000 };
  }
}

const readJson = async (res: Response): Promise<unknown> => {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

const retryAfterMs = (header: string | null): number | null => {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
};

const graphError = (status: number, body: unknown): GraphError => {
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  return new GraphError(status, error?.code ?? `HTTP ${status}`, error?.message ?? `Microsoft Graph answered ${status}`);
};
