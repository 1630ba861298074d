import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory, type TurnContext, type InvokeResponse } from 'botbuilder';
import type { Activity } from 'botbuilder';
import type { AuthenticateRequestResult, BotFrameworkAuthentication, ClaimsIdentity, ConnectorClient, ConnectorFactory, UserTokenClient } from 'botframework-connector';
import type { AppConfig } from './config';
import type { Logger } from './logger';

/**
 * CloudAdapter with authentication split from processing, so the edge decides the HTTP status: any
 * failure to authenticate is a 401 (botbuilder itself answers a bad signature with 500).
 */
export class TeamsAdapter extends CloudAdapter {
  constructor(readonly auth: BotFrameworkAuthentication) {
    super(auth);
  }

  run(authResult: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authResult, activity, logic);
  }
}

/**
 * Promises of clients by key, at most `max` of them (least recently used out); a failed creation is
 * not kept, so the next caller tries again.
 */
class ClientCache<T> {
  private readonly entries = new Map<string, Promise<T>>();
  constructor(private readonly max: number) {}

  get(key: string, create: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key); // re-inserted: most recently used last
    } else {
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      entry = create();
      entry.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    this.entries.set(key, entry);
    return entry;
  }
}

/** The app id botbuilder makes a turn's clients for: the audience claim (a channel's token), else the app id claim. */
const appIdOf = (claimsIdentity: ClaimsIdentity): string => claimsIdentity.getClaimValue('aud') ?? claimsIdentity.getClaimValue('appid') ?? '';

/** What a proactive send watches of its request (the outbox sender, bot/outbox-sender.ts). */
export interface WireWatch {
  /**
   * The request leaves now: after serialization and signing, and after any retry's back-off. It may
   * refuse (throw or reject): the request then doesn't leave, and the error's code is NOT_SENT.
   */
  departs(): void | Promise<void>;
}

const wireWatch = new AsyncLocalStorage<WireWatch>();
/** Watched sends in flight (nested ones included). */
let watching = 0;

/**
 * Runs a proactive send with `watch` told of its request's departure (see ON_THE_WIRE). On Node 20 an
 * AsyncLocalStorage that has run once keeps the promise hooks on for the whole process, which every
 * turn's promises then pay (about 3% of a reading turn's CPU in a profile): it is disabled again as
 * soon as no watched send is in flight, and the next send enables it.
 */
export const watchingTheWire = async <T>(watch: WireWatch, send: () => Promise<T>): Promise<T> => {
  watching++;
  try {
    return await wireWatch.run(watch, send);
  } finally {
    if (--watching === 0) wireWatch.disable();
  }
};

