import type { Next, Request, Response } from 'restify';

/**
 * The one way a request body is read, for every POST route (the Bot Framework endpoint, the pages'
 * API, the sandbox tokenizer). restify 11's body reader crashes the process on a bad gzip body and
 * counts the limit in compressed bytes (restify/node-restify#1785, #1975), so it is not used.
 *
 * - Only `application/json`: a form post from another site can't reach a route (CSRF), and the
 *   multipart and urlencoded parsers never run.
 * - Only identity-encoded bodies; any `content-encoding` is a 415 that says so (RFC 7694). The Bot
 *   Connector and our pages send plain JSON (botbuilder's own request reader JSON-parses the raw
 *   bytes and ignores content-encoding), so refusing costs nothing and nothing is ever inflated.
 * - At most `maxBytes`, counted as they arrive: a larger body is a 413, never buffered past the limit.
 * - A body that stops arriving is a 408 after BODY_TIMEOUT_MS; a client that goes away ends the
 *   request quietly (nothing to answer, no handler runs).
 * - A JSON object or nothing: anything else is a 400. Nesting deeper than MAX_DEPTH is refused before
 *   parsing, so no later walk over the value can overflow the stack.
 *
 * The parsed object is `req.body` (undefined for an empty body); routes word refusals in their own
 * error shape through `refuse`.
 */

export type BodyRefusal = 'BODY.UNSUPPORTED_TYPE' | 'BODY.UNSUPPORTED_ENCODING' | 'BODY.TOO_LARGE' | 'BODY.TIMEOUT' | 'BODY.INVALID_JSON' | 'BODY.NOT_AN_OBJECT';

export interface JsonBodyOptions {
  maxBytes: number;
  refuse(res: Response, status: number, code: BodyRefusal, message: string): void;
}

export const BODY_TIMEOUT_MS = 10_000;
export const MAX_DEPTH = 64;
/** How much of an oversized body is read and dropped so the client can read the 413; past it the connection is closed. */
const DRAIN_BYTES = 1024 * 1024;

const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

/** True when brackets nest deeper than `max` (outside strings); JSON.parse itself would accept any depth. */
export const nestsDeeperThan = (text: string, max: number): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
};

/** `__proto__` keys are dropped: JSON.parse makes them own properties, which Object.assign would turn into a prototype. */
const parse = (text: string): unknown => (text.includes('"__proto__"') ? JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v)) : JSON.parse(text));

export const jsonBody = (opts: JsonBodyOptions) =>
  function readJsonBody(req: Request, res: Response, next: Next): void {
    let finished = false;
    let size = 0;
    let dropped = 0;
    let tooLarge = false;
    const chunks: Buffer[] = [];

    const timer = setTimeout(() => refuse(408, 'BODY.TIMEOUT', 'The request body did not arrive in time.', true), BODY_TIMEOUT_MS);
    timer.unref();
    const finish = (then: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      chunks.length = 0;
      then();
    };
    const refuse = (status: number, code: BodyRefusal, message: string, close = false) =>
      finish(() => {
        if (res.headersSent || res.writableEnded || res.destroyed) return next(false);
        // The rest of the request is not read: the connection can't carry another one after it.
        if (close) res.setHeader('connection', 'close');
        opts.refuse(res, status, code, message);
        next(false);
      });
    const tooLargeMessage = `The request body is larger than ${opts.maxBytes} bytes.`;

    req.on('data', (chunk: Buffer) => {
      if (finished) {
        // Refused before the body ended: the rest is read and dropped so the client gets to read the answer, up to a point.
        dropped += chunk.length;
        if (dropped > DRAIN_BYTES) req.destroy();
        return;
      }
      size += chunk.length;
      if (size > opts.maxBytes) {
        tooLarge = true;
        chunks.length = 0;
        if (size > opts.maxBytes + DRAIN_BYTES) refuse(413, 'BODY.TOO_LARGE', tooLargeMessage, true);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (finished) return;
      if (tooLarge) return refuse(413, 'BODY.TOO_LARGE', tooLargeMessage);
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) {
        req.body = undefined;
        return finish(() => next());
      }
      if (nestsDeeperThan(text, MAX_DEPTH)) return refuse(400, 'BODY.INVALID_JSON', `The request body nests deeper than ${MAX_DEPTH} levels.`);
      let value: unknown;
      try {
        value = parse(text);
      } catch {
        return refuse(400, 'BODY.INVALID_JSON', 'The request body is not valid JSON.');
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) return refuse(400, 'BODY.NOT_AN_OBJECT', 'The request body must be a JSON object.');
      req.body = value;
      finish(() => next());
    });
    // The client went away before the body ended (aborted, or a content-length it never sent): nobody to answer.
    const gone = () => finish(() => next(false));
    req.on('error', gone);
    req.on('close', () => {
      if (!req.complete) gone();
    });

    const type = String(req.headers['content-type'] ?? '');
    const encoding = String(req.headers['content-encoding'] ?? '')
      .trim()
      .toLowerCase();
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!JSON_TYPE.test(type)) refuse(415, 'BODY.UNSUPPORTED_TYPE', 'Send JSON (content-type: application/json).');
    else if (encoding && encoding !== 'identity') {
      res.setHeader('accept-encoding', 'identity');
      refuse(415, 'BODY.UNSUPPORTED_ENCODING', 'Send the body uncompressed (no content-encoding).');
    } else if (declared > opts.maxBytes + DRAIN_BYTES) refuse(413, 'BODY.TOO_LARGE', tooLargeMessage, true);
    else if (declared > opts.maxBytes) tooLarge = true;
    req.resume();
  };
