/**
 * Benchmark (not a test): the outbox sender draining 1,000 notifications to 1,000 conversations of one
 * tenant into a loopback Bot Connector stand-in, against the time Teams' rate limits allow; then the
 * same drain killed with SIGKILL at random moments and restarted, counting how many times each
 * notification reached the stand-in (which never deduplicates).
 *
 *   npm run bench:outbox                  # rewrites the "outbox" section of bench/RESULTS.md and bench/results-outbox.json
 *   npm run bench:outbox -- --runs 5 --kills 2 --resend-runs 3 --latency 50
 *
 * The sender runs in a child process (bench/outbox-worker.ts), put together as bot/app.ts does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { applyMigrations } from '../prisma/migrate';
import { openDatabase } from '../prisma/client';
import { PrismaUnitOfWork } from '../prisma/unit-of-work';
import { PrismaConversationStore } from '../prisma/conversation-store';
import { IN_DOUBT } from '../prisma/outbox-queue';
import { proactiveReference, userKey } from '../bot/conversations';
import { SandboxPaymentProvider } from '../payments/sandbox-payment-provider';
import type { Deps } from '../domain/ports';
import type { NotificationIntent } from '../domain/model';
import { DEFAULT_SENDER_OPTIONS } from '../bot/outbox-sender';
import { BenchConnector, type Arrival } from './connector-stand-in';
import { resultsDir, writeResultsJson, writeResultsSection } from './results-md';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const N = Number(option('n', '1000'));
const RUNS = Number(option('runs', '5'));
const KILLS = Number(option('kills', '2'));
const RESEND_RUNS = Number(option('resend-runs', '2'));
const LATENCY = Number(option('latency', '50'));
/** Short in the crash runs so a restart doesn't wait a minute for the dead sender's claims (60 s in production). */
const CRASH_LEASE_MS = Number(option('lease', '3000'));
const TENANT = 'bench-tenant';
/** One person in this many has never opened a chat with the bot: their first message starts it (create-conversation). */
const FIRST_CONTACT_EVERY = Number(option('first-contact-every', '5'));
const firstContact = (i: number) => FIRST_CONTACT_EVERY > 0 && i % FIRST_CONTACT_EVERY === FIRST_CONTACT_EVERY - 1;
const PER_TENANT = 50;
const DATA = path.join(__dirname, '.data', 'outbox');
const ROOT = path.join(__dirname, '..');

interface Db {
  url: string;
  file: string;
}

/** A fresh database with N people who have talked to the bot in 1:1 chats and one notification for each. */
const seed = async (name: string, serviceUrl: string): Promise<Db> => {
  const file = path.join(DATA, `${name}.db`);
  rmSync(file, { force: true });
  const url = `file:${file}`;
  applyMigrations(url);
  const db = await openDatabase(url);
  try {
    const conversations = new PrismaConversationStore(db);
    // The reference the bot stores from a person's message (bot/turn.ts), for each person; for one in
    // FIRST_CONTACT_EVERY only how Teams knows them (as from an @mention): no chat yet.
    for (let i = 0; i < N; i++) {
      const userId = `user-${String(i).padStart(4, '0')}`;
      if (firstContact(i)) {
        await conversations.saveAccount(TENANT, userId, { teamsUserId: `29:${userId}`, serviceUrl });
        continue;
      }
      const activity = {
        type: 'message',
        id: `m-${i}`,
        channelId: 'msteams',
        serviceUrl,
        locale: 'en-US',
        from: { id: `29:${userId}`, name: `User ${i}`, aadObjectId: userId },
        recipient: { id: '28:purchases-bot', name: 'Purchases' },
        conversation: { id: `a:personal-${i}`, conversationType: 'personal', tenantId: TENANT },
        channelData: { tenant: { id: TENANT } },
      } as unknown as Activity;
      await conversations.save(TENANT, userKey(userId), proactiveReference(activity));
    }
    // The outbox rows a use case writes (domain/shared/effects.ts notify), through the repository.
    const deps = {
      uow: new PrismaUnitOfWork(db),
      payments: new SandboxPaymentProvider('bench-secret-0123456789'),
      clock: { now: () => new Date() },
      ids: { next: () => '' },
      settings: { enabledMarkets: ['US'], reminderDays: 7 },
    } as Deps;
    const createdAt = new Date();
    const intents: NotificationIntent[] = Array.from({ length: N }, (_, i) => ({
      id: `n-${String(i).padStart(4, '0')}`,
      tenantId: TENANT,
      recipient: { kind: 'user', userId: `user-${String(i).padStart(4, '0')}` },
      kind: 'LicenseAssigned',
      data: { productName: 'Power BI Pro', productId: 'CFQ7TTC0H9MP', assignedBy: 'Alex Wilber', subscriptionId: 'sub-1' },
      createdAt,
    }));
    await deps.uow.run((r) => r.outbox.add(intents));
  } finally {
    await db.close();
  }
  return { url, file };
};

