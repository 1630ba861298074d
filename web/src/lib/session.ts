import { app, authentication } from '@microsoft/teams-js';

/**
 * How a page proves who is using it. The server decides who that is; the page only carries the
 * credential: inside Teams the Teams SSO token, outside Teams a link the bot signed in chat
 * (`#link=…` in the URL, kept for this tab's session only and removed from the address bar).
 */
export interface Session {
  inTeams: boolean;
  /** Teams context when hosted (theme, locale, user principal name for display only). */
  context: app.Context | null;
  api<T>(path: string, init?: { method?: 'GET' | 'POST'; body?: unknown }): Promise<T>;
  /** Fetches a file through the API (with credentials) and hands it to the browser as a download. */
  download(path: string, body: unknown, fallbackName: string): Promise<void>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const LINK_KEY = 'ssp.link';
const TEAMS_INIT_TIMEOUT_MS = 5000;

const linkFromUrl = (): string | null => {
  const hash = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const link = hash.get('link');
  if (link) {
    sessionStorage.setItem(LINK_KEY, link);
    hash.delete('link');
    const rest = hash.toString();
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ''}`);
    return link;
  }
  return sessionStorage.getItem(LINK_KEY);
};

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });

/** teams-js never settles `app.initialize()` outside a host, so only a framed page asks it. */
const initTeams = async (): Promise<app.Context | null> => {
  if (window.parent === window && !window.opener) return null;
  try {
    await withTimeout(app.initialize(), TEAMS_INIT_TIMEOUT_MS);
    const context = await app.getContext();
    applyTheme(context.app.theme);
    app.registerOnThemeChangeHandler(applyTheme);
    return context;
  } catch {
    return null;
  }
};

const applyTheme = (theme: string | undefined) => {
  document.documentElement.dataset.theme = theme === 'dark' || theme === 'contrast' ? theme : 'default';
};

export const startSession = async (): Promise<Session> => {
  const link = linkFromUrl();
  const context = await initTeams();
  const inTeams = context !== null;
  let ssoToken: { value: string; at: number } | null = null;

  const authorization = async (): Promise<string> => {
    if (link) return `Link ${link}`;
    if (!inTeams) return '';
    // Teams caches and refreshes the token itself; asking again after a few minutes is cheap.
    if (!ssoToken || Date.now() - ssoToken.at > 5 * 60_000) ssoToken = { value: await authentication.getAuthToken(), at: Date.now() };
    return `Bearer ${ssoToken.value}`;
  };

  const request = async (path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<Response> => {
    let auth = '';
    try {
      auth = await authorization();
    } catch {
      throw new ApiError(401, 'AUTH.REQUIRED', 'Teams could not sign you in to this page. Close it and open it again.');
    }
    const res = await fetch(`/api/web${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { ...(auth ? { authorization: auth } : {}), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!res.ok) {
      const problem = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      throw new ApiError(res.status, problem?.error?.code ?? 'HTTP', problem?.error?.message ?? `The server answered ${res.status}.`);
    }
    return res;
  };

  return {
    inTeams,
    context,
    api: async <T>(path: string, init?: { method?: 'GET' | 'POST'; body?: unknown }) => (await (await request(path, init)).json()) as T,
    download: async (path, body, fallbackName) => {
      const res = await request(path, { method: 'POST', body });
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  };
};
