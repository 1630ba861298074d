import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { VERBS } from '../../cards/verbs';
import { healthy, rawRequest, startHostileBot, type HostileBot } from './hostile-harness';

/**
 * A bounded, deterministic fuzz of the Bot Framework endpoint: activities Teams really sends (typed
 * commands, every card verb with the data real cards carry, the dialog invokes, lifecycle events)
 * mutated field by field, thousands of them against one server. Whatever arrives, the answer is
 * never a 5xx and the process never goes down; a dialog whose turn fails still gets a dialog.
 */

/**
 * Turn failures found by this fuzz that are answered (200, with an apology and a reference) but are
 * not fixed yet, each with where it is; everything else that fails a turn fails this test. (The first
 * one it found, str() of a forged object in bot/features/feature.ts, is fixed.)
 */
const KNOWN_TURN_FAILURES: RegExp[] = [];

const FUZZ_CASES = Number(process.env.HOSTILE_FUZZ_CASES ?? 5000);
const SEED = Number(process.env.HOSTILE_FUZZ_SEED ?? 20261201);
const CONCURRENCY = 8;

/** mulberry32: small, fast and the same sequence on every machine for one seed. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Person = keyof typeof DEMO_USERS;

const PEOPLE = Object.keys(DEMO_USERS) as Person[];
const TEXTS = [
  'help',
  'catalog',
  'buy power bi pro',
  'buy 3 power apps monthly',
  'trial visio plan 1',
  'my purchases',
  'my subscriptions',
  'bills',
  'pay',
  'add 2 licenses to power bi pro',
  'remove a license from power bi pro',
  'assign power bi pro to adele',
  'unassign power bi pro from patti',
  'cancel power bi pro',
  'turn off recurring billing for power bi pro',
  'purchases',
  'licenses',
  'export',
  'policies',
  'disable power bi pro',
  'enable all',
  'approvals',
  'audit',
  'roles',
  'spend',
  'take over power bi pro',
  'centralize power bi pro',
  'open admin',
  'use this channel',
  'make me a sandwich',
];
const INVOKE_NAMES = [
  'adaptiveCard/action',
  'task/fetch',
  'task/submit',
  'application/search',
  'composeExtension/query',
  'signin/verifyState',
  'config/fetch',
  'tab/fetch',
  'fileConsent/invoke',
  '',
];
const TYPES = [
  'message',
  'invoke',
  'conversationUpdate',
  'installationUpdate',
  'messageReaction',
  'event',
  'typing',
  'endOfConversation',
  'messageUpdate',
  'messageDelete',
  'trace',
  'handoff',
  'Message',
];

const deep = (n: number): Json => (n === 0 ? 'bottom' : { a: deep(n - 1) });
/** Values that have broken parsers before; no URL that leads off this machine. */
const HOSTILE: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -0,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  ' ',
  '0',
  '-1',
  '1e999',
  'NaN',
  'null',
  'undefined',
  '[object Object]',
  '__proto__',
  'constructor',
  'toString',
  'x'.repeat(10_000),
  '\u0000',
  '\ud800',
  '\u202e\u2066',
  '👩‍👩‍👧‍👦'.repeat(50),
  '<at>Purchases</at>',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '=HYPERLINK("http://x")',
  '../../etc/passwd',
  '%s%n%x',
  '${process.exit()}',
  '\r\n\r\nHTTP/1.1 200 OK',
  'not a url',
  'javascript:alert(1)',
  [],
  [null],
  Array.from({ length: 500 }, (_, i) => i),
  {},
  JSON.parse('{"__proto__": {"polluted": true}}') as Json,
  { toString: 'x', valueOf: 1 },
  deep(40),
  DEMO_USERS.alex.id,
  DEMO_USERS.megan.id,
  DEMO_TENANT_ID,
  'CFQ7TTC0H9MP',
  '00000000-0000-0000-0000-000000000000',
];

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
/** A fresh copy each time, so no two activities (or two places in one) share a value that a later mutation changes. */
const hostile = (rnd: () => number): Json => {
  const v = pick(rnd, HOSTILE);
  return v !== null && typeof v === 'object' ? (JSON.parse(JSON.stringify(v)) as Json) : v;
};