/** System errors after which the request may have reached the connector: botbuilder's retry policy would repeat the message. */
const AMBIGUOUS = new Set(['ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
export const OUTCOME_UNKNOWN = 'OUTCOME_UNKNOWN';
/** The code of a request that WireWatch.departs kept from leaving: nothing was sent (nor retried: botbuilder's retry policy repeats only network codes). */
export const NOT_SENT = 'NOT_SENT';

/** The part of a ConnectorClient (an @azure/core-client ServiceClient) that the policy below is added to. */
interface ConnectorPipeline {
  addPolicy(policy: { name: string; sendRequest(request: unknown, next: (request: unknown) => Promise<unknown>): Promise<unknown> }, options?: { afterPolicies?: string[] }): void;
}

/**
 * The last policy before the HTTP client (after botbuilder's retry policy) of every proactive
 * ConnectorClient, for the send that runs under watchingTheWire (none else: it passes the rest by):
 * - it tells the send the moment the request leaves, which is what the rate windows must count:
 *   Teams counts messages as they arrive; the send may keep it from leaving (NOT_SENT);
 * - a connection that drops once the request is out gets a code the retry policy does not repeat, so
 *   the sender decides (in doubt) instead of botbuilder posting the same message up to four times.
 *   429 and 5xx answers are retried by botbuilder as before.
 * One policy per client, the send found in the async context: a client serves many sends at once.
 */
const ON_THE_WIRE = {
  name: 'outboxOnTheWire',
  async sendRequest(request: unknown, next: (request: unknown) => Promise<unknown>): Promise<unknown> {
    const watch = wireWatch.getStore();
    if (!watch) return next(request);
    try {
      await watch.departs();
    } catch (e) {
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { code: NOT_SENT });
    }
    try {
      return await next(request);
    } catch (e) {
      const err = e as { code?: string; message?: string; response?: unknown };
      if (err && err.response === undefined && err.code !== undefined && AMBIGUOUS.has(err.code)) {
        err.message = `${err.code}: ${err.message ?? ''}`;
        err.code = OUTCOME_UNKNOWN;
      }
      throw e;
    }
  },
};

/**
 * botbuilder's public options place a ConnectorClient's own policies (`requestPolicyFactories`) before
 * its retry policy, where a dropped connection has already been retried: ON_THE_WIRE must come after
 * it. So it goes into the @azure/core-client pipeline that botbuilder's compat layer keeps in the
 * client's `client` field, the one place this code reaches into botbuilder (checked by
 * test/integration/outbox-delivery.test.ts: a dropped connection posts the message once).
 */
const watched = (client: ConnectorClient): ConnectorClient => {
  (client as unknown as { client?: { pipeline?: ConnectorPipeline } }).client?.pipeline?.addPolicy(ON_THE_WIRE, {
    afterPolicies: ['defaultRetryPolicy', 'tracingPolicy', 'redirectPolicy', 'logPolicy'],
  });
  return client;
};

/**
 * botbuilder's CloudAdapter asks for a new ConnectorClient (credentials lookup, a fresh HTTP pipeline
 * of policies) and a new UserTokenClient (another service client and pipeline) on every incoming turn;
 * the turn's reply is then one request on the first, and this bot never asks the second for a token.
 * This keeps one ConnectorClient per bot app id, service URL and audience for incoming turns, and one
 * UserTokenClient per app id, and hands them out again, as botbuilder's older BotFrameworkAdapter did:
 * such clients hold no per-turn state (each request signs itself with the credentials, which cache and
 * renew their token), and nothing adds to a turn's pipeline. Proactive sends (createConnectorFactory,
 * the outbox's every message) are reused the same way, apart from the turns' clients: theirs carry
 * ON_THE_WIRE. A failed creation is not kept, and at most MAX_CLIENTS of each are (least recently used
 * out): service URLs come from activities.
 */
export class ReusedConnectorClients extends ConfigurationBotFrameworkAuthentication {
  static readonly MAX_CLIENTS = 100;
  private readonly connectors = new ClientCache<ConnectorClient>(ReusedConnectorClients.MAX_CLIENTS);
  private readonly proactive = new ClientCache<ConnectorClient>(ReusedConnectorClients.MAX_CLIENTS);
  private readonly userTokens = new ClientCache<UserTokenClient>(ReusedConnectorClients.MAX_CLIENTS);

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    return result.connectorFactory ? { ...result, connectorFactory: this.reusing(result.claimsIdentity, result.connectorFactory) } : result;
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokens.get(appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const appId = appIdOf(claimsIdentity);
    return {
      create: (serviceUrl: string, audience?: string): Promise<ConnectorClient> =>
        this.proactive.get(JSON.stringify([appId, serviceUrl, audience ?? null]), async () =>
          watched(await super.createConnectorFactory(claimsIdentity).create(serviceUrl, audience)),
        ),
    };
  }

  private reusing(claimsIdentity: ClaimsIdentity, factory: ConnectorFactory): ConnectorFactory {
    const appId = appIdOf(claimsIdentity);
    return {
      create: (serviceUrl: string, audience?: string): Promise<ConnectorClient> =>
        this.connectors.get(JSON.stringify([appId, serviceUrl, audience ?? null]), () => factory.create(serviceUrl, audience)),
    };
  }
}

export const createAdapter = (config: AppConfig, logger: Logger): TeamsAdapter => {
  const settings = {
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
  };
  const auth = new ReusedConnectorClients(settings, new ConfigurationServiceClientCredentialFactory(settings));
  const adapter = new TeamsAdapter(auth);

  // The one error boundary: log with a correlation id, tell the user something they can quote.
  adapter.onTurnError = async (context, error) => {
    const correlationId = randomUUID();
    logger.error({ err: error, correlationId, activityType: context.activity.type, conversationId: context.activity.conversation?.id }, 'turn failed');
    if (context.activity.type === 'invoke' && context.activity.name === 'adaptiveCard/action') {
      // A card button: the card stays as it was and the person sees why.
      await context
        .sendActivity({
          type: 'invokeResponse',
          value: {
            status: 200,
            body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: `Sorry, something went wrong on our side. Reference: ${correlationId}` },
          },
        })
        .catch((sendError) => logger.warn({ err: sendError, correlationId }, 'could not answer the failed card action'));
    } else if (context.activity.type === 'message') {
      await context
        .sendActivity(`Sorry, something went wrong on our side and nothing was changed. If it keeps happening, give your admin this reference: ${correlationId}`)
        .catch((sendError) => logger.warn({ err: sendError, correlationId }, 'could not tell the user about the failure'));
    }
  };
  return adapter;
};
