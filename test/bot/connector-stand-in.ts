import http from 'node:http';

export interface Recorded {
  /** 'reply' when posted to …/activities/{id}: botbuilder's proactive sends take that path too. */
  kind: 'reply' | 'send' | 'update';
  conversationId: string;
  /** When it arrived (Date.now()), to measure send rates. */
  at: number;
  activity: { type?: string; text?: string; attachments?: unknown[]; replyToId?: string; [k: string]: unknown };
}

/**
 * A loopback stand-in for the Bot Connector service: the bot's replies, proactive sends and updates
 * land here and are recorded; roster lookups answer from `members`.
 */
export class ConnectorStandIn {
  readonly recorded: Recorded[] = [];
  /** Roster by channel account id (the `29:` id), as Teams' GET …/members/{id} returns it. */
  readonly members = new Map<string, Record<string, unknown>>();
  /** Conversations whose sends fail with this HTTP status (e.g. 403: the user blocked the bot). */
  readonly failing = new Map<string, number>();
  private server = http.createServer((req, res) => this.handle(req, res));
  private seq = 0;
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}/`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  /** Waits until `count` activities have arrived for a conversation (replies are sent after the HTTP answer for some turns). */
  /** 1:1 conversations the bot created (create-conversation), with their members: one per member. */
  created: Array<{ conversationId: string; memberIds: string[] }> = [];
  /** Every create-conversation request, answered or refused. */
  createRequests: Array<{ memberIds: string[]; tenantId: string | null }> = [];
  /** Member ids the bot can't start a chat with (not installed for them, nor in a team with them): 403. */
  readonly unreachable = new Set<string>();
  private readonly chats = new Map<string, string>();

  async waitFor(conversationId: string, count = 1, ms = 5000): Promise<Recorded[]> {
    const until = Date.now() + ms;
    for (;;) {
      const got = this.recorded.filter((r) => r.conversationId === conversationId);
      if (got.length >= count || Date.now() > until) return got;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const at = Date.now();
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const url = decodeURIComponent(req.url ?? '');
      const member = /^\/v3\/conversations\/([^/]+)\/members\/([^/]+)$/.exec(url);
      if (req.method === 'GET' && member) {
        const m = this.members.get(member[2]);
        res.writeHead(m ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(m ?? { error: { code: 'MemberNotFoundInConversation' } }));
        return;
      }
      // Create-conversation, as the Bot Connector answers it: a 1:1 conversation with one member, the
      // same one every time for the same member; refused (403) for someone the bot can't reach.
      if (req.method === 'POST' && url === '/v3/conversations') {
        const params = JSON.parse(body || '{}') as { members?: Array<{ id: string }>; tenantId?: string };
        const memberIds = (params.members ?? []).map((m) => m.id);
        this.createRequests.push({ memberIds, tenantId: params.tenantId ?? null });
        if (memberIds.length !== 1 || !params.tenantId) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'BadArgument', message: 'Incorrect conversation creation parameters' } }));
          return;
        }
        if (this.unreachable.has(memberIds[0])) {
          res.writeHead(403, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'ForbiddenOperationException', message: "Bot is not installed in user's personal scope" } }));
          return;
        }
        let id = this.chats.get(memberIds[0]);
        if (!id) {
          this.chats.set(memberIds[0], (id = `a:created-${++this.seq}`));
          this.created.push({ conversationId: id, memberIds });
        }
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id }));
        return;
      }
      const act = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(url);
      if (act && this.failing.has(act[1])) {
        res.writeHead(this.failing.get(act[1])!, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'BotDisabledByAdmin', message: 'The bot is blocked' } }));
        return;
      }
      if (act && (req.method === 'POST' || req.method === 'PUT')) {
        const activity = JSON.parse(body || '{}');
        this.recorded.push({ kind: req.method === 'PUT' ? 'update' : act[2] ? 'reply' : 'send', conversationId: act[1], at, activity });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `activity-${++this.seq}` }));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  }
}
