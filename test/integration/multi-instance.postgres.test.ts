import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { peakInWindow, spawnConnectorStandIn, tightestSpan, type Arrival } from '../../bench/connector-stand-in';
import { freePort } from '../support/free-port';
import { startPostgres, type PostgresCluster } from '../support/postgres';
import { openDatabase, type Database } from '../../prisma/client';
import { PrismaUnitOfWork } from '../../prisma/unit-of-work';
import { PrismaConversationStore } from '../../prisma/conversation-store';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { userKey } from '../../bot/conversations';
import { upsertDirectoryUsers } from '../../domain/directory/sync-directory';
import type { Deps } from '../../domain/ports';
import type { NotificationIntent } from '../../domain/model';
import { SandboxPaymentProvider } from '../../payments/sandbox-payment-provider';

/**
 * Three bot processes (the production build, as `npm start` runs it) on one PostgreSQL database,
 * behind a round-robin splitter, replying to one loopback Bot Connector stand-in: what a scale-out
 * deployment does, with the races it brings.
 */

const ROOT = path.join(__dirname, '..', '..');
const T = DEMO_TENANT_ID;
const SECRET = 'multi-instance-sandbox-secret-0123';
const POWER_BI = 'CFQ7TTC0H9MP';
const OTHER_PRODUCT = 'CFQ7TTC0LH2H';

interface Instance {
  index: number;
  port: number;
  child: ChildProcess;
  output: string;
  holder: () => string | null;
}

