import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'restify';
import pino from 'pino';
import { loadConfig } from '../../bot/config';
import { startApp, type App } from '../../bot/app';
import { createHttpServer } from '../../bot/http-server';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { ConnectorStandIn } from './connector-stand-in';

export interface BotHarness {
  url: string;
  app: App;
  connector: ConnectorStandIn;
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  say(user: keyof typeof DEMO_USERS | { id: string; name: string; tenantId: string }, text: string, extra?: Record<string, unknown>): Promise<{ status: number; replies: string[] }>;
  /** A channel message that @mentions the bot, as Teams sends it. */
  sayInChannel(user: keyof typeof DEMO_USERS, text: string, channel?: { id: string; name: string }): Promise<{ status: number; replies: string[] }>;
  close(): Promise<void>;
}

let conversationSeq = 0;

/** The real server (restify + CloudAdapter + app on a fresh SQLite file with the demo tenant). */
export const startBot = async (env: Record<string, string> = {}): Promise<BotHarness> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ssp-bot-'));
  const config = loadConfig({ NODE_ENV: 'test', SEED_DEMO: 'true', BILLING_INTERVAL_MINUTES: '0', DATABASE_URL: `file:${path.join(dir, 'bot.db')}`, ...env });
  const logger = pino({ level: 'silent' });
  const app = await startApp(config, logger);
  const server: Server = createHttpServer(config, logger, app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const connector = await new ConnectorStandIn().start();

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  return {
    url,
    app,
    connector,
    post,
    async say(user, text, extra = {}) {
      const who = typeof user === 'string' ? { id: DEMO_USERS[user].id, name: DEMO_USERS[user].displayName, tenantId: DEMO_TENANT_ID } : user;
      const conversationId = `a:personal-${++conversationSeq}`;
      const res = await post({
        type: 'message', id: `m${conversationSeq}`, channelId: 'msteams', serviceUrl: connector.url, timestamp: new Date().toISOString(), text,
        from: { id: `29:${who.id}`, name: who.name, aadObjectId: who.id },
        recipient: { id: '28:purchases-bot', name: 'Purchases' },
        conversation: { id: conversationId, conversationType: 'personal', tenantId: who.tenantId },
        channelData: { tenant: { id: who.tenantId } },
        ...extra,
      });
      const replies = (await connector.waitFor(conversationId)).map((r) => r.activity.text ?? '');
      return { status: res.status, replies };
    },
    async sayInChannel(user, text, channel = { id: '19:admins@thread.tacv2', name: 'Billing admins' }) {
      const mention = '<at>Purchases</at>';
      const conversationId = `${channel.id};messageid=${++conversationSeq}`;
      const res = await post({
        type: 'message', id: `c${conversationSeq}`, channelId: 'msteams', serviceUrl: connector.url, timestamp: new Date().toISOString(),
        text: `${mention} ${text}`,
        entities: [{ type: 'mention', text: mention, mentioned: { id: '28:purchases-bot', name: 'Purchases' } }],
        from: { id: `29:${DEMO_USERS[user].id}`, name: DEMO_USERS[user].displayName, aadObjectId: DEMO_USERS[user].id },
        recipient: { id: '28:purchases-bot', name: 'Purchases' },
        conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: DEMO_TENANT_ID },
        channelData: { tenant: { id: DEMO_TENANT_ID }, team: { id: '19:team@thread.tacv2', name: 'Contoso IT' }, channel },
      });
      const replies = (await connector.waitFor(conversationId)).map((r) => r.activity.text ?? '');
      return { status: res.status, replies };
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await connector.stop();
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