interface Worker {
  child: ChildProcess;
  ready: Promise<number>;
  done: Promise<{ drainedMs: number } | null>;
}

const startWorker = (db: Db, env: Record<string, string>, log: number): Worker => {
  const child = fork(path.join(__dirname, 'outbox-worker.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, OUTBOX_DB: db.file, ...env },
    stdio: ['ignore', log, log, 'ipc'],
  });
  let readyAt: (t: number) => void;
  const ready = new Promise<number>((r) => {
    readyAt = r;
  });
  const done = new Promise<{ drainedMs: number } | null>((resolve) => {
    child.on('message', (m: { type: string; drainedMs?: number }) => {
      if (m.type === 'ready') readyAt(performance.now());
      if (m.type === 'done') resolve({ drainedMs: m.drainedMs! });
    });
    child.on('exit', () => resolve(null));
  });
  return { child, ready, done };
};

const exited = (child: ChildProcess): Promise<void> => new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

/** The most arrivals in any window of `ms` (sliding), to check the sender kept the tenant's rate. */
const maxInWindow = (times: number[], ms: number): number => {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
};

const rowsOf = async (db: Db) => {
  const d = await openDatabase(db.url);
  try {
    return await d.reader.outboxNotification.findMany({ select: { id: true, sentAt: true, sendingAt: true, lastError: true, attempts: true } });
  } finally {
    await d.close();
  }
};

interface DrainResult {
  latencyMs: number;
  firstToLastMs: number;
  workerMs: number;
  maxPerSecond: number;
  delivered: number;
  duplicates: number;
  /** Chats the drain started (create-conversation) for people who had none. */
  started: number;
}

const drainRun = async (connector: BenchConnector, latencyMs: number, log: number): Promise<DrainResult> => {
  connector.arrivals.length = 0;
  connector.createdConversations.clear();
  connector.latencyMs = latencyMs;
  const db = await seed(`drain-${latencyMs}`, connector.url);
  const w = startWorker(db, {}, log);
  const result = await w.done;
  await exited(w.child);
  if (!result) throw new Error('the sender exited before draining the outbox');
  const arrivals = [...connector.arrivals];
  const counts = countBy(arrivals);
  const times = arrivals.map((a) => a.at);
  const r: DrainResult = {
    latencyMs,
    firstToLastMs: Math.max(...times) - Math.min(...times),
    workerMs: result.drainedMs,
    maxPerSecond: maxInWindow(times, 1000),
    delivered: counts.size,
    duplicates: [...counts.values()].filter((c) => c > 1).length,
    started: connector.createdConversations.size,
  };
  console.log(
    `drain (connector latency ${latencyMs} ms): first→last send ${(r.firstToLastMs / 1000).toFixed(2)} s, sender start→drained ${(r.workerMs / 1000).toFixed(2)} s, max ${r.maxPerSecond} in any 1 s, ${r.delivered}/${N} delivered, ${r.duplicates} duplicates, ${r.started} chats started`,
  );
  return r;
};

const countBy = (arrivals: Arrival[]) => {
  const counts = new Map<string, number>();
  for (const a of arrivals) if (a.notificationId) counts.set(a.notificationId, (counts.get(a.notificationId) ?? 0) + 1);
  return counts;
};

interface CrashResult {
  run: number;
  policy: 'hold' | 'resend';
  killsAtMs: number[];
  exactlyOnce: number;
  duplicates: number;
  notDelivered: number;
  heldInDoubt: number;
  heldButDelivered: number;
  heldNotDelivered: number;
  lostUnflagged: number;
  maxPerSecond: number;
  totalMs: number;
}

