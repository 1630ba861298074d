import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { freePort } from '../support/free-port';
import path from 'node:path';
import { PageAssets } from '../../bot/web/pages';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { ConnectorStandIn } from '../bot/connector-stand-in';

// The production build (scripts/build.js) and `npm start` (scripts/start.js), built into a folder of
// the test's own (BUILD_DIR, inside the checkout so that the bundle finds node_modules) so the
// checkout's build/ is left alone.
const { build, staleReason } = require('../../scripts/build.js') as {
  build(options?: { quiet?: boolean }): Promise<void>;
  staleReason(dir?: string): string | null;
};

const ROOT = path.join(__dirname, '..', '..');

const childrenOf = (pid: number): number[] =>
  readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);

describe('the production build', () => {
  let dir: string;
  let child: ChildProcess | null = null;
  const saved = process.env.BUILD_DIR;

  beforeAll(async () => {
    mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
    dir = mkdtempSync(path.join(ROOT, '.tmp', 'build-test-'));
    process.env.BUILD_DIR = path.join(dir, 'build');
    await build({ quiet: true });
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (saved === undefined) delete process.env.BUILD_DIR;
    else process.env.BUILD_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  test('writes the server bundle and both page variants, and is fresh right after', () => {
    const out = path.join(dir, 'build');
    expect(readdirSync(path.join(out, 'server')).sort()).toEqual(['index.js', 'index.js.LEGAL.txt', 'index.js.map']);
    const min = readdirSync(path.join(out, 'web', 'min')).sort();
    expect(min).toEqual(expect.arrayContaining(['admin.js', 'checkout.js', 'purchases.js', 'admin.css', 'checkout.css']));
    expect(readdirSync(path.join(out, 'web', 'dev')).sort()).toEqual(min);
    const info = JSON.parse(readFileSync(path.join(out, 'build-info.json'), 'utf8')) as { inputs: string[] };
    expect(info.inputs).toEqual(expect.arrayContaining(['bot/index.ts', 'bot/web/pages.ts', 'prisma/migrate.ts', 'web/src/admin.ts']));
    expect(info.inputs.some((f) => f.startsWith('prisma/generated/'))).toBe(true);
    expect(staleReason(out)).toBeNull();
  });

  test('is stale when a file it read is newer than the build, or gone', () => {
    const out = path.join(dir, 'build');
    const infoFile = path.join(out, 'build-info.json');
    const original = readFileSync(infoFile, 'utf8');
    try {
      const past = new Date(Date.now() - 10 * 365 * 24 * 3600 * 1000);
      utimesSync(infoFile, past, past);
      expect(staleReason(out)).toMatch(/ changed$/);
      const info = JSON.parse(original) as { inputs: string[] };
      writeFileSync(infoFile, JSON.stringify({ ...info, inputs: [...info.inputs, 'bot/no-such-file.ts'] }));
      expect(staleReason(out)).toBe('bot/no-such-file.ts is gone');
    } finally {
      writeFileSync(infoFile, original);
    }
    expect(staleReason(out)).toBeNull();
  });

  test.each([true, false])(
    'pre-built pages are byte for byte what the server bundles in memory (minify %s)',
    async (minify) => {
      const variant = path.join(dir, 'build', 'web', minify ? 'min' : 'dev');
      const inMemory = await new PageAssets({ minify }).warm();
      const prebuilt = new Map(readdirSync(variant).map((f) => [f, readFileSync(path.join(variant, f), 'utf8')]));
      expect([...prebuilt.keys()].sort()).toEqual([...inMemory.keys()].sort());
      for (const [file, text] of inMemory) expect(prebuilt.get(file)).toBe(text);
    },
    60_000,
  );

  test('npm start runs the built server in its own process: /healthz answers, a turn is answered, pages are served pre-built, no esbuild beside it', async () => {
    const port = await freePort();
    const connector = await new ConnectorStandIn().start();
    child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        BUILD_DIR: path.join(dir, 'build'),
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `file:${path.join(dir, 'app.db')}`,
        NODE_ENV: 'development',
        BILLING_INTERVAL_MINUTES: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const until = Date.now() + 30_000;
    let health: Response | null = null;
    while (!health) {
      try {
        health = await fetch(`http://127.0.0.1:${port}/healthz`);
      } catch (e) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no /healthz: ${String(e)}\n${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(health.status).toBe(200);
    expect(err).not.toMatch(/rebuilding/);
    const asset = await fetch(`http://127.0.0.1:${port}/web/assets/admin.js`);
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe(readFileSync(path.join(dir, 'build', 'web', 'dev', 'admin.js'), 'utf8'));
    expect(childrenOf(child.pid!)).toEqual([]);
    // A turn through the bundled botbuilder, restify, Prisma and cards: the demo purchaser's purchases.
    const megan = DEMO_USERS.megan;
    const turn = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: 'm1',
        channelId: 'msteams',
        serviceUrl: connector.url,
        timestamp: new Date().toISOString(),
        text: 'my purchases',
        from: { id: `29:${megan.id}`, name: megan.displayName, aadObjectId: megan.id },
        recipient: { id: '28:purchases-bot', name: 'Purchases' },
        conversation: { id: 'a:personal-build-test', conversationType: 'personal', tenantId: DEMO_TENANT_ID },
        channelData: { tenant: { id: DEMO_TENANT_ID } },
      }),
    });
    expect(turn.status).toBeLessThan(300);
    const [reply] = await connector.waitFor('a:personal-build-test', 1, 10_000);
    expect(reply.activity.attachments?.length).toBeGreaterThan(0);
    await connector.stop();
    // The migrations were found next to their source, and every log line is JSON.
    expect(out).toContain('migrations applied');
    for (const line of out.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  }, 60_000);
});
