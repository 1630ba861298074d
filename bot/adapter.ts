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

/**
 * botbuilder's CloudAdapter asks for a new ConnectorClient (credentials lookup, a fresh HTTP pipeline
 * of policies) and a new UserTokenClient (another service client and pipeline) on every incoming turn;
 * the turn's reply is then one request on the first, and this bot never asks the second for a token.
 * This keeps one ConnectorClient per bot app id, service URL and audience for incoming turns, and one
 * UserTokenClient per app id, and hands them out again, as botbuilder's older BotFrameworkAdapter did:
 * such clients hold no per-turn state (each request signs itself with the credentials, which cache and
 * renew their token), and nothing adds to a turn's pipeline. Proactive sends (createConnectorFactory)
 * still get a ConnectorClient of their own: the outbox sender adds a policy to each send's pipeline
 * (bot/outbox-sender.ts). A failed creation is not kept, and at most MAX_CLIENTS of each are (least
 * recently used out): service URLs come from activities.
 */
export class ReusedConnectorClients extends ConfigurationBotFrameworkAuthentication {
  static readonly MAX_CLIENTS = 100;
  private readonly connectors = new ClientCache<ConnectorClient>(ReusedConnectorClients.MAX_CLIENTS);
  private readonly userTokens = new ClientCache<UserTokenClient>(ReusedConnectorClients.MAX_CLIENTS);

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    return result.connectorFactory ? { ...result, connectorFactory: this.reusing(result.claimsIdentity, result.connectorFactory) } : result;
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokens.get(appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
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
