import { CATALOG } from '../../domain/catalog/catalog-data';
import { matchProducts } from '../../domain/catalog/find-product';
import { SignedLinks } from '../../bot/signed-links';
import { matchRoute, suggestions } from '../../bot/routes';

const names = (words: string) => matchProducts(CATALOG, words).map((p) => p.name);

describe('products named in words', () => {
  test('exact names, ids and legacy ids win', () => {
    expect(names('Power BI Pro')).toEqual(['Power BI Pro']);
    expect(names('power bi pro')).toEqual(['Power BI Pro']);
    expect(names('CFQ7TTC0H9MP')).toEqual(['Power BI Pro']);
    const legacy = CATALOG.find((p) => p.legacyIds.length)!;
    expect(names(legacy.legacyIds[0])).toEqual([legacy.name]);
  });

  test('prefixes and word starts narrow down; ambiguity returns every candidate', () => {
    expect(names('visio plan 2')).toEqual(['Visio Plan 2']);
    expect(names('visio')).toEqual(['Visio Plan 1', 'Visio Plan 2']);
    expect(names('copilot')).toEqual(['Microsoft 365 Copilot']);
    expect(names('power automate rpa')).toEqual(['Power Automate RPA']);
  });

  test('nothing for words that name nothing', () => {
    expect(names('')).toEqual([]);
    expect(names('sandwich')).toEqual([]);
    expect(names('$$$')).toEqual([]);
  });
});

describe('signed links', () => {
  const now = { t: 1_000_000 };
  const links = new SignedLinks('0123456789abcdef0123456789abcdef', () => now.t);
  const claims = { tenantId: 't1', userId: 'u1', purpose: 'export', arg: null };

  test('a link verifies for its purpose until it expires', () => {
    const token = links.sign(claims, 60_000);
    expect(links.verify(token, 'export')).toMatchObject(claims);
    expect(links.verify(token, 'something-else')).toBeNull();
    now.t += 60_001;
    expect(links.verify(token, 'export')).toBeNull();
  });

  test('tampering, other secrets and junk are refused', () => {
    const token = links.sign(claims, 60_000);
    const [body, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, tenantId: 't2', exp: now.t + 60_000 })).toString('base64url');
    expect(links.verify(`${forged}.${mac}`, 'export')).toBeNull();
    expect(links.verify(`${body}.${mac.slice(0, -1)}A`, 'export')).toBeNull();
    expect(new SignedLinks('another-secret-of-16+chars', () => now.t).verify(token, 'export')).toBeNull();
    for (const junk of [undefined, null, 42, '', '.', 'a.b.c', 'x'.repeat(5000), { token }]) expect(links.verify(junk, 'export')).toBeNull();
  });
});

describe('the command table', () => {
  test.each([
    ['buy Power BI Pro 5', 'buy'],
    ['buy', 'catalog'],
    ['my purchases', 'my purchases'],
    ['purchases', 'purchases'],
    ['add 2 licenses to Power BI Pro', 'add licenses'],
    ['remove 1 license from Power BI Pro', 'remove licenses'],
    ['assign Power BI Pro to Adele', 'assign'],
    ['unassign Power BI Pro from Adele', 'unassign'],
    ['cancel Power BI Pro', 'cancel'],
    ['recurring off Power BI Pro', 'recurring'],
    ['set policy all trials only', 'set policy'],
    ['policies', 'policies'],
    ['disable Visio Plan 2', 'disable'],
    ['take over Power BI Pro from Megan', 'take over'],
    ['centralize Power BI Pro', 'centralize'],
    ['export', 'export'],
    ['licenses Power BI Pro', 'licenses'],
    ['grant billing admin to Adele', 'grant'],
    ['require approval on', 'require approval'],
  ])('"%s" → %s', (text, route) => {
    expect(matchRoute(text)?.route.name).toBe(route);
  });

  test('typos get the closest commands', () => {
    expect(suggestions('purchses')).toContain('purchases [self-service|central]');
    expect(suggestions('polcies')[0]).toBe('policies');
    expect(suggestions('xyzzy')).toEqual([]);
  });
});
