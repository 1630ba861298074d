import restify, { type Request, type Response, type Server } from 'restify';
import type { Logger } from './logger';

export interface ServerDeps {
  logger: Logger;
  /** Resolves when the database answers; rejects or times out when it does not. */
  checkDatabase: () => Promise<void>;
}

const HEALTH_TIMEOUT_MS = 2000;

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });

/** A whole request (headers and body) must arrive within this; its headers within HEADERS_TIMEOUT_MS. */
const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 15_000;
const HSTS = 'max-age=31536000';

/**
 * HSTS only means something on https, and browsers ignore it on a plain-http response (RFC 6797
 * §8.1), so believing `x-forwarded-proto` here is safe whoever sent it: a TLS-terminating proxy (App
 * Service, a dev tunnel, ngrok) says https and the browser keeps the policy; a client that lies over
 * http gets a header its browser drops. Nothing else reads the header (links come from PUBLIC_URL).
 * No includeSubDomains: this server does not know what else runs under its host name.
 */
const cameOverHttps = (req: Request): boolean =>
  Boolean((req.socket as { encrypted?: boolean } | undefined)?.encrypted) ||
  String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]
    .trim()
    .toLowerCase() === 'https';

/** Every response, on every route and refusal (404s, 413s, errors): no content sniffing, and HSTS on https. */
const securityHeaders = (req: Request, res: Response, next: () => void) => {
  res.setHeader('x-content-type-options', 'nosniff');
  if (cameOverHttps(req)) res.setHeader('strict-transport-security', HSTS);
  next();
};

/** The HTTP edge. Routes for the bot and the pages are added by later layers onto this server. */
export const createServer = (deps: ServerDeps): Server => {
  // No domains (handleUncaughtExceptions): handlers are async and restify turns their rejections into 500s.
  const server = restify.createServer({ name: 'self-service-purchases', handleUncaughtExceptions: false });
  // Node's defaults (60 s for headers, 300 s for the request) let slow clients hold connections for minutes.
  server.server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.pre(securityHeaders);
  server.use(restify.plugins.queryParser({ mapParams: false }));

  // GET, and HEAD for the probes (load balancers, uptime checks) that use it: the same check, no body.
  const health = async (req: Request, res: Response): Promise<void> => {
    let up = true;
    try {
      await withTimeout(deps.checkDatabase(), HEALTH_TIMEOUT_MS);
    } catch (e) {
      up = false;
      deps.logger.warn({ err: e }, 'health check: database not answering');
    }
    if (req.method === 'HEAD') {
      res.status(up ? 200 : 503);
      res.end();
      return;
    }
    res.send(up ? 200 : 503, up ? { status: 'ok', database: 'up' } : { status: 'unavailable', database: 'down' });
  };
  server.get('/healthz', health);
  server.head('/healthz', health);

  server.on('restifyError', (req, _res, err, next) => {
    deps.logger.warn({ method: req.method, url: req.url, status: err.statusCode, msg: err.message }, 'request refused');
    return next();
  });
  return server;
};
