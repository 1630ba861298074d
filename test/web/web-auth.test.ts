import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { startBot, type BotHarness } from '../bot/harness';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';

/**
 * The pages' API trusts nobody's word for who they are: Teams SSO tokens are verified against Entra's
 * published keys (here a local key server standing in for login.microsoftonline.com), and links are
 * the bot's own signatures.
 */
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const APP_ID_URI = `api://bot.contoso.test/${CLIENT_ID}`;
const MEGAN = DEMO_USERS.megan;

let keyServer: Server;
let jwksUrl: string;
let signingKey: KeyLike;
let strangerKey: KeyLike;
let bot: BotHarness;

const token = async (claims: Record<string, unknown> = {}, opts: { key?: KeyLike; kid?: string; expiresIn?: string; audience?: string } = {}) =>
  new SignJWT({ tid: DEMO_TENANT_ID, oid: MEGAN.id, name: MEGAN.displayName, ver: '2.0', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'test-key' })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : `https://login.microsoftonline.com/${claims.tid ?? DEMO_TENANT_ID}/v2.0`)
    .setAudience(opts.audience ?? CLIENT_ID)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '1h')
    .sign(opts.key ?? signingKey);

const me = (authorization?: string) => fetch(`${bot.url}/api/web/me`, { headers: authorization ? { authorization } : {} });

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  keyServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => keyServer.listen(0, '127.0.0.1', () => r()));
  jwksUrl = `http://127.0.0.1:${(keyServer.address() as { port: number }).port}/keys`;
  bot = await startBot({ SSO_CLIENT_ID: CLIENT_ID, SSO_APP_ID_URI: APP_ID_URI, SSO_JWKS_URL: jwksUrl });
});

afterAll(async () => {
  await bot?.close();
  await new Promise<void>((r) => keyServer.close(() => r()));
});

describe('Teams SSO tokens', () => {
  it('a valid token identifies the person in it, by either audience and either issuer format', async () => {
    for (const t of [await token(), await token({}, { audience: APP_ID_URI }), await token({ iss: `https://sts.windows.net/${DEMO_TENANT_ID}/`, ver: '1.0' })]) {
      const res = await me(`Bearer ${t}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ userId: MEGAN.id, tenantId: DEMO_TENANT_ID, displayName: MEGAN.displayName, isAdmin: false, signedInVia: 'teams-sso' });
    }
  });

  it.each([
    ['signed by another key', () => token({}, { key: strangerKey })],
    ['for another app', () => token({}, { audience: '99999999-2222-3333-4444-555555555555' })],
    ['expired', () => token({}, { expiresIn: '-10m' })],
    ['issued by another authority', () => token({ iss: 'https://evil.example.com/v2.0' })],
    ['issued for another tenant than its issuer', () => token({ iss: `https://login.microsoftonline.com/${'0'.repeat(8)}-0000-0000-0000-000000000009/v2.0` })],
    ['without a user', () => token({ oid: undefined })],
    ['with an unknown key id', () => token({}, { kid: 'other' })],
  ])('a token %s is refused with 401', async (_what, make) => {
    const res = await me(`Bearer ${await make()}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('AUTH.REQUIRED');
  });

  it('a token of a tenant we do not serve gets no data', async () => {
    const tid = 'abcdef01-2345-6789-abcd-ef0123456789';
    const res = await me(`Bearer ${await token({ tid, iss: `https://login.microsoftonline.com/${tid}/v2.0` })}`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TENANT.UNKNOWN');
  });

  it('garbage, a missing header and an unknown scheme are 401', async () => {
    for (const h of [undefined, 'Bearer not-a-jwt', 'Basic bWVnYW46cGFzcw==', 'Bearer', `Link ${'x'.repeat(3000)}`]) expect((await me(h)).status).toBe(401);
  });
});

describe('signed links from the bot', () => {
  it('"open my purchases" answers with a personal link that works for the pages', async () => {
    const reply = await bot.say('megan', 'open my purchases');
    const card = reply.cards[0] as { actions: Array<{ type: string; url: string }> };
    const open = card.actions.find((a) => a.type === 'Action.OpenUrl')!;
    const link = new URL(open.url);
    expect(link.pathname).toBe('/web/purchases');
    const credential = new URLSearchParams(link.hash.slice(1)).get('link')!;
    const res = await me(`Link ${credential}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ userId: MEGAN.id, signedInVia: 'signed-link' });
    // A tampered link is someone else's claim: refused.
    const [body, mac] = credential.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), userId: DEMO_USERS.alex.id })).toString('base64url');
    expect((await me(`Link ${forged}.${mac}`)).status).toBe(401);
  });

  it('"open admin" is only for admins', async () => {
    expect((await bot.say('megan', 'open admin')).replies.join('\n')).toMatch(/Global admins/);
    const reply = await bot.say('alex', 'open admin');
    expect((reply.cards[0] as { actions: Array<{ url: string }> }).actions[0].url).toMatch(/\/web\/admin#link=/);
  });
});

describe('the pages themselves', () => {
  it('serve HTML that Teams may frame and nobody else', async () => {
    const res = await fetch(`${bot.url}/web/purchases`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self' https:\/\/teams\.microsoft\.com/);
    expect(await res.text()).toMatch(/<script src="\/web\/assets\/purchases\.js">/);
    expect((await fetch(`${bot.url}/web/nope`)).status).toBe(404);
    const js = await fetch(`${bot.url}/web/assets/purchases.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it('API bodies must be JSON objects of bounded size', async () => {
    const { url } = bot;
    const link = new URLSearchParams(new URL(((await bot.say('megan', 'open my purchases')).cards[0] as { actions: Array<{ url: string }> }).actions[0].url).hash.slice(1)).get(
      'link',
    )!;
    const post = (body: string, type = 'application/json') =>
      fetch(`${url}/api/web/me`, { method: 'POST', headers: { authorization: `Link ${link}`, 'content-type': type }, body });
    // /me is GET-only: a POST is a 405 from the router, never a handler.
    expect([404, 405]).toContain((await post('{}')).status);
    const tok = await fetch(`${url}/payments/sandbox/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(tok.status).toBe(400);
  });
});