const waitFor = async (what: string, ok: () => Promise<boolean> | boolean, ms: number): Promise<void> => {
  const until = Date.now() + ms;
  for (;;) {
    if (await ok()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Round robin over the instances; an instance that is down is skipped, as a load balancer's health check would. */
const startSplitter = async (ports: () => number[]): Promise<{ url: string; close(): Promise<void> }> => {
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const live = ports();
      const attempt = (tries: number) => {
        if (tries >= live.length) {
          res.writeHead(502);
          res.end();
          return;
        }
        const port = live[next++ % live.length];
        const upstream = http.request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on('error', () => (res.headersSent ? res.destroy() : attempt(tries + 1)));
        upstream.end(body);
      };
      attempt(0);
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
};

const personalInvoke = (serviceUrl: string, who: { id: string; displayName: string }, verb: string, data: Record<string, unknown>) => ({
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
  conversation: { id: `a:personal-${who.id}`, conversationType: 'personal', tenantId: T },
  channelData: { tenant: { id: T } },
});

const buyForm = (formId: string, productId: string, quantity: number) => ({
  productId,
  quantity,
  billingFrequency: 'Monthly',
  formId,
  savedCard: 'new',
  cardNumber: '4242 4242 4242 4242',
  cardExpiry: '12/35',
  cardCvc: '123',
  cardName: 'Patti Fernandez',
});

describe('three instances on one PostgreSQL behind a round-robin splitter', () => {
  let pg: PostgresCluster;
  let url: string;
  /** The Bot Connector stand-in, in a process of its own so that its arrival times are not held up by this one's work. */
  let connector: { url: string; child: ChildProcess; arrivals(): Promise<Arrival[]> };
  let splitter: { url: string; close(): Promise<void> };
  let db: Database;
  const instances: Instance[] = [];
  const alive = () => instances.filter((i) => i.child.exitCode === null && i.child.signalCode === null);

  const post = async (activity: object): Promise<{ status: number; body: string }> => {
    const res = await fetch(`${splitter.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    return { status: res.status, body: await res.text() };
  };
  const sql = (query: string) => pg.psql('multi', query);

  const startInstance = async (index: number): Promise<Instance> => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--liftoff-only', path.join(ROOT, 'build', 'server', 'index.js')], {
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
        OUTBOX_INTERVAL_MS: '200',
        CHARGE_RECOVERY_AFTER_SECONDS: '3',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const instance: Instance = {
      index,
      port,
      child,
      output: '',
      holder: () => /"holder":"([^"]+)"/.exec(instance.output)?.[1] ?? null,
    };
    child.stdout!.on('data', (d) => (instance.output += d));
    child.stderr!.on('data', (d) => (instance.output += d));
    await waitFor(
      `instance ${index} /healthz`,
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status === 200,
          () => false,
        ),
      60_000,
    );
    return instance;
  };

  beforeAll(async () => {
    // The instances run the production build; bring it up to date first (a no-op on a fresh install).
    const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
    pg = await startPostgres();
    url = await pg.createDatabase('multi');
    const { child: standIn, url: standInUrl } = await spawnConnectorStandIn();
    connector = {
      url: standInUrl,
      child: standIn,
      arrivals: async () => (await fetch(`${standInUrl}arrivals`)).json() as Promise<Arrival[]>,
    };
    instances.push(...(await Promise.all([0, 1, 2].map(startInstance))));
    splitter = await startSplitter(() => alive().map((i) => i.port));
    db = await openDatabase(url);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(
      alive().map((i) => {
        const exited = new Promise((r) => i.child.once('exit', r));
        i.child.kill('SIGTERM');
        return exited;
      }),
    );
    // Each instance's log, kept for reading a failure afterwards (CI keeps .tmp/).
    mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
    for (const i of instances) writeFileSync(path.join(ROOT, '.tmp', `multi-instance-${i.index}.log`), i.output);
    await splitter?.close();
    connector?.child.kill('SIGTERM');
    await db?.close();
    await pg?.stop();
  });

  it('started together on a fresh database: one migrated and seeded, all three answer', () => {
    expect(instances.filter((i) => i.output.includes('migrations applied'))).toHaveLength(1);
    expect(instances.filter((i) => i.output.includes('demo tenant seeded'))).toHaveLength(1);
    expect(new Set(instances.map((i) => i.holder())).size).toBe(3);
  });

  it('50 presses of one Buy form at once, spread over the instances: one subscription, one charge', async () => {
    const formId = `form-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 50 }, () => post(personalInvoke(connector.url, DEMO_USERS.patti, 'buy.submit', buyForm(formId, OTHER_PRODUCT, 2)))));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(sql(`SELECT count(*) FROM "Subscription" WHERE "purchaserId" = '${DEMO_USERS.patti.id}' AND "productId" = '${OTHER_PRODUCT}'`)).toBe('1');
    expect(
      sql(
        `SELECT count(*), count(DISTINCT "chargeId") FROM "Invoice" i JOIN "Subscription" s ON s."id" = i."subscriptionId" WHERE s."purchaserId" = '${DEMO_USERS.patti.id}' AND s."productId" = '${OTHER_PRODUCT}'`,
      ),
    ).toBe('1|1');
    expect(sql(`SELECT count(*) FROM "ChargeIntent" WHERE "key" LIKE '%${formId}' AND "status" = 'Settled' AND "outcome" = 'Charged'`)).toBe('1');
  }, 120_000);

  it('30 assigns at once on a subscription with 10 free licenses: exactly 10 assigned, the rest told there is no free license', async () => {
    const people = Array.from({ length: 30 }, (_, i) => ({
      id: `mi-person-${i}`,
      tenantId: T,
      displayName: `Multi Person ${i}`,
      email: `mi${i}@example.com`,
      isGuest: false,
      active: true,
    }));
    const deps: Deps = {
      uow: new PrismaUnitOfWork(db),
      payments: new SandboxPaymentProvider(SECRET),
      clock: { now: () => new Date() },
      ids: { next: randomUUID },
      settings: { enabledMarkets: ['US'], reminderDays: 7 },
    };
    await upsertDirectoryUsers(deps, people);
    const bought = await post(personalInvoke(connector.url, DEMO_USERS.lynne, 'buy.submit', buyForm(`form-${randomUUID()}`, POWER_BI, 10)));
    expect(bought.status).toBe(200);
    const subscriptionId = sql(`SELECT "id" FROM "Subscription" WHERE "purchaserId" = '${DEMO_USERS.lynne.id}' AND "productId" = '${POWER_BI}' AND "quantity" = 10`);
    expect(subscriptionId).toMatch(/\S/);
    const results = await Promise.all(people.map((p) => post(personalInvoke(connector.url, DEMO_USERS.lynne, 'licenses.assign', { subscriptionId, userIds: p.id, people: '' }))));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(sql(`SELECT count(*) FROM "LicenseAssignment" WHERE "subscriptionId" = '${subscriptionId}'`)).toBe('10');
    expect(sql(`SELECT "assignedCount" FROM "Subscription" WHERE "id" = '${subscriptionId}'`)).toBe('10');
    expect(results.filter((r) => /free licen|no licen|all \d+ licen|are assigned/i.test(r.body)).length).toBeGreaterThanOrEqual(20);
  }, 120_000);

  it('two admins taking over one purchase at once, on different instances: one take-over, the purchaser told once', async () => {
    sql(
      `INSERT INTO "RoleAssignment" ("tenantId", "userId", "role", "grantedBy", "grantedAt") VALUES ('${T}', '${DEMO_USERS.adele.id}', 'GlobalAdmin', NULL, now()) ON CONFLICT DO NOTHING`,
    );
    const subscriptionId = sql(
      `SELECT "id" FROM "Subscription" WHERE "purchaserId" = '${DEMO_USERS.megan.id}' AND "productId" = '${POWER_BI}' AND "status" = 'Active' ORDER BY "createdAt" LIMIT 1`,
    );
    expect(subscriptionId).toMatch(/\S/);
    const data = { subscriptionId, mode: 'cancel', reason: 'Duplicate of a central subscription' };
    const results = await Promise.all([DEMO_USERS.alex, DEMO_USERS.adele].map((admin) => post(personalInvoke(connector.url, admin, 'takeover.submit', data))));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(sql(`SELECT "status" FROM "Subscription" WHERE "id" = '${subscriptionId}'`)).toBe('Deleted'); // taken over and cancelled
    expect(sql(`SELECT count(*) FROM "AuditEntry" WHERE "targetId" = '${subscriptionId}' AND "action" = 'takeover.cancel'`)).toBe('1');
    expect(sql(`SELECT count(*) FROM "OutboxNotification" WHERE "kind" = 'SubscriptionCancelledByAdmin' AND "data" LIKE '%${subscriptionId}%'`)).toBe('1');
  }, 60_000);

  it('a page link issued by one instance opens the pages on every instance; a chat one instance stored is where another one sends', async () => {
    // Megan asks instance 0 for her purchases page: the link comes back in her chat (at the stand-in).
    const conversation = `a:links-${randomUUID()}`;
    const said = await fetch(`http://127.0.0.1:${instances[0].port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: randomUUID(),
        channelId: 'msteams',
        serviceUrl: connector.url,
        timestamp: new Date().toISOString(),
        text: 'open my purchases',
        from: { id: `29:${DEMO_USERS.megan.id}`, name: DEMO_USERS.megan.displayName, aadObjectId: DEMO_USERS.megan.id },
        recipient: { id: '28:purchases-bot', name: 'Purchases' },
        conversation: { id: conversation, conversationType: 'personal', tenantId: T },
        channelData: { tenant: { id: T } },
      }),
    });
    expect(said.status).toBe(200);
    let reply: { attachments?: Array<{ content?: { actions?: Array<{ type: string; url?: string }> } }> } | null = null;
    await waitFor(
      'the link in her chat',
      async () => {
        const res = await fetch(`${connector.url}activity?conversation=${encodeURIComponent(conversation)}`);
        reply = res.status === 200 ? ((await res.json()) as typeof reply) : null;
        return reply !== null;
      },
      10_000,
    );
    const open = reply!.attachments?.[0]?.content?.actions?.find((a) => a.type === 'Action.OpenUrl')?.url;
    expect(open).toMatch(/\/web\/purchases#link=/);
    const link = new URLSearchParams(new URL(open!).hash.slice(1)).get('link')!;
    for (const { port } of instances) {
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/web/purchases`)).status).toBe(200);
      const me = await fetch(`${base}/api/web/me`, { headers: { authorization: `Link ${link}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ userId: DEMO_USERS.megan.id, signedInVia: 'signed-link' });
      const mine = await fetch(`${base}/api/web/my/subscriptions`, { headers: { authorization: `Link ${link}` } });
      expect(mine.status).toBe(200);
      expect(((await mine.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
      expect((await fetch(`${base}/api/web/me`, { headers: { authorization: `Link ${link.slice(0, -2)}xx` } })).status).toBe(401);
    }
    // The chat instance 0 stored is the one any instance's notification for Megan goes to.
    const before = ((await (await fetch(`${connector.url}stats`)).json()) as { byConversation: Record<string, number> }).byConversation[conversation] ?? 0;
    sql(
      `INSERT INTO "OutboxNotification" ("id", "tenantId", "recipientKind", "recipientUserId", "kind", "data", "createdAt", "attempts", "nextAttemptAt") VALUES ('links-${randomUUID()}', '${T}', 'user', '${DEMO_USERS.megan.id}', 'LicenseRemoved', '{"subscriptionId":"s","productId":"${POWER_BI}","productName":"Power BI Pro","reason":"Unassigned"}', now(), 0, now())`,
    );
    await waitFor(
      'the notice in the same chat',
      async () => (((await (await fetch(`${connector.url}stats`)).json()) as { byConversation: Record<string, number> }).byConversation[conversation] ?? 0) > before,
      20_000,
    );
  }, 60_000);

  it('1,000 notifications drained across the instances, the lease holder killed (kill -9) mid-drain: each sent once but for the sends in flight at the kill (held in doubt), within the Teams limits', async () => {
    const store = new PrismaConversationStore(db);
    const people = Array.from({ length: 100 }, (_, i) => `drain-person-${i}`);
    for (const [i, person] of people.entries()) {
      await store.save(T, userKey(person), {
        channelId: 'msteams',
        serviceUrl: connector.url,
        conversation: { id: `a:drain-${i}`, conversationType: 'personal', tenantId: T } as never,
        user: { id: `29:${person}`, name: `Drain ${i}` },
        bot: { id: '28:purchases-bot', name: 'Purchases' },
      });
    }
    const rows: NotificationIntent[] = Array.from({ length: 1000 }, (_, k) => ({
      id: `drain-${String(k).padStart(4, '0')}`,
      tenantId: T,
      recipient: { kind: 'user', userId: people[k % people.length] },
      kind: 'TrialEnded',
      data: { subscriptionId: `sub-${k}`, productId: 'CFQ7TTC0HD33', productName: 'Visio Plan 1' },
      createdAt: new Date(),
    }));
    const started = Date.now();
    await new PrismaUnitOfWork(db).run((r) => r.outbox.add(rows));
    const drained = async () => (await connector.arrivals()).filter((a) => a.notificationId?.startsWith('drain-'));
    // Kill the instance that holds the demo tenant's lease, once it has sent a good part.
    await waitFor('the first 150 sends', async () => (await drained()).length >= 150, 60_000);
    const [{ holder }] = await db.reader.$queryRawUnsafe<Array<{ holder: string }>>(`SELECT "holder" FROM "OutboxLease" WHERE "tenantId" = $1`, T);
    const victim = instances.find((i) => i.holder() === holder)!;
    expect(victim).toBeDefined();
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    const atKill = (await drained()).length;
    // The others take the tenant over when its lease ends (15 s) and drain the rest.
    await waitFor(
      'the drain to finish',
      () =>
        Number(sql(`SELECT count(*) FROM "OutboxNotification" WHERE "id" LIKE 'drain-%' AND "sentAt" IS NULL AND ("lastError" IS NULL OR "lastError" NOT LIKE 'IN_DOUBT%')`)) === 0,
      150_000,
    );
    const elapsed = (Date.now() - started) / 1000;
    const sends = await drained();
    writeFileSync(path.join(ROOT, '.tmp', 'multi-instance-arrivals.json'), JSON.stringify(sends));
    const ids = sends.map((a) => a.notificationId!);
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    const inDoubt = sql(`SELECT "id" FROM "OutboxNotification" WHERE "id" LIKE 'drain-%' AND "lastError" LIKE 'IN_DOUBT%'`).split('\n').filter(Boolean);
    // Nothing duplicated, nothing lost: every notification arrived once, except those in doubt (at most once).
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    const missing = rows.map((r) => r.id).filter((id) => !counts.has(id));
    expect(missing.filter((id) => !inDoubt.includes(id))).toEqual([]);
    // In doubt: only sends that were in flight at the kill (the sender sends a few at a time).
    expect(inDoubt.length).toBeLessThanOrEqual(10);
    // The limits, measured where Teams would measure them, for all instances together.
    const byConversation = new Map<string, number[]>();
    for (const r of sends) byConversation.set(r.conversationId, [...(byConversation.get(r.conversationId) ?? []), r.at]);
    for (const [, times] of byConversation) {
      expect(peakInWindow(times, 1000)).toBeLessThanOrEqual(7);
      expect(peakInWindow(times, 2000)).toBeLessThanOrEqual(8);
      expect(peakInWindow(times, 30_000)).toBeLessThanOrEqual(60);
    }
    // Printed before the check: how close the tenant came to its limit (51 arrivals within 1 s exceed it).
    console.log(
      `tenant: the tightest 51 consecutive arrivals took ${tightestSpan(
        sends.map((r) => r.at),
        51,
      ).toFixed(1)} ms`,
    );
    expect(
      peakInWindow(
        sends.map((r) => r.at),
        1000,
      ),
    ).toBeLessThanOrEqual(50);
    console.log(
      `drain: ${sends.length} sends in ${elapsed.toFixed(1)} s, ${atKill} before the kill, ${inDoubt.length} in doubt, tenant peak ${peakInWindow(
        sends.map((r) => r.at),
        1000,
      )}/s`,
    );
  }, 240_000);

  it('an instance killed (kill -9) in the middle of purchases: each purchase recorded once, none left half done', async () => {
    const survivors = alive();
    expect(survivors.length).toBeGreaterThanOrEqual(2);
    const forms = Array.from({ length: 20 }, () => `kill-${randomUUID()}`);
    const press = (formId: string) =>
      post(personalInvoke(connector.url, DEMO_USERS.patti, 'buy.submit', buyForm(formId, 'CFQ7TTC0LH3L', 1))).catch(() => ({ status: 0, body: '' }));
    const victim = survivors[0];
    const first = Promise.all(forms.map(press));
    setTimeout(() => victim.child.kill('SIGKILL'), 30);
    await first;
    // Whoever got no answer presses Buy again (same form): the splitter now sends it to a live instance.
    const again = await Promise.all(forms.map(press));
    expect(again.map((r) => r.status)).toEqual(Array(20).fill(200));
    // The sweep (CHARGE_RECOVERY_AFTER_SECONDS=3) finishes anything the kill cut short.
    await waitFor('no charge left pending', () => sql(`SELECT count(*) FROM "ChargeIntent" WHERE "key" LIKE '%kill-%' AND "status" = 'Pending'`) === '0', 30_000);
    for (const formId of forms) {
      expect(sql(`SELECT count(*) FROM "ChargeIntent" WHERE "key" LIKE '%${formId}'`)).toBe('1');
      expect(sql(`SELECT count(*) FROM "IdempotencyRecord" WHERE "key" = '${formId}'`)).toBe('1');
    }
    const subs = sql(`SELECT count(*) FROM "Subscription" s JOIN "IdempotencyRecord" r ON r."resultId" = 'sub:' || s."id" WHERE r."key" LIKE 'kill-%'`);
    expect(subs).toBe('20');
    expect(sql(`SELECT count(DISTINCT i."chargeId") FROM "Invoice" i JOIN "IdempotencyRecord" r ON r."resultId" = 'sub:' || i."subscriptionId" WHERE r."key" LIKE 'kill-%'`)).toBe(
      '20',
    );
  }, 120_000);
});
