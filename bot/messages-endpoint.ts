import type { Server, Request, Response } from 'restify';
import restify from 'restify';
import type { Activity, TurnContext } from 'botbuilder';
import type { TeamsAdapter } from './adapter';
import type { Logger } from './logger';

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
  server.post('/api/messages', restify.plugins.bodyParser({ maxBodySize: deps.maxBodyBytes, mapParams: false, rejectUnknown: true }), async (req: Request, res: Response) => {
    const body = req.body as Partial<Activity> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.type !== 'string' || !body.conversation || typeof body.serviceUrl !== 'string') {
      return problem(res, 400, 'Expected a Bot Framework activity (a JSON object with type, conversation and serviceUrl).');
    }
    const activity = body as Activity;
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
      return res.end();
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
