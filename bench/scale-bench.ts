/**
 * Benchmark (not a test): one, two and three instances of the server (the production build) on one
 * PostgreSQL, behind a round-robin splitter, under a write-heavy mix (every other request a purchase
 * with a new form, the others assigning the next person on a 10,000-license subscription), with each
 * instance's event-loop delay (EVENT_LOOP_LOG_MS); then an outbox drain of several tenants across
 * two instances, measured at the connector stand-in against what the Teams limits allow.
 *
 *   npm run bench:scale                      # rewrites its section of bench/RESULTS.md and bench/results-scale.json
 *   npm run bench:scale -- --duration 10
 *   npm run bench:scale -- --drain-only      # the outbox drain alone, printed, nothing written
 *   npm run bench:scale -- --cpu-prof        # also a V8 CPU profile of each instance, in bench/.data/scale/
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startPostgres, type PostgresCluster } from '../test/support/postgres';
import { freePort } from '../test/support/free-port';
import { openDatabase } from '../prisma/client';
import { PrismaUnitOfWork } from '../prisma/unit-of-work';
import { PrismaConversationStore } from '../prisma/conversation-store';
import { DEMO_TENANT_ID, DEMO_USERS } from '../prisma/seed-demo';
import { userKey } from '../bot/conversations';
import { upsertDirectoryUsers } from '../domain/directory/sync-directory';
import { buySubscription } from '../domain/purchasing/buy-subscription';
import type { Deps } from '../domain/ports';
import type { NotificationIntent } from '../domain/model';
import { SandboxPaymentProvider } from '../payments/sandbox-payment-provider';
import { peakInWindow, spawnConnectorStandIn, type Arrival } from './connector-stand-in';
import { writeResultsJson, writeResultsSection } from './results-md';
import { startScriptFlags } from './start-flags';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const DURATION = Number(option('duration', '15'));
const WARMUP = 3;
const CONNECTIONS = 12;
const ROOT = path.join(__dirname, '..');
const SECRET = 'scale-bench-sandbox-secret-0123456';
const PEOPLE = 12_000;
const personId = (i: number) => `00000000-scale-0000-0000-${String(i % PEOPLE).padStart(12, '0')}`;
const DRAIN_TENANTS = 4;
const DRAIN_PER_TENANT = 500;

interface Instance {
  port: number;
  child: ChildProcess;
  output: string;
}

const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

const waitFor = async (what: string, ok: () => Promise<boolean>, ms: number) => {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

const startInstance = async (url: string, outboxMs: number): Promise<Instance> => {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...startScriptFlags(),
      ...(args.includes('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench', '.data', 'scale')}`] : []),
      path.join(ROOT, 'build', 'server', 'index.js'),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: url,
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        PAYMENT_SANDBOX_SECRET: SECRET,
        BILLING_INTERVAL_MINUTES: '0',
        OUTBOX_INTERVAL_MS: String(outboxMs),
        EVENT_LOOP_LOG_MS: '1000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const instance: Instance = { port, child, output: '' };
  child.stdout!.on('data', (d) => (instance.output += d));
  child.stderr!.on('data', (d) => (instance.output += d));
  await waitFor(
    `instance on ${port}`,
    () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    90_000,
  );
  return instance;
};

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/** Round robin over the instances, keeping connections to them alive (as a load balancer does). */
const startSplitter = async (ports: number[]) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const server = http.createServer((req, res) => {
    const port = ports[next++ % ports.length];
    const upstream = http.request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
};

const invoke = (serviceUrl: string, who: { id: string; displayName: string }, verb: string, data: Record<string, unknown>) =>
  JSON.stringify({
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    locale: 'en-US',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    from: { id: `29:${who.id}`, name: who.displayName, aadObjectId: who.id },
    recipient: { id: '28:purchases-bot', name: 'Purchases' },
    replyToId: 'card-1',
    conversation: { id: `a:personal-${who.id}`, conversationType: 'personal', tenantId: DEMO_TENANT_ID },
    channelData: { tenant: { id: DEMO_TENANT_ID } },
  });

const depsOn = async (url: string): Promise<{ deps: Deps; close(): Promise<void>; db: Awaited<ReturnType<typeof openDatabase>> }> => {
  const db = await openDatabase(url);
  const deps: Deps = {
    uow: new PrismaUnitOfWork(db),
    payments: new SandboxPaymentProvider(SECRET),
    clock: { now: () => new Date() },
    ids: { next: randomUUID },
    settings: { enabledMarkets: ['US'], reminderDays: 7 },
  };
  return { deps, db, close: () => db.close() };
};

/** The event loop's p99 (and worst max) over the lines an instance logged since `from` characters of its output. */
const loopDelay = (instance: Instance, from: number) => {
  const lines = instance.output
    .slice(from)
    .split('\n')
    .filter((l) => l.includes('"event loop delay"'))
    .map((l) => JSON.parse(l) as { p99Ms: number; maxMs: number });
  const p99s = lines.map((l) => l.p99Ms).sort((a, b) => a - b);
  return { p99Ms: p99s[Math.floor(p99s.length / 2)] ?? NaN, maxMs: Math.max(...lines.map((l) => l.maxMs)) };
};

interface ScaleRun {
  instances: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  cpuMsPerRequest: number[];
  loop: Array<{ p99Ms: number; maxMs: number }>;
}

const scaleRun = async (cluster: PostgresCluster, n: number, connectorUrl: string): Promise<ScaleRun> => {
  const url = await cluster.createDatabase(`scale${n}`);
  const instances: Instance[] = [];
  for (let i = 0; i < n; i++) instances.push(await startInstance(url, 2000));
  const { deps, close } = await depsOn(url);
  try {
    for (let from = 0; from < PEOPLE; from += 1000) {
      await upsertDirectoryUsers(
        deps,
        Array.from({ length: 1000 }, (_, k) => ({
          id: personId(from + k),
          tenantId: DEMO_TENANT_ID,
          displayName: `Scale Person ${from + k}`,
          email: `scale${from + k}@example.com`,
          isGuest: false,
          active: true,
        })),
      );
    }
    const card = new SandboxPaymentProvider(SECRET).tokenize({ number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' }).token;
    const big = await buySubscription(
      deps,
      { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.lynne.id, surface: 'system' },
      { productId: 'CFQ7TTC0H9MP', quantity: 10_000, cardToken: card },
    );
    if (big.status !== 'created') throw new Error('the big subscription was not created');
    const splitter = await startSplitter(instances.map((i) => i.port));
    let seq = 0;
    const body = (i: number) =>
      i % 2 === 0
        ? invoke(connectorUrl, DEMO_USERS.patti, 'buy.submit', {
            productId: 'CFQ7TTC0LH2H',
            quantity: 1,
            billingFrequency: 'Monthly',
            formId: `scale-${n}-${i}`,
            savedCard: 'new',
            cardNumber: '4242 4242 4242 4242',
            cardExpiry: '12/35',
            cardCvc: '123',
            cardName: 'Patti Fernandez',
          })
        : invoke(connectorUrl, DEMO_USERS.lynne, 'licenses.assign', { subscriptionId: big.subscription.id, userIds: personId(i), people: '' });
    const cannon = (seconds: number, latencies?: number[]) => {
      const run = autocannon({
        url: `${splitter.url}/api/messages`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: body(seq++) }) }],
        connections: CONNECTIONS,
        duration: seconds,
      }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
      if (latencies) run.on('response', (_c, _s, _b, ms) => latencies.push(ms));
      return run;
    };
    await cannon(WARMUP);
    const marks = instances.map((i) => i.output.length);
    const cpu0 = instances.map((i) => cpuMs(i.child.pid!));
    const latencies: number[] = [];
    const result = await cannon(DURATION, latencies);
    const cpu1 = instances.map((i) => cpuMs(i.child.pid!));
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
    const perInstance = latencies.length / n;
    const run: ScaleRun = {
      instances: n,
      rps: latencies.length / DURATION,
      p50: pct(50),
      p99: pct(99),
      non2xx: result.non2xx,
      errors: result.errors,
      cpuMsPerRequest: cpu1.map((c, k) => (c - cpu0[k]) / perInstance),
      loop: instances.map((i, k) => loopDelay(i, marks[k])),
    };
    console.log(
      `${n} instance(s): ${run.rps.toFixed(0)} req/s, p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms, non-2xx ${run.non2xx}, CPU ms/req ${run.cpuMsPerRequest.map((c) => c.toFixed(1)).join(' / ')}, event loop p99 ${run.loop.map((l) => l.p99Ms).join(' / ')} ms`,
    );
    await splitter.close();
    return run;
  } finally {
    await close();
    await Promise.all(instances.map((i) => stop(i.child)));
  }
};

