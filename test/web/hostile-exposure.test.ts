import { loadConfig } from '../../bot/config';
import { EXPORT_PATH, EXPORT_PURPOSE } from '../../bot/export-endpoint';
import { SignedLinks } from '../../bot/signed-links';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { rawRequest, startHostileBot, type HostileBot } from '../bot/hostile-harness';

/**
 * What the server gives away to whoever reaches it: every response says nosniff (JSON, CSV, pages,
 * refusals), https responses carry HSTS, and outside production the server listens on loopback only
 * (its link secret may be the one in the source).
 */

let bot: HostileBot;
let exportUrl: string;

beforeAll(async () => {
  bot = await startHostileBot();
  const token = new SignedLinks(bot.config.linkSecret).sign({ tenantId: DEMO_TENANT_ID, userId: DEMO_USERS.alex.id, purpose: EXPORT_PURPOSE, arg: null }, 60_000);
  exportUrl = `${EXPORT_PATH}?token=${token}`;
});
afterAll(() => bot.close());

const get = (path: string, headers: Record<string, string> = {}) => rawRequest(bot.port, 'GET', path, headers);
const post = (path: string, body: string, headers: Record<string, string> = {}) => rawRequest(bot.port, 'POST', path, { 'content-type': 'application/json', ...headers }, body);

const responses = (headers: Record<string, string> = {}) => ({
  'health (JSON)': () => get('/healthz', headers),
  'pages API refusal (JSON 401)': () => get('/api/web/my/subscriptions', headers),
  'bot endpoint refusal (JSON 400)': () => post('/api/messages', '{}', headers),
  'body refusal (415)': () => post('/api/messages', '{}', { ...headers, 'content-encoding': 'gzip' }),
  'tokenizer (JSON 422)': () => post('/payments/sandbox/tokens', '{"number":"1"}', headers),
  'CSV export': () => get(exportUrl, headers),
  'CSV refusal (403)': () => get(`${EXPORT_PATH}?token=nope`, headers),
  page: () => get('/web/purchases', headers),
  'unknown route (404)': () => get('/nowhere', headers),
});

describe('x-content-type-options: nosniff', () => {
  // Set once, for every response, by bot/server.ts (a second copy from a route would be a doubled header).
  test.each(Object.entries(responses()))('%s', async (_name, send) => {
    const res = await send();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  test('the CSV export is the CSV, with nosniff', async () => {
    const res = await get(exportUrl);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.body.split('\r\n')[0]).toMatch(/^Display name,/);
  });
});

describe('strict-transport-security', () => {
  test.each(Object.entries(responses({ 'x-forwarded-proto': 'https' })))('behind a TLS proxy: %s has HSTS', async (_name, send) => {
    expect((await send()).headers['strict-transport-security']).toBe('max-age=31536000');
  });

  test.each([
    ['no forwarding header', {}],
    ['x-forwarded-proto: http', { 'x-forwarded-proto': 'http' }],
    ['https only behind another hop', { 'x-forwarded-proto': 'http, https' }],
  ])('plain http (%s): no HSTS', async (_name, headers) => {
    for (const send of Object.values(responses(headers))) expect((await send()).headers['strict-transport-security']).toBeUndefined();
  });

  test('the client-facing hop decides: "https, http" is https', async () => {
    expect((await get('/healthz', { 'x-forwarded-proto': 'HTTPS, http' })).headers['strict-transport-security']).toBe('max-age=31536000');
  });
});

describe('where the server listens', () => {
  const production = {
    NODE_ENV: 'production',
    MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
    MicrosoftAppPassword: 'x',
    PAYMENT_SANDBOX_SECRET: 'hostile-test-sandbox-secret',
  };
  test.each([
    ['development, HOST unset', '127.0.0.1', {}],
    ['test, HOST unset', '127.0.0.1', { NODE_ENV: 'test' }],
    ['development, HOST empty', '127.0.0.1', { HOST: '' }],
    ['development, HOST=0.0.0.0', '0.0.0.0', { HOST: '0.0.0.0' }],
    ['production, HOST unset', '0.0.0.0', production],
    ['production, HOST=127.0.0.1', '127.0.0.1', { ...production, HOST: '127.0.0.1' }],
  ])('%s → %s', (_name, host, env) => {
    expect(loadConfig(env as NodeJS.ProcessEnv).host).toBe(host);
  });
});