const crashRun = async (run: number, policy: 'hold' | 'resend', connector: BenchConnector, log: number): Promise<CrashResult> => {
  connector.arrivals.length = 0;
  connector.latencyMs = LATENCY;
  const db = await seed(`crash-${policy}-${run}`, connector.url);
  const env = { LEASE_MS: String(CRASH_LEASE_MS), IN_DOUBT: policy };
  const killsAtMs: number[] = [];
  const t0 = performance.now();
  for (let k = 0; k < KILLS; k++) {
    const w = startWorker(db, env, log);
    const readyAt = await w.ready;
    // A random moment of the ~20 s drain (what is left of it after earlier kills).
    const at = 500 + Math.random() * Math.max(1_000, (N / PER_TENANT) * 1000 * (1 - 0.4 * k) - 1_500);
    const finished = await Promise.race([w.done, new Promise<'kill'>((r) => setTimeout(() => r('kill'), Math.max(0, readyAt + at - performance.now())))]);
    if (finished !== 'kill') break; // drained before the kill moment
    w.child.kill('SIGKILL');
    await exited(w.child);
    killsAtMs.push(Math.round(at));
  }
  const last = startWorker(db, env, log);
  if (!(await last.done)) throw new Error('the restarted sender exited before draining the outbox');
  await exited(last.child);
  await new Promise((r) => setTimeout(r, LATENCY + 200)); // answers still on their way
  const totalMs = performance.now() - t0;

  const counts = countBy(connector.arrivals);
  const rows = await rowsOf(db);
  const held = rows.filter((r) => r.sentAt === null && r.lastError?.startsWith(IN_DOUBT));
  const heldIds = new Set(held.map((r) => r.id));
  const ids = rows.map((r) => r.id);
  const result: CrashResult = {
    run,
    policy,
    killsAtMs,
    exactlyOnce: ids.filter((id) => counts.get(id) === 1).length,
    duplicates: ids.filter((id) => (counts.get(id) ?? 0) > 1).length,
    notDelivered: ids.filter((id) => !counts.has(id)).length,
    heldInDoubt: held.length,
    heldButDelivered: held.filter((r) => counts.has(r.id)).length,
    heldNotDelivered: held.filter((r) => !counts.has(r.id)).length,
    lostUnflagged: ids.filter((id) => !counts.has(id) && !heldIds.has(id)).length,
    maxPerSecond: maxInWindow(
      connector.arrivals.map((a) => a.at),
      1000,
    ),
    totalMs,
  };
  console.log(
    `crash run ${run} (${policy}): killed at ${killsAtMs.map((t) => `${(t / 1000).toFixed(1)} s`).join(', ') || '(drained first)'} → ` +
      `${result.exactlyOnce} exactly once, ${result.duplicates} duplicated, ${result.notDelivered} not delivered; held in doubt ${result.heldInDoubt} ` +
      `(${result.heldButDelivered} had arrived, ${result.heldNotDelivered} had not); lost without a flag ${result.lostUnflagged}; max ${result.maxPerSecond}/s`,
  );
  return result;
};

const main = async () => {
  if (args.includes('--from-json')) {
    // Rewrites the section from the last run's figures (after editing the text), without running again.
    const last = JSON.parse(readFileSync(path.join(resultsDir(), 'results-outbox.json'), 'utf8')) as { drains: DrainResult[]; crashes: CrashResult[] };
    return report(last.drains, last.crashes);
  }
  rmSync(DATA, { recursive: true, force: true });
  mkdirSync(DATA, { recursive: true });
  const log = openSync(path.join(DATA, 'sender.log'), 'a');
  const connector = await new BenchConnector().start();
  try {
    const drains = [await drainRun(connector, 0, log), await drainRun(connector, 100, log)];
    const crashes: CrashResult[] = [];
    for (let run = 1; run <= RUNS; run++) crashes.push(await crashRun(run, 'hold', connector, log));
    for (let run = 1; run <= RESEND_RUNS; run++) crashes.push(await crashRun(run, 'resend', connector, log));
    report(drains, crashes);
  } finally {
    await connector.stop();
  }
};

