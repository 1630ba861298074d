import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'restify';
import pino from 'pino';
import { loadConfig, type AppConfig } from '../../bot/config';
import { startApp, type App } from '../../bot/app';
import { createHttpServer } from '../../bot/http-server';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { ConnectorStandIn } from './connector-stand-in';

/** Everything a person would read in an activity: its text and, for cards, every text, fact and button title. */
export const activityText = (activity: { text?: string; attachments?: unknown[] }): string => {
  const parts: string[] = activity.text ? [activity.text] : [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'TextBlock' && typeof n.text === 'string') parts.push(n.text);
    if (n.type === 'FactSet' && Array.isArray(n.facts)) for (const f of n.facts as Array<{ title: string; value: string }>) parts.push(`${f.title}: ${f.value}`);
    if (typeof n.type === 'string' && n.type.startsWith('Action.') && typeof n.title === 'string' && n.type !== 'Action.Submit') parts.push(`[${n.title}]`);
    if (n.type === 'Input.ChoiceSet' && Array.isArray(n.choices)) for (const c of n.choices as Array<{ title: string }>) parts.push(`(${c.title})`);
    for (const [k, v] of Object.entries(n)) if (k !== 'fallback' && k !== 'refresh') walk(v);
  };
  for (const a of (activity.attachments ?? []) as Array<{ content?: unknown }>) walk(a.content);
  return parts.join('\n');
};

/** The Adaptive Card of an activity, if it has one. */
export const cardOf = (activity: { attachments?: unknown[] }): Record<string, unknown> | null =>
  ((activity.attachments ?? []) as Array<{ contentType?: string; content?: Record<string, unknown> }>).find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
    ?.content ?? null;

/** Finds an action by title anywhere in a card (inside ShowCards too), to press it as Teams would. */
export const actionOf = (card: unknown, title: string | RegExp): { verb: string; data: Record<string, unknown> } | null => {
  let found: { verb: string; data: Record<string, unknown> } | null = null;
  const walk = (node: unknown): void => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const n = node as Record<string, unknown>;
    if (n.type === 'Action.Execute' && typeof n.title === 'string' && (typeof title === 'string' ? n.title === title : title.test(n.title))) {
      found = { verb: n.verb as string, data: (n.data ?? {}) as Record<string, unknown> };
      return;
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'fallback' && k !== 'refresh') walk(v);
  };
  walk(card);
  return found;
};

export type Who = keyof typeof DEMO_USERS | { id: string; name: string; tenantId: string };

export interface InvokeResult {
  status: number;
  /** The Universal Action response: a card (type …card.adaptive) or a message. */
  body: { statusCode: number; type: string; value: unknown };
  /** The card's text as a person reads it (or the message). */
  text: string;
  card: Record<string, unknown> | null;
}

export interface BotHarness {
  url: string;
  app: App;
  config: AppConfig;
  connector: ConnectorStandIn;
  /** Every line the server logged at info and above, parsed. */
  logs: Array<Record<string, unknown>>;
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  say(user: Who, text: string, extra?: Record<string, unknown>): Promise<{ status: number; replies: string[]; cards: Array<Record<string, unknown> | null> }>;
  /** Presses an Action.Execute button: an adaptiveCard/action invoke, as Teams sends it. */
  invoke(user: Who, verb: string, data?: Record<string, unknown>, where?: 'personal' | 'channel'): Promise<InvokeResult>;
  /** Presses the Action.Submit fallback of a card message: a message whose value carries the data. */
  submit(
    user: Who,
    value: Record<string, unknown>,
    replyToId: string,
  ): Promise<{ status: number; recorded: Array<{ kind: string; text: string; activity: Record<string, unknown> }> }>;
  /** A channel message that @mentions the bot, as Teams sends it. */
  sayInChannel(user: Who, text: string, channel?: { id: string; name: string }): Promise<{ status: number; replies: string[]; cards: Array<Record<string, unknown> | null> }>;
  close(): Promise<void>;
}

let conversationSeq = 0;

