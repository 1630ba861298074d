import restify, { type Server } from 'restify';
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

/** The HTTP edge. Routes for the bot and the pages are added by later layers onto this server. */
export const createServer = (deps: ServerDeps): Server => {
  const server = restify.createServer({ name: 'self-service-purchases', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));

  server.get('/healthz', async (_req, res) => {
    try {
      await withTimeout(deps.checkDatabase(), HEALTH_TIMEOUT_MS);
      res.send(200, { status: 'ok', database: 'up' });
    } catch (e) {
      deps.logger.warn({ err: e }, 'health check: database not answering');
      res.send(503, { status: 'unavailable', database: 'down' });
    }
  });

  server.on('restifyError', (req, _res, err, next) => {
    deps.logger.warn({ method: req.method, url: req.url, status: err.statusCode, msg: err.message }, 'request refused');
    return next();
  });
  return server;
};