interface DrainRun {
  notifications: number;
  tenants: number;
  seconds: number;
  achievedPerSecond: number;
  allowedPerSecond: number;
  sentTwice: number;
  missing: number;
  tenantPeakPerSecond: number;
  conversationPeakPerSecond: number;
}

const drainRun = async (cluster: PostgresCluster, connector: { url: string }): Promise<DrainRun> => {
  const url = await cluster.createDatabase('drain');
  const instances = [await startInstance(url, 100), await startInstance(url, 100)];
  const { db, close } = await depsOn(url);
  try {
    const store = new PrismaConversationStore(db);
    const rows: NotificationIntent[] = [];
    for (let t = 0; t < DRAIN_TENANTS; t++) {
      const tenantId = `drain-tenant-${t}`;
      for (let p = 0; p < 100; p++) {
        await store.save(tenantId, userKey(`p${p}`), {
          channelId: 'msteams',
          serviceUrl: connector.url,
          conversation: { id: `a:drain-${t}-${p}`, conversationType: 'personal', tenantId } as never,
          user: { id: `29:p${p}`, name: `Person ${p}` },
          bot: { id: '28:purchases-bot', name: 'Purchases' },
        });
      }
      for (let k = 0; k < DRAIN_PER_TENANT; k++) {
        rows.push({
          id: `drain-${t}-${String(k).padStart(4, '0')}`,
          tenantId,
          recipient: { kind: 'user', userId: `p${k % 100}` },
          kind: 'TrialEnded',
          data: { subscriptionId: `sub-${k}`, productId: 'CFQ7TTC0HD33', productName: 'Visio Plan 1' },
          createdAt: new Date(),
        });
      }
    }
    const arrivals = async () => ((await (await fetch(`${connector.url}arrivals`)).json()) as Arrival[]).filter((a) => a.notificationId?.startsWith('drain-'));
    const before = (await arrivals()).length;
    const cpuBefore = instances.map((i) => cpuMs(i.child.pid!));
    await new PrismaUnitOfWork(db).run((r) => r.outbox.add(rows));
    await waitFor('the drain', async () => (await arrivals()).length - before >= rows.length, 300_000);
    const cpuDuring = instances.map((i, k) => cpuMs(i.child.pid!) - cpuBefore[k]);
    await new Promise((r) => setTimeout(r, 1000));
    const sends = (await arrivals()).slice(before);
    const times = sends.map((a) => a.at).sort((a, b) => a - b);
    const seconds = (times[times.length - 1] - times[0]) / 1000;
    const counts = new Map<string, number>();
    for (const a of sends) counts.set(a.notificationId!, (counts.get(a.notificationId!) ?? 0) + 1);
    const byTenant = new Map<string, number[]>();
    const byConversation = new Map<string, number[]>();
    for (const a of sends) {
      byTenant.set(a.tenantId ?? '', [...(byTenant.get(a.tenantId ?? '') ?? []), a.at]);
      byConversation.set(a.conversationId, [...(byConversation.get(a.conversationId) ?? []), a.at]);
    }
    // Each tenant at most 50/s: the drain can go no faster than its largest tenant at 50/s.
    const allowedSeconds = DRAIN_PER_TENANT / 50;
    const run: DrainRun = {
      notifications: rows.length,
      tenants: DRAIN_TENANTS,
      seconds,
      achievedPerSecond: rows.length / seconds,
      allowedPerSecond: rows.length / allowedSeconds,
      sentTwice: [...counts.values()].filter((c) => c > 1).length,
      missing: rows.filter((r) => !counts.has(r.id)).length,
      tenantPeakPerSecond: Math.max(...[...byTenant.values()].map((ts) => peakInWindow(ts, 1000))),
      conversationPeakPerSecond: Math.max(...[...byConversation.values()].map((ts) => peakInWindow(ts, 1000))),
    };
    console.log(`drain: ${JSON.stringify(run)}; instances' CPU during the drain: ${cpuDuring.map((c) => `${c.toFixed(0)} ms`).join(' / ')}`);
    for (const [tenantId, ts] of byTenant) {
      ts.sort((a, b) => a - b);
      const gaps = ts.slice(1).map((t, k) => ({ at: t - times[0], ms: t - ts[k] }));
      const lost = gaps.reduce((sum, g) => sum + Math.max(0, g.ms - 20), 0);
      const long = gaps.filter((g) => g.ms >= 60);
      console.log(
        `  ${tenantId}: ${ts.length} sends in ${((ts[ts.length - 1] - ts[0]) / 1000).toFixed(2)} s; ${lost.toFixed(0)} ms beyond the 20 ms spacing, ${long.length} gaps ≥ 60 ms: ${long.map((g) => `${g.ms.toFixed(0)}@${(g.at / 1000).toFixed(2)}`).join(' ')}`,
      );
    }
    return run;
  } finally {
    await close();
    await Promise.all(instances.map((i) => stop(i.child)));
  }
};