/** The real server (restify + CloudAdapter + app on a fresh SQLite file with the demo tenant). */
export const startBot = async (env: Record<string, string> = {}): Promise<BotHarness> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ssp-bot-'));
  const config = loadConfig({ NODE_ENV: 'test', SEED_DEMO: 'true', BILLING_INTERVAL_MINUTES: '0', DATABASE_URL: `file:${path.join(dir, 'bot.db')}`, ...env });
  // What the server logs, kept in memory (never printed): tests read refusal codes from it.
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const app = await startApp(config, logger);
  const server: Server = createHttpServer(config, logger, app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const connector = await new ConnectorStandIn().start();

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  const who = (user: Who) => (typeof user === 'string' ? { id: DEMO_USERS[user].id, name: DEMO_USERS[user].displayName, tenantId: DEMO_TENANT_ID } : user);
  const readReplies = async (conversationId: string) => {
    const got = await connector.waitFor(conversationId);
    return { replies: got.map((r) => activityText(r.activity)), cards: got.map((r) => cardOf(r.activity)) };
  };

  return {
    url,
    app,
    config,
    connector,
    logs,
    post,
    async say(user, text, extra = {}) {
      const person = who(user);
      const conversationId = `a:personal-${++conversationSeq}`;
      const res = await post({
        type: 'message',
        id: `m${conversationSeq}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        timestamp: new Date().toISOString(),
        text,
        from: { id: `29:${person.id}`, name: person.name, aadObjectId: person.id },
        recipient: { id: '28:purchases-bot', name: 'Purchases' },
        conversation: { id: conversationId, conversationType: 'personal', tenantId: person.tenantId },
        channelData: { tenant: { id: person.tenantId } },
        ...extra,
      });
      return { status: res.status, ...(await readReplies(conversationId)) };
    },
    async invoke(user, verb, data = {}, where = 'personal') {
      const person = who(user);
      const res = await post({
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: `i${++conversationSeq}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        timestamp: new Date().toISOString(),
        from: { id: `29:${person.id}`, name: person.name, aadObjectId: person.id },
        recipient: { id: '28:purchases-bot', name: 'Purchases' },
        conversation:
          where === 'personal'
            ? { id: `a:personal-${person.id}`, conversationType: 'personal', tenantId: person.tenantId }
            : { id: '19:admins@thread.tacv2;messageid=1', conversationType: 'channel', isGroup: true, tenantId: person.tenantId },
        channelData: {
          tenant: { id: person.tenantId },
          ...(where === 'channel' ? { team: { id: '19:team@thread.tacv2' }, channel: { id: '19:admins@thread.tacv2', name: 'Billing admins' } } : {}),
        },
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      });
      const body = (await res.json().catch(() => ({}))) as InvokeResult['body'];
      const card = body?.type === 'application/vnd.microsoft.card.adaptive' ? (body.value as Record<string, unknown>) : null;
      const text = card ? activityText({ attachments: [{ contentType: body.type, content: card }] }) : String(body?.value ?? '');
      return { status: res.status, body, text, card };
    },
    async submit(user, value, replyToId) {
      const person = who(user);
      const conversationId = `a:personal-submit-${++conversationSeq}`;
      const res = await post({
        type: 'message',
        id: `s${conversationSeq}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        timestamp: new Date().toISOString(),
        replyToId,
        value,
        from: { id: `29:${person.id}`, name: person.name, aadObjectId: person.id },
        recipient: { id: '28:purchases-bot', name: 'Purchases' },
        conversation: { id: conversationId, conversationType: 'personal', tenantId: person.tenantId },
        channelData: { tenant: { id: person.tenantId } },
      });
      const got = await connector.waitFor(conversationId);
      return { status: res.status, recorded: got.map((r) => ({ kind: r.kind, text: activityText(r.activity), activity: r.activity })) };
    },
    async sayInChannel(user, text, channel = { id: '19:admins@thread.tacv2', name: 'Billing admins' }) {
      const person = who(user);
      const mention = '<at>Purchases</at>';
      const conversationId = `${channel.id};messageid=${++conversationSeq}`;
      const res = await post({
        type: 'message',
        id: `c${conversationSeq}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        timestamp: new Date().toISOString(),
        text: `${mention} ${text}`,
        entities: [{ type: 'mention', text: mention, mentioned: { id: '28:purchases-bot', name: 'Purchases' } }],
        from: { id: `29:${person.id}`, name: person.name, aadObjectId: person.id },
        recipient: { id: '28:purchases-bot', name: 'Purchases' },
        conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: DEMO_TENANT_ID },
        channelData: { tenant: { id: DEMO_TENANT_ID }, team: { id: '19:team@thread.tacv2', name: 'Contoso IT' }, channel },
      });
      return { status: res.status, ...(await readReplies(conversationId)) };
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await connector.stop();
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