const report = (drains: DrainResult[], crashes: CrashResult[]) => {
  const ok = (b: boolean) => (b ? '✅' : '❌');
  // Teams counts every request of the app in a tenant: the messages, and the chats started for people who had none.
  const requests = N + Array.from({ length: N }, (_, i) => i).filter(firstContact).length;
  const nominalMs = (requests / PER_TENANT) * 1000; // 24 s: 1,200 requests at PER_TENANT per second
  const floorMs = (Math.ceil(requests / PER_TENANT) - 1) * 1000; // 23 s: the last window's requests can start 23 s after the first
  const targetMs = nominalMs * 1.1;
  const hold = crashes.filter((c) => c.policy === 'hold');
  const sum = (cs: CrashResult[], k: keyof CrashResult) => cs.reduce((a, c) => a + (c[k] as number), 0);
  const expectedStarts = Array.from({ length: N }, (_, i) => i).filter(firstContact).length;
  const drainRows = drains.map(
    (d) =>
      `| ${N.toLocaleString('en-US')} to ${N.toLocaleString('en-US')} conversations (${d.started} of them started by the drain), connector answering in ${d.latencyMs} ms | ${(d.firstToLastMs / 1000).toFixed(2)} s | ${(d.workerMs / 1000).toFixed(2)} s | ${d.maxPerSecond} | ${d.delivered} / ${d.duplicates} | ≤ ${(targetMs / 1000).toFixed(1)} s | ${ok(d.workerMs <= targetMs && d.maxPerSecond <= PER_TENANT && d.delivered === N && d.duplicates === 0 && d.started === expectedStarts)} |`,
  );
  const crashRows = crashes.map(
    (c) =>
      `| ${c.run} | ${c.policy} | ${c.killsAtMs.map((t) => (t / 1000).toFixed(1)).join(', ') || '—'} | ${c.exactlyOnce} | ${c.duplicates} | ${c.notDelivered} | ${c.heldInDoubt} (${c.heldButDelivered} / ${c.heldNotDelivered}) | ${c.lostUnflagged} | ${c.maxPerSecond} |`,
  );
  const md = `## Outbox: draining 1,000 notifications, and SIGKILL mid-drain

Command: \`npm run bench:outbox\` (bench/outbox-bench.ts; about ${Math.ceil((2 * 25 + crashes.length * 30) / 60)} minutes). A fresh SQLite file per run with ${N.toLocaleString('en-US')} people of one tenant, and one notification
each. ${N - expectedStarts} have talked to the bot (conversation references stored as bot/turn.ts stores them); ${expectedStarts}
(one in ${FIRST_CONTACT_EVERY}) never have, and Teams knows them only as an @mention shows them (their \`29:\` id and the
tenant's service URL): their message starts their 1:1 chat with the Bot Connector's create-conversation call, within
the same drain and the same limits (outbox rows written by the outbox repository, as a use case writes them). The real OutboxSender runs in
a child process (bench/outbox-worker.ts, put together as bot/app.ts does: Teams' limits of 7 messages/s per
conversation with its 2 s, 30 s and hourly windows, ${PER_TENANT}/s per tenant; batches of ${DEFAULT_SENDER_OPTIONS.batchSize}, ${DEFAULT_SENDER_OPTIONS.concurrency} conversations at
once; its production polling loop). A loopback Bot Connector stand-in in this process records the
notification id (\`channelData.notificationId\`) of every message it receives, and never deduplicates.

Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

### Drain time

Teams limits every request of an app in a tenant, messages and chats started alike: the rate limits allow these
${requests.toLocaleString('en-US')} requests (${N.toLocaleString('en-US')} messages, ${(requests - N).toLocaleString('en-US')} chats started) to one tenant in ${(nominalMs / 1000).toFixed(0)} s (${PER_TENANT} per second; with a sliding 1 s window
the last ${PER_TENANT} can start ${(floorMs / 1000).toFixed(0)} s after the first). Target: within 10% of that, ≤ ${(targetMs / 1000).toFixed(1)} s.

| Drain | first → last message at the connector | sender start → outbox drained | most requests (messages, chats started) in any 1 s | delivered / duplicated | Target | Met |
| --- | --- | --- | --- | --- | --- | --- |
${drainRows.join('\n')}

### Killed with SIGKILL mid-drain, then restarted

Each run: fresh outbox of ${N.toLocaleString('en-US')}, the sender started and killed with SIGKILL at a random moment of
the drain, ${KILLS} time(s), then started again and left to finish. The connector answers in ${LATENCY} ms (so
sends are in flight, as with Teams). Lease ${CRASH_LEASE_MS / 1000} s in these runs (60 s by default) so that a
restart does not wait a minute for the rows the dead sender had claimed. \`hold\` is the default policy for
a send in doubt; \`resend\` is shown for comparison. Target (default policy): every notification delivered,
zero duplicates.

| Run | In-doubt policy | Killed at (s after start) | Exactly once | Duplicated | Not delivered | Held in doubt (had arrived / had not) | Lost without a flag | Most in any 1 s |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${crashRows.join('\n')}

Default policy (\`hold\`), ${hold.length} runs, ${hold.reduce((a, c) => a + c.killsAtMs.length, 0)} kills: ${sum(hold, 'duplicates')} duplicates ${ok(sum(hold, 'duplicates') === 0)}; ${sum(hold, 'notDelivered')} of ${(hold.length * N).toLocaleString('en-US')} not delivered ${ok(sum(hold, 'notDelivered') === 0)}${sum(hold, 'notDelivered') > 0 ? ', every one of them flagged IN_DOUBT' : ''}; ${sum(hold, 'lostUnflagged')} lost without a flag ${ok(sum(hold, 'lostUnflagged') === 0)}.
`;
  writeResultsSection(
    'outbox',
    md +
      notes(
        hold,
        crashes.filter((c) => c.policy === 'resend'),
        { drains, nominalMs, floorMs },
      ),
  );
  writeResultsJson('results-outbox.json', {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
    settings: { n: N, perTenantPerSecond: PER_TENANT, runs: RUNS, kills: KILLS, resendRuns: RESEND_RUNS, latencyMs: LATENCY, crashLeaseMs: CRASH_LEASE_MS },
    drains,
    crashes,
  });
  console.log(`\n${md}`);
};

