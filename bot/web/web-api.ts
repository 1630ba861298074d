import type { Request, Response, Server } from 'restify';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ActorContext, Deps } from '../../domain/ports';
import { DomainError, categoryOf, type ErrorCategory, type ErrorCode } from '../../domain/shared/errors';
import type { Logger } from '../logger';
import { jsonBody } from '../body';
import { WebAuthError, type WebAuthenticator, type WebIdentity } from './web-auth';
import { streamDownload } from './stream-download';

/** What a page's API handler gets: the verified actor (never an identity the page sent) and its input. */
export interface WebRequest<B = unknown> {
  deps: Deps;
  ctx: ActorContext;
  identity: WebIdentity;
  params: Record<string, string>;
  query: Record<string, string>;
  body: B;
}

/** A file to download instead of JSON (CSV export). */
export interface WebDownload {
  download: { filename: string; contentType: string; chunks: AsyncIterable<string> };
}

export interface WebRoute<B = unknown> {
  method: 'get' | 'post';
  /** restify path under /api/web, e.g. '/my/subscriptions/:id/cancel'. */
  path: string;
  /** POST bodies are validated against this before the handler runs; a mismatch is a 400. */
  body?: z.ZodType<B>;
  run(req: WebRequest<B>): Promise<unknown>;
}

/** Keeps route tables typed per body while storing them side by side. */
export const route = <B>(r: WebRoute<B>): WebRoute<unknown> => r as WebRoute<unknown>;

export const WEB_API_PREFIX = '/api/web';
const MAX_BODY_BYTES = 32 * 1024;

/** Expected failures map to HTTP by what went wrong; the domain's friendly message goes to the page. */
const HTTP_STATUS_BY_CATEGORY: Readonly<Record<ErrorCategory, number>> = { forbidden: 403, not_found: 404, payment: 402, conflict: 409, invalid: 422 };

export const statusForCode = (code: ErrorCode): number => HTTP_STATUS_BY_CATEGORY[categoryOf(code)];

const problem = (res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}) => {
  res.status(status);
  res.header('cache-control', 'no-store');
  res.json({ error: { code, message, ...extra } });
};

const stringRecord = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((v ?? {}) as Record<string, unknown>).filter(([, x]) => typeof x === 'string')) as Record<string, string>;

/**
 * The pages' JSON API: every route authenticates first (401 without a verified identity), validates
 * its body (400), runs one domain use case as the verified actor on the 'web' surface, and maps typed
 * domain errors to 4xx with the domain's message. Anything else is a 500 with a correlation id.
 */
export const registerWebApi = (server: Server, deps: { deps: Deps; auth: WebAuthenticator; logger: Logger; routes: readonly WebRoute[] }): void => {
  // JSON only (a form post from another site can't reach the API: CSRF); refusals in the API's error shape.
  const readBody = jsonBody({
    maxBytes: MAX_BODY_BYTES,
    refuse: (res, status, code, message) => {
      deps.logger.info({ code, status, path: WEB_API_PREFIX }, 'request body refused');
      problem(res, status, 'INPUT.INVALID', message);
    },
  });
  for (const r of deps.routes) {
    const handler = async (req: Request, res: Response) => {
      let identity: WebIdentity;
      try {
        identity = await deps.auth.identify(req.headers.authorization);
      } catch (e) {
        if (!(e instanceof WebAuthError)) throw e;
        res.header('www-authenticate', 'Bearer');
        return problem(res, 401, 'AUTH.REQUIRED', e.message);
      }
      let body: unknown = undefined;
      if (r.method === 'post' && r.body) {
        const parsed = r.body.safeParse(req.body ?? {});
        if (!parsed.success) {
          const first = parsed.error.issues[0];
          return problem(res, 400, 'INPUT.INVALID', `${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}`);
        }
        body = parsed.data;
      }
      const ctx: ActorContext = { tenantId: identity.tenantId, actorId: identity.userId, surface: 'web' };
      try {
        const result = await r.run({ deps: deps.deps, ctx, identity, params: stringRecord(req.params), query: stringRecord(req.query), body });
        res.header('cache-control', 'no-store');
        if (result && typeof result === 'object' && 'download' in result) return await sendDownload(res, (result as WebDownload).download, deps.logger);
        res.status(200);
        res.json(result ?? { ok: true });
      } catch (e) {
        if (e instanceof DomainError) return problem(res, statusForCode(e.code), e.code, e.message, Object.keys(e.details).length ? { details: e.details } : {});
        const correlationId = randomUUID();
        deps.logger.error({ err: e, correlationId, path: r.path }, 'web api failed');
        problem(res, 500, 'INTERNAL', `Something went wrong on our side. If it keeps happening, tell your admin this code: ${correlationId.slice(0, 8)}.`, { correlationId });
      }
    };
    if (r.method === 'get') server.get(`${WEB_API_PREFIX}${r.path}`, handler);
    else server.post(`${WEB_API_PREFIX}${r.path}`, readBody, handler);
  }
};

const sendDownload = async (res: Response, d: WebDownload['download'], logger: Logger): Promise<void> => {
  res.writeHead(200, { 'content-type': d.contentType, 'content-disposition': `attachment; filename="${d.filename.replace(/[^\w.-]/g, '_')}"`, 'cache-control': 'no-store' });
  await streamDownload(res, d.chunks, (err) => logger.error({ err }, 'download failed midway'));
};