/** Every path to a node of a JSON value (objects and arrays too). Never through a `__proto__` key: writing there would pollute this process. */
const pathsOf = (v: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = [], depth = 0): Array<Array<string | number>> => {
  if (depth > 12 || v === null || typeof v !== 'object') return out;
  const entries: Array<[string | number, Json]> = Array.isArray(v) ? v.map((c, i): [number, Json] => [i, c]) : Object.entries(v);
  for (const [k, child] of entries) {
    if (k === '__proto__') continue;
    const p = [...prefix, k];
    out.push(p);
    pathsOf(child as Json, p, out, depth + 1);
  }
  return out;
};
const parentOf = (root: Json, p: Array<string | number>): Record<string | number, Json> =>
  p.slice(0, -1).reduce<Json>((n, k) => (n as Record<string | number, Json>)[k], root) as Record<string | number, Json>;

interface Seed {
  kind: string;
  activity: Record<string, Json>;
}

describe('hostile activities', () => {
  let bot: HostileBot;
  let seq = 0;
  /** Card actions the bot really offered: [verb, data], from every card it posted while seeding. */
  const offered: Array<{ verb: string; data: Json }> = [];

  const base = (who: Person, extra: Record<string, Json>, where: 'personal' | 'channel' | 'groupChat' = 'personal'): Record<string, Json> => {
    const person = DEMO_USERS[who];
    const n = ++seq;
    return {
      id: `f${n}`,
      channelId: 'msteams',
      serviceUrl: bot.connector.url,
      timestamp: new Date(Date.UTC(2026, 11, 1, 12, 0, n % 60)).toISOString(),
      from: { id: `29:${person.id}`, name: person.displayName, aadObjectId: person.id },
      recipient: { id: '28:purchases-bot', name: 'Purchases' },
      conversation:
        where === 'channel'
          ? { id: `19:admins@thread.tacv2;messageid=${n}`, conversationType: 'channel', isGroup: true, tenantId: DEMO_TENANT_ID }
          : { id: `a:fuzz-${where}-${n}`, conversationType: where, tenantId: DEMO_TENANT_ID },
      channelData: {
        tenant: { id: DEMO_TENANT_ID },
        ...(where === 'channel' ? { team: { id: '19:team@thread.tacv2' }, channel: { id: '19:admins@thread.tacv2', name: 'Billing admins' } } : {}),
      },
      ...extra,
    };
  };

  const post = async (activity: unknown): Promise<{ status: number; body: string }> => {
    const res = await rawRequest(bot.port, 'POST', '/api/messages', { 'content-type': 'application/json' }, JSON.stringify(activity));
    return { status: res.status, body: res.body };
  };

  /** Every Action.Execute / Action.Submit in a card, with its data. */
  const collectActions = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(collectActions);
    const n = node as Record<string, unknown>;
    if (n.type === 'Action.Execute' && typeof n.verb === 'string') offered.push({ verb: n.verb, data: (n.data ?? {}) as Json });
    if (n.type === 'Action.Submit' && n.data && typeof n.data === 'object') {
      const { verb, ...data } = n.data as Record<string, Json>;
      if (typeof verb === 'string') offered.push({ verb, data });
    }
    for (const v of Object.values(n)) collectActions(v);
  };

  const seeds = (rnd: () => number): Seed => {
    const who = pick(rnd, PEOPLE);
    const where = pick(rnd, ['personal', 'personal', 'personal', 'channel', 'groupChat'] as const);
    const roll = rnd();
    if (roll < 0.3) {
      const text = pick(rnd, TEXTS);
      return {
        kind: 'message',
        activity: base(
          who,
          {
            type: 'message',
            text: where === 'channel' ? `<at>Purchases</at> ${text}` : text,
            ...(where === 'channel' ? { entities: [{ type: 'mention', text: '<at>Purchases</at>', mentioned: { id: '28:purchases-bot', name: 'Purchases' } }] } : {}),
          },
          where,
        ),
      };
    }
    if (roll < 0.6) {
      const a = offered.length && rnd() < 0.8 ? pick(rnd, offered) : { verb: pick(rnd, Object.values(VERBS)), data: {} };
      return {
        kind: 'invoke adaptiveCard/action',
        activity: base(who, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: a.verb, data: a.data }, trigger: 'manual' } }, where),
      };
    }
    if (roll < 0.67) {
      const a = offered.length ? pick(rnd, offered) : { verb: VERBS.catalog, data: {} };
      return {
        kind: 'message Action.Submit',
        activity: base(who, { type: 'message', value: { ...(a.data as Record<string, Json>), verb: a.verb }, replyToId: `activity-${Math.floor(rnd() * 50)}` }, where),
      };
    }
    if (roll < 0.77) {
      const data = {
        verb: VERBS.checkoutOpen,
        productId: pick(rnd, ['CFQ7TTC0H9MP', 'CFQ7TTC0LH2H', 'CFQ7TTC0HD33', 'nope']),
        mode: pick(rnd, ['buy', 'trial', 'other']),
        quantity: Math.floor(rnd() * 30),
      };
      return { kind: 'invoke task/fetch', activity: base(who, { type: 'invoke', name: 'task/fetch', value: { data, context: { theme: 'default' } } }, where) };
    }
    if (roll < 0.87) {
      const data = pick<Record<string, Json>>(rnd, [{ subscriptionId: 'sub-1' }, { requestId: 'req-1' }, { cancelled: true }, {}, { subscriptionId: 12 }]);
      return { kind: 'invoke task/submit', activity: base(who, { type: 'invoke', name: 'task/submit', value: { data } }, where) };
    }
    if (roll < 0.93)
      return {
        kind: 'invoke other',
        activity: base(who, { type: 'invoke', name: pick(rnd, INVOKE_NAMES), value: { query: 'power', queryText: 'power', dataset: 'people' } }, where),
      };
    const type = pick(
      rnd,
      TYPES.filter((t) => t !== 'message' && t !== 'invoke'),
    );
    return {
      kind: type,
      activity: base(
        who,
        { type, membersAdded: [{ id: '28:purchases-bot' }], action: 'add', reactionsAdded: [{ type: 'like' }], name: 'event', value: {} },
        pick(rnd, ['personal', 'channel'] as const),
      ),
    };
  };

  const mutate = (rnd: () => number, activity: Record<string, Json>): Record<string, Json> => {
    const root = JSON.parse(JSON.stringify(activity)) as Record<string, Json>;
    const times = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < times; i++) {
      const paths = pathsOf(root);
      const op = rnd();
      if (op < 0.1 || paths.length === 0) {
        root[pick(rnd, ['value', 'text', 'name', 'type', 'entities', 'attachments', 'replyToId', 'channelData', 'locale', 'extra'])] = hostile(rnd);
        continue;
      }
      // Mostly the payload (what features read); the envelope is checked at the edge and refused whole.
      const payload = paths.filter((x) => ['value', 'text', 'name', 'entities', 'replyToId', 'membersAdded'].includes(String(x[0])));
      const p = payload.length && rnd() < 0.7 ? pick(rnd, payload) : pick(rnd, paths);
      // The service URL is where replies go: only non-URLs here, so no reply leaves this machine.
      if (p[0] === 'serviceUrl' && op >= 0.1) {
        root.serviceUrl = pick(rnd, [null, '', 'not a url', 42, 'x'.repeat(3000)]);
        continue;
      }
      const parent = parentOf(root, p);
      const key = p[p.length - 1];
      if (op < 0.35) {
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
      } else if (op < 0.75) parent[key] = hostile(rnd);
      else if (op < 0.85) parent[key] = typeof parent[key] === 'string' ? (parent[key] as string).split('').reverse().join('') : (JSON.stringify(parent[key]) ?? 'undefined');
      else if (op < 0.95) parent[key] = { nested: parent[key] ?? null };
      else root.type = pick(rnd, TYPES);
    }
    return root;
  };

  beforeAll(async () => {
    bot = await startHostileBot();
    // Real cards, so mutations start from the ids and data the bot really puts in them.
    for (const [who, text] of [
      ['megan', 'catalog'],
      ['megan', 'buy power bi pro'],
      ['megan', 'my purchases'],
      ['megan', 'bills'],
      ['alex', 'purchases'],
      ['alex', 'policies'],
      ['alex', 'approvals'],
      ['alex', 'licenses'],
      ['alex', 'roles'],
    ] as Array<[Person, string]>) {
      const activity = base(who, { type: 'message', text });
      await post(activity);
      const got = await bot.connector.waitFor((activity.conversation as { id: string }).id);
      for (const r of got) collectActions(r.activity.attachments);
    }
    for (const { verb, data } of [...offered].slice(0, 40)) {
      const res = await post(base('alex', { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } }));
      try {
        collectActions((JSON.parse(res.body) as { value?: unknown }).value);
      } catch {
        // not a card
      }
    }
  });
  afterAll(() => bot.close());

  test('seeding found real card actions to start from', () => {
    expect(offered.length).toBeGreaterThan(10);
    expect(new Set(offered.map((o) => o.verb)).size).toBeGreaterThan(5);
  });

  test(`${FUZZ_CASES} mutated activities: no 5xx, no crash`, async () => {
    const rnd = prng(SEED);
    const cases = Array.from({ length: FUZZ_CASES }, () => {
      const s = seeds(rnd);
      return { kind: s.kind, activity: rnd() < 0.1 ? s.activity : mutate(rnd, s.activity) };
    });
    const statuses = new Map<number, number>();
    const failures: Array<{ kind: string; status: number; activity: unknown; body: string }> = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const c = cases[next++];
          const res = await post(c.activity);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500 || res.status === 0) failures.push({ kind: c.kind, status: res.status, activity: c.activity, body: res.body.slice(0, 300) });
        }
      }),
    );
    const ms = Date.now() - started;
    const turnFailures = bot.logs.filter((l) => l.msg === 'turn failed' || l.msg === 'activity processing failed' || l.msg === 'web api failed');
    // The Bot Connector refusing a reply (a conversation that does not exist) fails the turn as it would in Teams; not a bug here.
    const refusedByConnector = turnFailures.filter((l) => (l.err as { type?: string } | undefined)?.type === 'RestError');
    const known = turnFailures.filter((l) => KNOWN_TURN_FAILURES.some((k) => k.test(String((l.err as { message?: string } | undefined)?.message))));
    const bugs = turnFailures.filter((l) => !refusedByConnector.includes(l) && !known.includes(l));
    process.stdout.write(
      `hostile fuzz: ${cases.length} activities in ${ms} ms (seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries(statuses))}; turns failed ${turnFailures.length} (${refusedByConnector.length} refused by the connector, ${known.length} known)\n`,
    );
    expect(failures.slice(0, 5)).toEqual([]);
    expect(await healthy(bot)).toBe(true);
    // Each failed turn was answered (200 with an apology) but is a bug somewhere: list the distinct ones.
    const distinct = [
      ...new Set(bugs.map((l) => `${String((l.err as { type?: string } | undefined)?.type)}: ${String((l.err as { message?: string } | undefined)?.message).slice(0, 160)}`)),
    ];
    if (process.env.HOSTILE_FUZZ_DEBUG)
      process.stdout.write(
        `${JSON.stringify(
          bugs.map((b) => [(b.err as { stack?: string }).stack, b.conversationId]),
          null,
          1,
        )}\n`,
      );
    expect(distinct).toEqual([]);
  }, 240_000);

  describe('a dialog whose turn fails still gets a dialog', () => {
    const dialog = (name: 'task/fetch' | 'task/submit', data: Json) => base('megan', { type: 'invoke', name, value: { data, context: { theme: 'default' } } });

    test.each([
      ['task/fetch', { verb: VERBS.checkoutOpen, productId: 'CFQ7TTC0H9MP', mode: 'buy' }],
      ['task/submit', { subscriptionId: 'sub-1' }],
    ] as const)('%s with the database failing: 200 with a task message and a reference', async (name, data) => {
      const uow = bot.app.deps.uow;
      const reads = jest.spyOn(uow, 'read').mockRejectedValue(new Error('database unavailable (test)'));
      const runs = jest.spyOn(uow, 'run').mockRejectedValue(new Error('database unavailable (test)'));
      // The directory remembers people it has seen: a new person makes the turn read the database first.
      const activity = dialog(name, data as Json);
      activity.from = { id: '29:new-person', name: 'New Person', aadObjectId: `new-person-${++seq}` };
      let res;
      try {
        res = await post(activity);
      } finally {
        reads.mockRestore();
        runs.mockRestore();
      }
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body) as { task: { type: string; value: string } };
      expect(body.task.type).toBe('message');
      const reference = /reference: ([0-9a-f-]{36})/.exec(body.task.value)?.[1];
      expect(reference).toBeDefined();
      expect(bot.logs.find((l) => l.msg === 'turn failed' && l.correlationId === reference)).toMatchObject({ invoke: name });
    });
  });

  test('the server still answers', async () => {
    expect(await healthy(bot)).toBe(true);
  });
});