const notes = (hold: CrashResult[], resend: CrashResult[], d: { drains: DrainResult[]; nominalMs: number; floorMs: number }): string => {
  const { drains, nominalMs, floorMs } = d;
  const crashes = [...hold, ...resend];
  const kills = (cs: CrashResult[]) => cs.reduce((a, c) => a + c.killsAtMs.length, 0);
  const total = (cs: CrashResult[], k: 'heldInDoubt' | 'heldButDelivered' | 'heldNotDelivered' | 'duplicates' | 'notDelivered') => cs.reduce((a, c) => a + c[k], 0);
  return `
### What the sender guarantees, and what it cannot

A row's message goes out only after the sender has committed \`sendingAt\` on it (\`beginSend\`), and only
if the row is still under the sender's own claim (a token written by \`claim\`) and not begun: SQLite runs
one write transaction at a time, so of two live senders at most one can begin a row, even when a slow
batch outlives its lease and another sender claims what it had not started (tested in
test/integration/outbox-delivery.test.ts). The answer is recorded right after (\`sentAt\`, and the activity
id Teams gave the message). A sender killed at any moment leaves:

- **rows claimed but not begun**: never sent, so sent normally once the lease runs out (60 s by default;
  a sender stopped cleanly with SIGTERM gives them back at once);
- **at most one row per send in flight** (≤ ${DEFAULT_SENDER_OPTIONS.concurrency}, the conversations served at once) **begun without an
  outcome**: Teams may or may not have shown it. Nothing can tell: the Bot Connector API takes no
  idempotency key, a bot cannot read its messages back, and the id Teams assigned was in the answer the
  crash lost. With the default policy (\`hold\`) such a row is never sent again: it is kept with
  \`lastError\` starting \`IN_DOUBT\` and listed by \`PrismaOutboxQueue.inDoubt()\`, and the sender logs a
  warning with its id. With \`inDoubt: 'resend'\` it is sent again (at least once).

So the default is **at most once, and exactly once for every message whose send was not in flight at the
crash**. Whether a held message was in fact shown depends on where the kill fell: most of the time in flight
is Teams (here the stand-in) answering, after the message has arrived, so most held rows had arrived; a kill
in the milliseconds between the commit and the request reaching the connector loses one (flagged).
Measured above: ${kills(hold)} kills with \`hold\` left ${total(hold, 'heldInDoubt')} rows in doubt, of which ${total(hold, 'heldButDelivered')} had in fact arrived and ${total(hold, 'heldNotDelivered')} had not
(${total(hold, 'duplicates')} duplicates); ${kills(resend)} kills with \`resend\` gave ${total(resend, 'notDelivered')} undelivered and ${total(resend, 'duplicates')} duplicates. An earlier run of this benchmark the
same day (before the rate-limit change below) held 24 rows over 9 kills, of which 2 had not arrived: 2 of
5,000 notifications not delivered, both flagged, no duplicate. So "every notification delivered" is met in
the run above but is not guaranteed: the residual risk of
the default is a notification lost (and flagged) when the process dies in the few milliseconds between
committing \`sendingAt\` and the request reaching Teams; of \`resend\`, a notification shown twice when it
dies between Teams receiving the message and the sender recording the answer (with Teams, the longer
window: its whole answer time).

Two more sources of repeats, outside crashes:

- **botbuilder's own retries.** Its connector client repeats a request after ECONNRESET / ETIMEDOUT: a
  connection dropped after the request went out posted the same message **4 times** (measured in
  test/integration/outbox-delivery.test.ts). The sender now turns such errors into "in doubt" before
  botbuilder's retry policy sees them (a pipeline policy on its own connector client), so they are held
  like a crash mid-send; 429 and 5xx answers are still retried by botbuilder as DESIGN §6 says. A 5xx
  that Teams returns after posting the message would still be repeated by botbuilder: not measurable here.
- **Rate windows after a restart.** The windows live in the sender's memory; a restarted sender starts
  with empty ones. Process start (about 2 s here) keeps the 1 s windows; a restart could exceed the
  30 s and hourly windows of one busy conversation, and Teams would answer 429 (retried after Retry-After).

### Rate limits and drain time

Teams counts messages as they arrive. The first version let ${PER_TENANT} sends through at the top of each second,
8 at a time, and the stand-in counted **58** in some second: the sends of a burst leave this process one
after the other (serialization, synchronous SQLite writes), so the late ones of one second and the early
ones of the next arrive within the same second. Now:

- each send's place in the rate windows is taken when it is let through, moved to when its request
  really leaves (a pipeline policy last before the HTTP client), and then to when its answer came back,
  which is surely after the message arrived: the ${PER_TENANT + 1}st send leaves a full window after the 1st was
  answered, so it arrives a full window after the 1st arrived, however the way there delays either;
- the tenant's sends are spread evenly, a slot every ${1000 / PER_TENANT} ms.

Before, the window was counted from the departure with a fixed allowance for delays on the way (20 ms,
then 40 ms), and a loaded CI machine outran both: the three-instance test counted 51 in a second at its
stand-in (the tightest 51 within 978 ms). The guarantee costs the answer's time once per window: each
${PER_TENANT} take 1 s plus one round trip. With the connector answering in 100 ms that is about 10% of the rate,
which is why that row misses its target by a few percent; a real Bot Connector's answer time sets the
same cost in production (at 100 to 300 ms, 38 to 45 messages a second per tenant instead of ${PER_TENANT}).

Measured: **at most ${Math.max(...drains.map((d) => d.maxPerSecond), ...crashes.map((c) => c.maxPerSecond))} in any second** at the connector over all the runs above, restarts included, and
${drains.map((d) => `${(d.firstToLastMs / 1000).toFixed(1)} s`).join(' and ')} from first to last message against ${(nominalMs / 1000).toFixed(0)} s nominal (${(floorMs / 1000).toFixed(0)} s if the last ${PER_TENANT} could go in one burst). "Sender
start → drained" adds the first claim and the polling that notices the end.

Each send is three short write transactions (claim share, \`beginSend\`, \`markSent\`): at ${PER_TENANT}/s that is
a small fraction of one SQLite writer.
`;
};

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
