import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'restify';
import pino from 'pino';
import { loadConfig, type AppConfig } from '../../bot/config';
import { startApp, type App } from '../../bot/app';
import { createHttpServer } from '../../bot/http-server';
import { ConnectorStandIn } from './connector-stand-in';

/**
 * The real server as `startBot` starts it (restify + CloudAdapter + app on a fresh SQLite file with the
 * demo tenant), plus the restify server itself so a test can list the routes it registered, and raw
 * HTTP helpers that send exactly the bytes and headers given (fetch would fix them up).
 */
export interface HostileBot {
  url: string;
  port: number;
  server: Server;
  app: App;
  config: AppConfig;
  connector: ConnectorStandIn;
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export const startHostileBot = async (env: Record<string, string> = {}): Promise<HostileBot> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ssp-hostile-'));
  const config = loadConfig({ NODE_ENV: 'test', SEED_DEMO: 'true', BILLING_INTERVAL_MINUTES: '0', DATABASE_URL: `file:${path.join(dir, 'bot.db')}`, ...env });
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const app = await startApp(config, logger);
  const server = createHttpServer(config, logger, app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  const connector = await new ConnectorStandIn().start();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    app,
    config,
    connector,
    logs,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await connector.stop();
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** Every route the server registered, as restify lists them. */
export const routesOf = (server: Server): Array<{ method: string; path: string; handlers: string[] }> =>
  (server.getDebugInfo() as { routes: Array<{ method: string; path: string; handlers: string[] }> }).routes.map((r) => ({
    method: r.method.toUpperCase(),
    path: r.path,
    handlers: r.handlers,
  }));

/** A concrete URL for a route pattern: every `:param` becomes a plausible id. */
export const concretePath = (pattern: string): string => pattern.replace(/:(\w+)/g, (_m, name: string) => `${name}-1`);

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with exactly these headers and body bytes (chunked when no content-length is given). */
export const rawRequest = (port: number, method: string, urlPath: string, headers: Record<string, string>, body?: Buffer | string): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });

/**
 * Writes raw bytes on a socket and reads whatever comes back until the server closes or `ms` pass:
 * for requests no HTTP client will send (a content-length larger than the body, then silence or a hang-up).
 */
export const rawSocket = (port: number, bytes: Buffer | string, opts: { hangUpAfterMs?: number; waitMs: number }): Promise<{ response: string; closedByServer: boolean }> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByServer = false;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(wait);
      socket.destroy();
      resolve({ response: Buffer.concat(chunks).toString('utf8'), closedByServer });
    };
    const wait = setTimeout(finish, opts.waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(bytes);
    if (opts.hangUpAfterMs !== undefined) setTimeout(() => socket.destroy(), opts.hangUpAfterMs);
  });

/** Status line's code of a raw HTTP response ('' → 0). */
export const statusOf = (response: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

/** The server still answers: /healthz is 200. */
export const healthy = async (bot: HostileBot): Promise<boolean> => {
  const res = await rawRequest(bot.port, 'GET', '/healthz', {});
  return res.status === 200;
};
