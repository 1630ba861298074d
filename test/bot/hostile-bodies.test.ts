import { gzipSync, deflateSync, brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import { BODY_TIMEOUT_MS } from '../../bot/body';
import { concretePath, healthy, rawRequest, rawSocket, routesOf, startHostileBot, statusOf, type HostileBot } from './hostile-harness';

/**
 * Hostile bodies on every POST route the server registers (listed from the server, not from here),
 * in development (no app id: activities reach the turn) and in production (app id set: activities
 * stop at authentication). Every request gets a 4xx, never a 5xx or a dropped process, and the
 * server answers /healthz after each group. restify 11's own body reader crashed on the first of these.
 */

const LARGEST_LIMIT = 256 * 1024; // MAX_BODY_KB's default for /api/messages; the pages' API and the tokenizer take less

const activity = (serviceUrl: string) => ({
  type: 'message',
  id: 'm1',
  channelId: 'msteams',
  serviceUrl,
  text: 'help',
  from: { id: '29:x', aadObjectId: '00000000-0000-0000-0000-000000000999' },
  recipient: { id: '28:bot' },
  conversation: { id: 'a:hostile', conversationType: 'personal', tenantId: 't' },
});

// 64 MB of JSON in about 64 KB of gzip (the attack run's was 240 MB in 239 KB).
const bomb = gzipSync(Buffer.concat([Buffer.from('{"type":"message","text":"'), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from('"}')]), { level: 9 });

const is4xx = (status: number) => status >= 400 && status < 500;

const MODES: Array<[string, Record<string, string>]> = [
  ['development (no app id)', {}],
  [
    'production (app id set)',
    {
      NODE_ENV: 'production',
      MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
      MicrosoftAppPassword: 'not-a-real-secret',
      PAYMENT_SANDBOX_SECRET: 'hostile-test-sandbox-secret',
      SEED_DEMO: 'true',
    },
  ],
];

describe.each(MODES)('hostile bodies, %s', (_mode, env) => {
  let bot: HostileBot;
  let posts: string[];
  let json = '';

  beforeAll(async () => {
    bot = await startHostileBot(env);
    posts = routesOf(bot.server)
      .filter((r) => r.method === 'POST')
      .map((r) => concretePath(r.path));
    json = JSON.stringify(activity(bot.connector.url));
  });
  afterAll(() => bot.close());

  const post = (path: string, headers: Record<string, string>, body?: Buffer | string) => rawRequest(bot.port, 'POST', path, headers, body);

  test('every POST route reads its body through the one body reader', () => {
    expect(posts).toEqual(expect.arrayContaining(['/api/messages', '/payments/sandbox/tokens', '/api/web/checkout', '/api/web/admin/policies']));
    for (const r of routesOf(bot.server).filter((x) => x.method === 'POST'))
      expect({ path: r.path, readers: r.handlers.filter((h) => h === 'readJsonBody').length }).toEqual({ path: r.path, readers: 1 });
  });

  test.each([
    ['gzip, body not gzip', 'gzip', Buffer.from('{"type":"message"}')],
    ['gzip, empty body', 'gzip', Buffer.alloc(0)],
    ['gzip, truncated gzip', 'gzip', () => gzipSync(Buffer.from(json)).subarray(0, 12)],
    ['gzip, valid gzip JSON', 'gzip', () => gzipSync(Buffer.from(json))],
    [
      'gzip, just over the largest limit compressed',
      'gzip',
      () => gzipSync(Buffer.from(JSON.stringify({ ...activity(bot.connector.url), text: 'x'.repeat(LARGEST_LIMIT) })), { level: 0 }),
    ],
    ['deflate, body not deflate', 'deflate', Buffer.from('not deflate at all')],
    ['deflate, valid', 'deflate', () => deflateSync(Buffer.from(json))],
    ['br, body not brotli', 'br', Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x01])],
    ['br, valid', 'br', () => brotliCompressSync(Buffer.from(json), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } })],
    ['stacked encodings', 'gzip, deflate', Buffer.from('xx')],
    ['unknown encoding', 'x-hostile', Buffer.from(json)],
    ['upper-case GZIP', 'GZIP', Buffer.from('{}')],
  ])('content-encoding %s: 415 on every route', async (_name, encoding, body) => {
    const bytes = typeof body === 'function' ? body() : body;
    for (const path of posts) {
      const res = await post(path, { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': String(bytes.length) }, bytes);
      expect({ path, status: res.status }).toEqual({ path, status: 415 });
      expect(res.headers['accept-encoding']).toBe('identity');
    }
    expect(await healthy(bot)).toBe(true);
  });

  test('an inflating gzip body, 16 at once on every route, is refused without inflating it', async () => {
    const before = process.memoryUsage().rss;
    for (const path of posts) {
      const answers = await Promise.all(
        Array.from({ length: 16 }, () => post(path, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) }, bomb)),
      );
      expect({ path, statuses: [...new Set(answers.map((a) => a.status))] }).toEqual({ path, statuses: [415] });
    }
    // 16 inflated copies would be a gigabyte; refusing them costs about nothing.
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    expect(await healthy(bot)).toBe(true);
  });

  test('identity is fine: content-encoding identity is read like no encoding', async () => {
    const res = await post('/api/messages', { 'content-type': 'application/json', 'content-encoding': 'identity' }, '[1]');
    expect(res.status).toBe(400);
  });

  test.each([
    ['text/plain', 'hello'],
    ['application/x-www-form-urlencoded', 'type=message&conversation[id]=x&serviceUrl=http://x'],
    ['multipart/form-data; boundary=XyZ', '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.json"\r\n\r\n{}\r\n--XyZ--\r\n'],
    ['application/octet-stream', Buffer.from([0, 1, 2, 3])],
    ['application/jsonp', '{}'],
    ['application/json-patch+json', '[]'],
    ['text/json', '{}'],
    ['', '{}'],
  ])('content-type %j: 415 on every route', async (type, body) => {
    for (const path of posts) {
      const res = await post(path, type ? { 'content-type': type } : {}, body);
      expect({ path, status: res.status }).toEqual({ path, status: 415 });
    }
    expect(await healthy(bot)).toBe(true);
  });

  test.each([
    ['an array', '[1, 2, 3]'],
    ['a string', '"message"'],
    ['a number', '42'],
    ['null', 'null'],
    ['true', 'true'],
    ['invalid JSON', '{"type": "message", '],
    ['a byte-order mark first', '\ufeff{}'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['deep nesting', '['.repeat(5000) + ']'.repeat(5000)],
    ['deep nesting inside an object', `{"type":"message","value":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`],
    ['a prototype key', '{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"x": 1}}}'],
    ['only whitespace', '   \r\n  '],
    ['a NUL byte', '{"type":"message\u0000"}'],
  ])('JSON that is %s: a 4xx on every route', async (_name, body) => {
    for (const path of posts) {
      const res = await post(path, { 'content-type': 'application/json' }, body);
      expect({ path, status: is4xx(res.status) }).toEqual({ path, status: true });
    }
    expect({} as Record<string, unknown>).not.toHaveProperty('isAdmin');
    expect(await healthy(bot)).toBe(true);
  });

  test('non-objects and bad JSON are 400', async () => {
    for (const path of posts) {
      for (const body of ['[]', '"x"', '1', 'null', '{', '['.repeat(100) + ']'.repeat(100)]) {
        const res = await post(path, { 'content-type': 'application/json' }, body);
        expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      }
    }
  });

  test.each([
    ['just over the largest limit, with content-length', LARGEST_LIMIT + 1, true],
    ['just over the largest limit, chunked', LARGEST_LIMIT + 1, false],
    ['1.5 MB, with content-length', 1536 * 1024, true],
    ['1.5 MB, chunked', 1536 * 1024, false],
  ])('an oversized body (%s): 413 on every route', async (_name, size, withLength) => {
    const body = Buffer.from(JSON.stringify({ ...activity(bot.connector.url), text: 'x'.repeat(size) }));
    for (const path of posts) {
      const res = await post(path, { 'content-type': 'application/json', ...(withLength ? { 'content-length': String(body.length) } : {}) }, body).catch(
        (e: NodeJS.ErrnoException) => ({
          status: e.code === 'ECONNRESET' || e.code === 'EPIPE' ? -1 : 0,
          headers: {},
          body: '',
        }),
      );
      // A body far over the limit may be cut off after the 413 (the connection is closed rather than read to the end).
      expect({ path, status: res.status === 413 || (size > LARGEST_LIMIT + 1024 * 1024 && res.status === -1) }).toEqual({ path, status: true });
    }
    expect(await healthy(bot)).toBe(true);
  });

  test('a body declared far larger than any limit is refused from its headers, before any of it is read', async () => {
    for (const path of posts) {
      const head = `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10000000000\r\n\r\n{"type":`;
      const { response } = await rawSocket(bot.port, head, { waitMs: 2000 });
      expect({ path, status: statusOf(response) }).toEqual({ path, status: 413 });
    }
    expect(await healthy(bot)).toBe(true);
  });

  test('a client that hangs up in the middle of its body ends the request cleanly', async () => {
    for (const path of posts) {
      const head = `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"type":"message",`;
      const { response } = await rawSocket(bot.port, head, { hangUpAfterMs: 50, waitMs: 1000 });
      expect(response).toBe('');
    }
    const gzipHead = (path: string) => `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: 5000\r\n\r\n\x1f\x8b`;
    for (const path of posts) await rawSocket(bot.port, gzipHead(path), { hangUpAfterMs: 20, waitMs: 500 });
    expect(await healthy(bot)).toBe(true);
    expect(bot.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  test('a client that hangs up while its request is being handled leaves the server fine', async () => {
    for (const path of posts) {
      const body = path === '/api/messages' ? json : '{"number":"4242424242424242","expMonth":"12","expYear":"2030","cvc":"123"}';
      const request = `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      await Promise.all(Array.from({ length: 5 }, (_, i) => rawSocket(bot.port, request, { hangUpAfterMs: i, waitMs: 500 })));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await healthy(bot)).toBe(true);
    expect(bot.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  test(
    'a body that stops arriving is a 408 after the body timeout, and the connection is closed',
    async () => {
      const results = await Promise.all(
        posts.map((path) =>
          rawSocket(bot.port, `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{"type":`, {
            waitMs: BODY_TIMEOUT_MS + 5000,
          }).then((r) => ({ path, status: statusOf(r.response), closed: r.closedByServer })),
        ),
      );
      for (const r of results) expect(r).toEqual({ path: r.path, status: 408, closed: true });
      expect(await healthy(bot)).toBe(true);
    },
    BODY_TIMEOUT_MS + 15_000,
  );

  test('a keep-alive connection carries the next request after a refused one', async () => {
    const first = `POST /api/messages HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello`;
    const second = `GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`;
    const { response } = await rawSocket(bot.port, first + second, { waitMs: 3000 });
    expect(response.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 415', 'HTTP/1.1 200']);
  });

  test('malformed URLs and methods on the POST routes are 4xx', async () => {
    for (const path of [
      '/api/web/my/subscriptions/%E0%A4%A/cancel',
      '/api/web/%ff',
      `/api/messages?${'a[b]'.repeat(200)}=1`,
      `/api/web/my/subscriptions/${'x'.repeat(5000)}/cancel`,
    ]) {
      const res = await post(path, { 'content-type': 'application/json' }, '{}');
      expect({ path, status: is4xx(res.status) }).toEqual({ path, status: true });
    }
    for (const path of posts) {
      const res = await rawRequest(bot.port, 'PUT', path, { 'content-type': 'application/json' }, '{}');
      expect({ path, status: is4xx(res.status) }).toEqual({ path, status: true });
    }
    expect(await healthy(bot)).toBe(true);
  });

  test.each([
    ['a content-length that is not a number', 'content-length: abc\r\n\r\n{}'],
    ['two different content-lengths', 'content-length: 2\r\ncontent-length: 3\r\n\r\n{}'],
    ['content-length and chunked at once', 'content-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
    ['a chunk size that is not hex', 'transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    ['a header line without a colon', 'this is not a header\r\n\r\n'],
  ])('malformed HTTP (%s) on every POST route: 400 from the HTTP parser', async (_name, rest) => {
    for (const path of posts) {
      const { response } = await rawSocket(bot.port, `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${rest}`, { waitMs: 2000 });
      expect({ path, status: statusOf(response) }).toEqual({ path, status: 400 });
    }
    expect(await healthy(bot)).toBe(true);
  });

  test('nothing above reached the bot but the complete activities, and the server logged no errors', () => {
    expect(bot.connector.recorded.filter((r) => r.conversationId !== 'a:hostile')).toEqual([]);
    expect(bot.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});
