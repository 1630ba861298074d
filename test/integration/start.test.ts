import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { startPostgres, type PostgresCluster } from '../support/postgres';
import pino from 'pino';
import { createServer } from '../../bot/server';

const waitForHealth = async (url: string, ms: number): Promise<Response> => {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fetch(url);
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
};

describe('npm start', () => {
  let dir: string;
  let child: ChildProcess | null = null;
  let output = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ssp-start-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('creates and migrates the SQLite database, seeds the demo tenant and answers /healthz with 200', async () => {
    const port = await freePort();
    const db = path.join(dir, 'nested', 'app.db');
    child = spawn(process.execPath, [require.resolve('tsx/cli'), 'bot/index.ts'], {
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `file:${db}`, NODE_ENV: 'development', LOG_LEVEL: 'info', BILLING_INTERVAL_MINUTES: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => {
      output += d;
    });
    child.stderr!.resume(); // restify 11 prints Node deprecation warnings there
    const res = await waitForHealth(`http://127.0.0.1:${port}/healthz`, 60_000);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'up' });
    expect(existsSync(db)).toBe(true);
    // Structured logs: every line on stdout is JSON.
    const lines = output.trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(output).toContain('demo tenant seeded');
  }, 90_000);

  test('a bad configuration stops the start with one clear line per problem', async () => {
    const run = spawn(process.execPath, [require.resolve('tsx/cli'), 'bot/index.ts'], {
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, PORT: 'eighty', DATABASE_URL: 'mysql://nope' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    run.stderr!.on('data', (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/PORT must be a port number \(got "eighty"\)/);
    expect(err).toMatch(/DATABASE_URL must be a SQLite file URL such as file:.\/data\/app.db or a PostgreSQL URL/);
  }, 60_000);
});

describe('npm start on PostgreSQL (DATABASE_URL=postgresql://…)', () => {
  let pg: PostgresCluster;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(
      children
        .filter((c) => c.exitCode === null)
        .map((c) => {
          const exited = new Promise((r) => c.once('exit', r));
          c.kill('SIGTERM');
          return exited;
        }),
    );
    await pg?.stop();
  });

  test('two instances started at once on a fresh database: one migrates, both seed safely, both answer /healthz and a turn', async () => {
    const url = await pg.createDatabase('started');
    const start = async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'bot/index.ts'], {
        cwd: path.join(__dirname, '..', '..'),
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, NODE_ENV: 'development', LOG_LEVEL: 'info', BILLING_INTERVAL_MINUTES: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.resume();
      return { port, child, output: () => out };
    };
    const instances = await Promise.all([start(), start()]);
    for (const { port } of instances) {
      const res = await waitForHealth(`http://127.0.0.1:${port}/healthz`, 90_000);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', database: 'up' });
    }
    const logs = instances.map((i) => i.output());
    expect(logs.filter((l) => l.includes('migrations applied'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('migrations: the database is up to date'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('demo tenant seeded'))).toHaveLength(1);
    // The seed is claimed without a unique violation: nothing for a DBA to find in the server's log.
    expect(readFileSync(path.join(path.dirname(pg.dataDir), 'server.log'), 'utf8')).not.toContain('IdempotencyRecord_pkey');
    expect(pg.psql('started', `SELECT count(*) FROM "Tenant"`)).toBe('1');
    // A turn on each instance reads the same tenant.
    for (const { port } of instances) {
      const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'conversationUpdate',
          channelId: 'msteams',
          serviceUrl: 'http://127.0.0.1:9/',
          conversation: { id: 'a:1', conversationType: 'personal', tenantId: 'not-a-tenant' },
          recipient: { id: '28:bot' },
          membersAdded: [],
        }),
      });
      expect(res.status).toBe(200);
    }
  }, 180_000);
});

describe('/healthz', () => {
  test('answers 503 when the database does not answer', async () => {
    const server = createServer({ logger: pino({ level: 'silent' }), checkDatabase: () => Promise.reject(new Error('disk gone')) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', database: 'down' });
    // Probes that use HEAD get the same answer, without a body.
    const head = await fetch(`http://127.0.0.1:${port}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(503);
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('HEAD /healthz answers 200 with no body when the database answers', async () => {
    const server = createServer({ logger: pino({ level: 'silent' }), checkDatabase: () => Promise.resolve() });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    const head = await fetch(`http://127.0.0.1:${port}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await new Promise<void>((r) => server.close(() => r()));
  });
});