const main = async () => {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const cluster = await startPostgres();
  const connector = await spawnConnectorStandIn();
  try {
    if (args.includes('--drain-only')) {
      await drainRun(cluster, connector);
      return;
    }
    const runs: ScaleRun[] = [];
    for (const n of [1, 2, 3]) runs.push(await scaleRun(cluster, n, connector.url));
    const drain = await drainRun(cluster, connector);
    const rows = runs.map(
      (r) =>
        `| ${r.instances} | ${r.rps.toFixed(0)} | ${(r.rps / runs[0].rps).toFixed(2)}× | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.non2xx + r.errors} | ${r.cpuMsPerRequest.map((c) => c.toFixed(1)).join(' / ')} | ${r.loop.map((l) => `${l.p99Ms} (${l.maxMs})`).join(' / ')} |`,
    );
    const md = `## Scale-out: one, two and three instances on one PostgreSQL

Command: \`npm run bench:scale\` (bench/scale-bench.ts). The production build, ${CONNECTIONS} connections through a round-robin
splitter, ${WARMUP} s warm-up then ${DURATION} s; every other request is Patti pressing **Buy** on a new form (a charge, a
subscription, its bill, order, audit and admin notification), the others Lynne assigning the next of ${PEOPLE.toLocaleString('en-US')} people on a
10,000-license subscription. Each instance logs its event loop's delay every second (\`EVENT_LOOP_LOG_MS\`): the
median of those p99s, and the worst max, over the run. PostgreSQL 15, the instances, the splitter, autocannon and the
connector stand-in all share this machine's ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}).

| Instances | req/s | vs one | p50 ms | p99 ms | errors | server CPU ms/req (each) | event loop p99 ms (max), each |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

**Outbox across two instances.** ${drain.notifications.toLocaleString('en-US')} notifications for ${drain.tenants} tenants (100 people each), both instances polling
every 100 ms: drained in ${drain.seconds.toFixed(1)} s, ${drain.achievedPerSecond.toFixed(0)}/s against the ${drain.allowedPerSecond.toFixed(0)}/s the limits allow (50/s per
tenant) = ${((drain.achievedPerSecond / drain.allowedPerSecond) * 100).toFixed(0)}% (target ≥ 90%); peak ${drain.tenantPeakPerSecond}/s for one tenant and ${drain.conversationPeakPerSecond}/s for one
conversation in any second, as the stand-in saw them; ${drain.sentTwice} sent twice, ${drain.missing} missing.
`;
    writeResultsSection('scale', md);
    writeResultsJson('results-scale.json', {
      date: new Date().toISOString(),
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
      settings: { connections: CONNECTIONS, warmupSeconds: WARMUP, durationSeconds: DURATION },
      runs,
      drain,
    });
    console.log(`\n${md}`);
  } finally {
    connector.child.kill('SIGTERM');
    await cluster.stop();
  }
};

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
