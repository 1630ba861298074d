import type { Server, Request, Response } from 'restify';
import { z } from 'zod';
import type { Activity, TurnContext } from 'botbuilder';
import type { TeamsAdapter } from './adapter';
import type { Logger } from './logger';
import { jsonBody } from './body';

const ACTIVITY_TYPES = new Set([
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
]);

const isHttpUrl = (v: string): boolean => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

// The activity fields the bot and botbuilder read, with the types the Bot Framework schema gives them.
// Teams always sends these as typed; anything else would fail later, deep inside a turn (botbuilder's
// serializer, the database), so it is a 400 here. Other fields pass through untouched.
const text = z.string().nullish();
/** No control characters, no half of a UTF-16 pair: ids go into Bot Connector URLs (encodeURIComponent throws on half a pair). */
const isWellFormedId = (v: string): boolean => {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || (c >= 0xdc00 && c <= 0xdfff)) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = v.charCodeAt(++i);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return false;
    }
  }
  return true;
};
const idString = z.string().refine(isWellFormedId, 'must be well-formed text without control characters');
/** Teams' conversation ids are printable ASCII; botbuilder sends them in an x-ms-conversation-id header, which can hold nothing else. */
const conversationId = z.string().regex(/^[\x20-\x7e]*$/, 'must be printable ASCII');
const account = z.looseObject({ id: idString, name: text, aadObjectId: text, role: text });
const named = z.looseObject({ id: text, name: text });
const ACTIVITY = z.looseObject({
  type: z.string(),
  // Where replies go. With an app id the token vouches for it; without one it must at least be a URL, or botbuilder falls back to the public Bot Connector.
  serviceUrl: z.string().refine(isHttpUrl, 'must be an http(s) URL'),
  conversation: z.looseObject({ id: conversationId, conversationType: text, tenantId: text, isGroup: z.boolean().nullish(), name: text }),
  id: idString.nullish(),
  channelId: text,
  name: text,
  text,
  textFormat: text,
  locale: text,
  replyToId: idString.nullish(),
  action: text,
  timestamp: text,
  localTimestamp: text,
  from: account.nullish(),
  recipient: account.nullish(),
  entities: z.array(z.looseObject({ type: z.string(), text, mentioned: account.nullish() })).nullish(),
  attachments: z.array(z.looseObject({ contentType: z.string() })).nullish(),
  membersAdded: z.array(account).nullish(),
  membersRemoved: z.array(account).nullish(),
  channelData: z.looseObject({ tenant: z.looseObject({ id: text }).nullish(), team: named.nullish(), channel: named.nullish() }).nullish(),
});

const problem = (res: Response, status: number, message: string) => {
  res.status(status);
  res.json({ error: message });
};

/**
 * POST /api/messages: the Bot Framework endpoint. Bodies are size-limited and must be JSON activity
 * objects; authentication happens before any logic runs and every failure of it is a 401.
 */
export const registerMessagesEndpoint = (
  server: Server,
  deps: { adapter: TeamsAdapter; logger: Logger; maxBodyBytes: number; onTurn: (context: TurnContext) => Promise<void> },
): void => {
  const { adapter, logger } = deps;
  // The Agents Playground (and some uptime probes) check the endpoint with HEAD before posting.
  server.head('/api/messages', async (_req: Request, res: Response) => {
    res.status(200);
    res.end();
  });
  const readBody = jsonBody({
    maxBytes: deps.maxBodyBytes,
    refuse: (res, status, code, message) => {
      logger.info({ code, status, path: '/api/messages' }, 'request body refused');
      problem(res, status, message);
    },
  });
  server.post('/api/messages', readBody, async (req: Request, res: Response) => {
    const parsed = ACTIVITY.safeParse(req.body ?? null);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first.path.length ? ` (${first.path.join('.')}: ${first.message})` : '';
      return problem(res, 400, `Expected a Bot Framework activity (a JSON object with type, conversation and serviceUrl)${where}.`);
    }
    // The body as sent (not zod's copy): botbuilder gets exactly what the channel posted.
    const activity = req.body as Activity;
    let authResult;
    try {
      authResult = await adapter.auth.authenticateRequest(activity, String(req.headers.authorization ?? ''));
    } catch (err) {
      logger.warn({ err: (err as Error).message, serviceUrl: activity.serviceUrl }, 'activity refused: authentication failed');
      return problem(res, 401, 'Unauthorized');
    }
    if (!ACTIVITY_TYPES.has(activity.type)) {
      // Politely ignored: acknowledged so the channel does not retry, but no logic runs.
      logger.info({ type: activity.type }, 'activity type ignored');
      res.status(200);
      res.end();
      return;
    }
    try {
      const invokeResponse = await adapter.run(authResult, activity, deps.onTurn);
      res.status(invokeResponse?.status ?? 200);
      if (invokeResponse?.body !== undefined) res.json(invokeResponse.body);
      else res.end();
    } catch (err) {
      // onTurnError already handled turn failures; this is the adapter itself failing.
      logger.error({ err }, 'activity processing failed');
      problem(res, 500, 'Internal error');
    }
  });
};
