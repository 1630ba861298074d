import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { buildAppPackage, fillTemplate, PackageError, PLACEHOLDERS, resolveValues, validateManifest, type AppManifest, type PackageResult } from '../../scripts/package-app';
import { ACCENT_COLOR, drawColorIcon, drawOutlineIcon } from '../../scripts/make-icons';
import { COMMANDS } from '../../bot/features/registry';
import { decodePng } from './png';

const ROOT = path.resolve(__dirname, '..', '..');
const APP_ID = 'c9b1a4e2-7d3f-4b8a-9e6c-2f1d0a5b7c31';
const BOT_ID = '5e2d8f14-3a6b-4c9d-8e7f-0a1b2c3d4e5f';
const DOMAIN = 'purchases.contoso.com';
const REAL_ENV = { TEAMS_APP_ID: APP_ID, BOT_ID, BOT_DOMAIN: DOMAIN };

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The official schema for a manifest version, read straight from @microsoft/app-manifest's bundled copy. */
const officialSchema = (version: string) => {
  const file = path.join(path.dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build', 'json-schemas', 'teams', `v${version}`, 'MicrosoftTeams.schema.json');
  return JSON.parse(readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b'));
};

const commandsFor = (manifest: AppManifest, scope: string): string[] =>
  (manifest.bots?.[0].commandLists ?? []).filter((l) => (l.scopes as string[]).includes(scope)).flatMap((l) => l.commands.map((c) => c.title));

describe('the Teams app package (npm run package)', () => {
  let built: PackageResult;
  let manifest: AppManifest;
  let zip: JSZip;

  beforeAll(async () => {
    built = await buildAppPackage({ env: REAL_ENV, outDir: tempDir() });
    manifest = JSON.parse(readFileSync(built.manifestFile, 'utf8'));
    zip = await JSZip.loadAsync(readFileSync(built.zipFile));
  });

  test('is valid against the official Teams manifest schema (1.25 or newer, with supportsChannelFeatures), checked offline', async () => {
    const [major, minor] = manifest.manifestVersion.split('.').map(Number);
    expect(major === 1 && minor >= 25).toBe(true);
    // The bot works in shared and private channels too: people of another organization are told it is not for them.
    expect((manifest as { supportsChannelFeatures?: string }).supportsChannelFeatures).toBe('tier1');
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    expect(await AppManifestUtils.validateAgainstSchema(manifest, officialSchema(manifest.manifestVersion))).toEqual([]);
    expect(built.warnings).toEqual([]);
  });

  test('the zip holds exactly manifest.json, color.png and outline.png at its root, as built', async () => {
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(Object.values(zip.files).some((f) => f.dir)).toBe(false);
    expect(await zip.file('manifest.json')!.async('string')).toBe(readFileSync(built.manifestFile, 'utf8'));
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    for (const name of ['color.png', 'outline.png']) {
      expect((await zip.file(name)!.async('nodebuffer')).equals(readFileSync(path.join(ROOT, 'manifest', name)))).toBe(true);
    }
  });

  test('icons: color is 192×192 and opaque; outline is 32×32, white on transparent', async () => {
    const png = async (name: string) => zip.file(name)!.async('nodebuffer');
    const color = await png('color.png');
    const outline = await png('outline.png');
    // Sizes as Teams reads them: from the IHDR chunk.
    expect(color.toString('ascii', 12, 16)).toBe('IHDR');
    expect([color.readUInt32BE(16), color.readUInt32BE(20)]).toEqual([192, 192]);
    expect([outline.readUInt32BE(16), outline.readUInt32BE(20)]).toEqual([32, 32]);

    const c = decodePng(color);
    const alphas = c.pixels.filter((_, i) => i % 4 === 3);
    expect(alphas.every((a) => a === 255)).toBe(true);
    // Full-bleed background in the manifest's accent colour, which Teams shows around the icon.
    expect(manifest.accentColor).toBe(ACCENT_COLOR);
    const hex = `#${[...c.pixels.subarray(0, 3)].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    expect(hex.toUpperCase()).toBe(ACCENT_COLOR.toUpperCase());

    const o = decodePng(outline);
    const offenders: string[] = [];
    let visible = 0;
    for (let i = 0; i < o.width * o.height; i++) {
      const [r, g, b, a] = o.pixels.subarray(i * 4, i * 4 + 4);
      if (a > 0) visible++;
      if (a > 0 && (r !== 255 || g !== 255 || b !== 255)) offenders.push(`(${i % o.width},${Math.floor(i / o.width)}) rgba(${r},${g},${b},${a})`);
    }
    expect(offenders).toEqual([]);
    // A glyph, not an empty square and not a filled one.
    expect(visible).toBeGreaterThan(150);
    expect(visible).toBeLessThan(32 * 32 - 150);
    const corners = [0, 31, 32 * 31, 32 * 32 - 1].map((i) => o.pixels[i * 4 + 3]);
    expect(corners).toEqual([0, 0, 0, 0]);
  });

  test('the committed icons are what scripts/make-icons.ts draws', () => {
    for (const [name, drawn] of [
      ['color.png', drawColorIcon()],
      ['outline.png', drawOutlineIcon()],
    ] as const) {
      const committed = decodePng(readFileSync(path.join(ROOT, 'manifest', name)));
      expect([committed.width, committed.height]).toEqual([drawn.width, drawn.height]);
      expect(Buffer.from(committed.pixels).equals(Buffer.from(drawn.data))).toBe(true);
    }
  });

  test('ids and the domain are filled in everywhere, and every URL is https on the bot domain', () => {
    const text = readFileSync(built.manifestFile, 'utf8');
    expect(text).not.toMatch(/\{\{|\}\}/);
    for (const fake of Object.values(PLACEHOLDERS)) expect(text).not.toContain(fake);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.version).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    const urls = [...text.matchAll(/"(https?:\/\/[^"]+)"/g)].map((m) => m[1]).filter((u) => !u.startsWith('https://developer.microsoft.com/json-schemas/'));
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const u of urls) expect(new URL(u)).toMatchObject({ protocol: 'https:', host: DOMAIN });
  });

  test('the bot: personal, team and group chat; no files; the right id', () => {
    expect(manifest.bots).toHaveLength(1);
    const [bot] = manifest.bots!;
    expect(bot.botId).toBe(BOT_ID);
    expect([...bot.scopes!].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(false);
    expect(bot.isNotificationOnly).toBe(false);
  });

  test('command lists: the purchaser and admin commands, each one the bot understands, in its scope', () => {
    const personal = commandsFor(manifest, 'personal');
    const team = commandsFor(manifest, 'team');
    expect(personal).toEqual(
      expect.arrayContaining(['help', 'catalog', 'buy', 'trial', 'my purchases', 'bills', 'pay', 'cancel', 'payment method', 'recurring', 'add licenses', 'assign']),
    );
    expect(team).toEqual(
      expect.arrayContaining(['purchases', 'licenses', 'export', 'policies', 'set policy', 'take over', 'centralize', 'approvals', 'audit', 'roles', 'use this channel']),
    );
    expect(commandsFor(manifest, 'groupChat').length).toBeGreaterThan(0);

    // Teams puts a command's title in the compose box: each must name one of the bot's routes,
    // purchaser commands in the 1:1 and group chat lists, admin commands in the team list.
    const routeScope = new Map(COMMANDS.map((r) => [r.name, r.scope]));
    const wrong = [
      ...[...personal, ...commandsFor(manifest, 'groupChat')].filter((t) => routeScope.get(t) !== 'personal').map((t) => `personal/groupChat: ${t}`),
      ...team.filter((t) => t !== 'use this channel' && routeScope.get(t) !== 'admin').map((t) => `team: ${t}`),
    ];
    expect(wrong).toEqual([]);
    for (const list of manifest.bots![0].commandLists!) {
      expect(new Set(list.commands.map((c) => c.title)).size).toBe(list.commands.length);
      for (const c of list.commands) expect(c.description?.length ?? 0).toBeGreaterThan(0);
    }
  });

  test('static tabs: My purchases and Admin pages, plus the chat and about tabs, all personal', () => {
    const tabs = manifest.staticTabs!;
    expect(tabs.find((t) => t.entityId === 'purchases')).toMatchObject({ name: 'My purchases', contentUrl: `https://${DOMAIN}/web/purchases`, scopes: ['personal'] });
    expect(tabs.find((t) => t.entityId === 'admin')).toMatchObject({ name: 'Admin', contentUrl: `https://${DOMAIN}/web/admin`, scopes: ['personal'] });
    expect(tabs.map((t) => t.entityId)).toEqual(expect.arrayContaining(['conversations', 'about']));
    for (const t of tabs) expect(t.scopes).toEqual(['personal']);
  });

  test('validDomains and SSO: the bot domain, and the bot app as api://<domain>/<bot id>', () => {
    expect(manifest.validDomains).toContain(DOMAIN);
    expect(manifest.webApplicationInfo).toEqual({ id: BOT_ID, resource: `api://${DOMAIN}/${BOT_ID}` });
  });
});

describe('package values', () => {
  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      resolveValues(env, '1.0.0');
    } catch (e) {
      if (e instanceof PackageError) return e.problems;
      throw e;
    }
    return [];
  };

  test('in development, missing values become placeholders, with a warning naming what to set; the package is still valid', async () => {
    const outDir = tempDir();
    const result = await buildAppPackage({ env: {}, outDir });
    expect(result.values).toMatchObject({ TEAMS_APP_ID: PLACEHOLDERS.TEAMS_APP_ID, BOT_ID: PLACEHOLDERS.BOT_ID, BOT_DOMAIN: PLACEHOLDERS.BOT_DOMAIN });
    expect(result.warnings.join('\n')).toMatch(/TEAMS_APP_ID.*BOT_ID.*BOT_DOMAIN/);
    expect(await validateManifest(result.manifest as unknown as Record<string, unknown>)).toEqual([]);
    expect(existsSync(path.join(outDir, 'appPackage.zip'))).toBe(true);
  });

  test('with NODE_ENV=production every value is required', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'TEAMS_APP_ID is required with NODE_ENV=production',
      'BOT_ID (or MicrosoftAppId) is required with NODE_ENV=production',
      'BOT_DOMAIN (or an https PUBLIC_URL) is required with NODE_ENV=production',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', ...REAL_ENV })).toEqual([]);
  });

  test("the bot's own names are read too: MicrosoftAppId, the host of an https PUBLIC_URL, a separate SSO app", () => {
    const sso = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const { values, warnings } = resolveValues({ TEAMS_APP_ID: APP_ID, MicrosoftAppId: BOT_ID, PUBLIC_URL: `https://${DOMAIN}/`, SSO_CLIENT_ID: sso }, '1.0.0');
    expect(warnings).toEqual([]);
    expect(values).toEqual({ TEAMS_APP_ID: APP_ID, BOT_ID, BOT_DOMAIN: DOMAIN, APP_VERSION: '1.0.0', SSO_CLIENT_ID: sso, SSO_APP_ID_URI: `api://${DOMAIN}/${sso}` });
    // A local http PUBLIC_URL is normal for the bot, but says nothing about the domain Teams uses.
    const local = resolveValues({ ...REAL_ENV, BOT_DOMAIN: '', PUBLIC_URL: 'http://localhost:3978' }, '1.0.0');
    expect(local.values.BOT_DOMAIN).toBe(PLACEHOLDERS.BOT_DOMAIN);
    expect(local.warnings.join('\n')).toMatch(/PUBLIC_URL .* not https/);
  });

  test.each([
    [{ TEAMS_APP_ID: 'not-a-guid' }, 'TEAMS_APP_ID must be a GUID'],
    [{ BOT_ID: '1234' }, 'BOT_ID must be a GUID'],
    [{ MicrosoftAppId: `${BOT_ID}x` }, 'MicrosoftAppId must be a GUID'],
    [{ MicrosoftAppId: APP_ID }, 'MicrosoftAppId (c9b1a4e2-7d3f-4b8a-9e6c-2f1d0a5b7c31) and BOT_ID (5e2d8f14-3a6b-4c9d-8e7f-0a1b2c3d4e5f) differ'],
    [{ BOT_DOMAIN: `https://${DOMAIN}` }, 'BOT_DOMAIN must be a host name such as bot.contoso.com, without https://'],
    [{ BOT_DOMAIN: `${DOMAIN}/web` }, 'without a path'],
    [{ BOT_DOMAIN: `${DOMAIN}:8443` }, 'without a port'],
    [{ BOT_DOMAIN: 'bot_contoso.com' }, 'BOT_DOMAIN must be a host name'],
    [{ BOT_DOMAIN: '', PUBLIC_URL: 'not a url' }, 'PUBLIC_URL must be a URL'],
    [{ BOT_DOMAIN: '', PUBLIC_URL: `https://${DOMAIN}:8443` }, 'PUBLIC_URL has a port'],
    [{ APP_VERSION: '1.0' }, 'APP_VERSION must be a version'],
    [{ SSO_CLIENT_ID: 'sso' }, 'SSO_CLIENT_ID must be a GUID'],
    [{ SSO_APP_ID_URI: `https://${DOMAIN}` }, 'SSO_APP_ID_URI must be an Application ID URI'],
  ])('a malformed value fails with a clear message: %j', async (bad, message) => {
    expect(problemsOf({ ...REAL_ENV, ...bad }).join('\n')).toContain(message);
    const outDir = path.join(tempDir(), 'out');
    await expect(buildAppPackage({ env: { ...REAL_ENV, ...bad }, outDir })).rejects.toThrow(PackageError);
    expect(existsSync(outDir)).toBe(false);
  });

  test('every problem is reported at once', () => {
    expect(problemsOf({ TEAMS_APP_ID: 'x', BOT_ID: 'y', BOT_DOMAIN: 'https://z' })).toHaveLength(3);
  });

  test('the template may use only known placeholders, and the schema check catches an invalid manifest', async () => {
    const { values } = resolveValues(REAL_ENV, '1.0.0');
    expect(() => fillTemplate({ name: '{{BOT_NAME}}' }, values)).toThrow('{{BOT_NAME}}');
    const manifest = fillTemplate(JSON.parse(readFileSync(path.join(ROOT, 'manifest', 'manifest.template.json'), 'utf8')), values) as AppManifest;
    const tooMany = structuredClone(manifest);
    tooMany.bots![0].commandLists![0].commands.push(...Array.from({ length: 13 }, (_, i) => ({ title: `c${i}`, description: 'd' })));
    tooMany.accentColor = 'blue';
    const errors = await validateManifest(tooMany as unknown as Record<string, unknown>);
    expect(errors.join('\n')).toMatch(/accentColor/);
    expect(errors.join('\n')).toMatch(/commands must NOT have more than/);
    expect(await validateManifest({ ...manifest, manifestVersion: '9.99' })).toEqual([expect.stringContaining('no schema bundled')]);
  });
});

describe('the CLI', () => {
  const OURS = ['TEAMS_APP_ID', 'BOT_ID', 'MicrosoftAppId', 'BOT_DOMAIN', 'PUBLIC_URL', 'SSO_CLIENT_ID', 'AAD_APP_CLIENT_ID', 'SSO_APP_ID_URI', 'APP_VERSION', 'NODE_ENV'];
  const run = (env: Record<string, string>, outDir: string) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OURS.includes(k)));
    return spawnSync('npx', ['tsx', 'scripts/package-app.ts', '--out', outDir], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000 });
  };

  test('exits 1 with the problem on stderr for a malformed GUID, writing nothing', () => {
    const outDir = path.join(tempDir(), 'out');
    const r = run({ ...REAL_ENV, TEAMS_APP_ID: 'not-a-guid' }, outDir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('TEAMS_APP_ID must be a GUID');
    expect(existsSync(outDir)).toBe(false);
  });

  test('exits 0 and writes the zip with good values', () => {
    const outDir = tempDir();
    const r = run(REAL_ENV, outDir);
    expect(r.stderr).not.toContain('warning:');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('appPackage.zip');
    expect(existsSync(path.join(outDir, 'appPackage.zip'))).toBe(true);
  });
});
