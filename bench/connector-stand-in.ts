/**
 * A loopback stand-in for the Bot Connector service, for benchmarks: answers every send or reply
 * with an activity id as fast as it can and counts what arrived. It never deduplicates: a message
 * sent twice is counted twice.
 *
 * In-process: `new BenchConnector().start()`. As a process of its own (so that its work is not
 * mixed with the load generator's): `node --import tsx bench/connector-stand-in.ts`, which reports
 * its port over IPC and answers `GET /stats` and `GET /arrivals` (the notifications, with their arrival times).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';

export interface Arrival {
  /** ms since the stand-in started (performance.now()) */
  at: number;
  conversationId: string;
  notificationId?: string;
  tenantId?: string;
  /** A create-conversation request (a chat started), not a message: Teams counts it in the tenant's rate too. */
  startedChat?: boolean;
}

export interface ConnectorStats {
  received: number;
  /** TCP connections opened to the stand-in (a client that keeps connections alive opens few). */
  connections: number;
  byConversation: Record<string, number>;
  last: Record<string, string>;
  /** 1:1 chats started (create-conversation), one per member. */
  createdConversations: number;
}

export class BenchConnector {
  received = 0;
  connections = 0;
  readonly byConversation = new Map<string, number>();
  /** Last text (or attachment type) per conversation, to check what the bot answered. */
  readonly last = new Map<string, string>();
  /** The last activity sent to each of the most recent conversations, whole (`GET /activity?conversation=…`). */
  readonly lastActivity = new Map<string, unknown>();
  /** Every send that carried channelData.notificationId, in arrival order (outbox benchmark). */
  readonly arrivals: Arrival[] = [];
  /** Answer this status instead of 200 for sends to these conversations. */
  readonly failing = new Map<string, number>();
  /** The members the bot started a 1:1 chat with (create-conversation). */
  readonly createdConversations = new Set<string>();
  /** Milliseconds to wait before answering (a remote service is not on loopback). */
  latencyMs = 0;
  url = '';
  private seq = 0;
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  async start(port = 0): Promise<this> {
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  stats(): ConnectorStats {
    return {
      received: this.received,
      connections: this.connections,
      byConversation: Object.fromEntries(this.byConversation),
      last: Object.fromEntries(this.last),
      createdConversations: this.createdConversations.size,
    };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const url = decodeURIComponent(req.url ?? '');
      if (req.method === 'GET' && url === '/stats') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.stats()));
        return;
      }
      if (req.method === 'GET' && url.startsWith('/activity?')) {
        const id = new URLSearchParams(url.slice('/activity?'.length)).get('conversation') ?? '';
        const found = this.lastActivity.get(id);
        res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(found ?? null));
        return;
      }
      if (req.method === 'GET' && url === '/arrivals') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.arrivals));
        return;
      }
      // Create-conversation (a person's first 1:1 chat): the same chat for the same member every time, as Teams answers it.
      if (req.method === 'POST' && url === '/v3/conversations') {
        const params = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { members?: Array<{ id?: string }> };
        const member = params.members?.[0]?.id ?? '';
        this.createdConversations.add(member);
        this.arrivals.push({ at: performance.now(), conversationId: '', tenantId: (params as { tenantId?: string }).tenantId, startedChat: true });
        const answer = () => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: `a:created-${member}` }));
        };
        if (this.latencyMs > 0) setTimeout(answer, this.latencyMs);
        else answer();
        return;
      }
      const act = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(url);
      if (!act || (req.method !== 'POST' && req.method !== 'PUT')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"NotFound"}}');
        return;
      }
      const conversationId = act[1];
      const failWith = this.failing.get(conversationId);
      if (failWith) {
        res.writeHead(failWith, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"Failing","message":"configured to fail"}}');
        return;
      }
      // Counted when the whole request has arrived: from here on, the message counts as shown in Teams.
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        text?: string;
        attachments?: Array<{ contentType?: string }>;
        channelData?: { notificationId?: string; tenant?: { id?: string } };
        conversation?: { tenantId?: string };
      };
      this.received++;
      this.byConversation.set(conversationId, (this.byConversation.get(conversationId) ?? 0) + 1);
      this.last.set(conversationId, activity.text ?? activity.attachments?.map((a) => a.contentType).join(',') ?? '');
      this.lastActivity.delete(conversationId);
      this.lastActivity.set(conversationId, activity);
      if (this.lastActivity.size > 1_000) this.lastActivity.delete(this.lastActivity.keys().next().value!);
      const notificationId = activity.channelData?.notificationId;
      if (notificationId) {
        this.arrivals.push({ at: performance.now(), conversationId, notificationId, tenantId: activity.conversation?.tenantId ?? activity.channelData?.tenant?.id });
      }
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `activity-${++this.seq}` }));
      };
      if (this.latencyMs > 0) setTimeout(answer, this.latencyMs);
      else answer();
    });
  }
}

/** The stand-in as a process of its own (its port over IPC): what the benchmarks and the multi-instance test talk to. */
export const spawnConnectorStandIn = (): Promise<{ child: ChildProcess; url: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'connector-stand-in.ts')], {
      cwd: path.join(__dirname, '..'),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (m) => resolve({ child, url: (m as { url: string }).url }));
    child.once('exit', (code) => reject(new Error(`connector stand-in exited with ${code}`)));
  });

/** The most arrivals in any window of `ms` among these times: a rate limit as the receiving side sees it. */
export const peakInWindow = (times: readonly number[], ms: number): number => {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
};

/** The shortest time `count` consecutive arrivals took: above the window, `count` never fit in one. */
export const tightestSpan = (times: readonly number[], count: number): number => {
  const sorted = [...times].sort((a, b) => a - b);
  let best = Infinity;
  for (let i = 0; i + count - 1 < sorted.length; i++) best = Math.min(best, sorted[i + count - 1] - sorted[i]);
  return best;
};

if (require.main === module) {
  void new BenchConnector().start(Number(process.env.PORT ?? 0)).then((c) => {
    process.send?.({ url: c.url });
    process.stdout.write(`connector stand-in on ${c.url}\n`);
  });
}
