import { randomUUID } from 'node:crypto';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory, type TurnContext, type InvokeResponse } from 'botbuilder';
import type { Activity } from 'botbuilder';
import type { AuthenticateRequestResult, BotFrameworkAuthentication, ClaimsIdentity, ConnectorClient, ConnectorFactory } from 'botframework-connector';
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
 * botbuilder's CloudAdapter asks for a new ConnectorClient (credentials lookup, a fresh HTTP pipeline
 * of policies) on every incoming turn; the turn's reply is then one request on it. This keeps one
 * client per bot app id, service URL and audience for incoming turns and hands it out again, as
 * botbuilder's older BotFrameworkAdapter did: such a client holds no per-turn state (each request signs
 * itself with the credentials, which cache and renew their token), and nothing adds to a turn's
 * pipeline. Proactive sends (createConnectorFactory) still get a client of their own: the outbox sender
 * adds a policy to each send's pipeline (bot/outbox-sender.ts). A failed creation is not kept, and at
 * most MAX_CLIENTS are (least recently used out): service URLs come from activities.
 */
export class ReusedConnectorClients extends ConfigurationBotFrameworkAuthentication {
  static readonly MAX_CLIENTS = 100;
  private readonly clients = new Map<string, Promise<ConnectorClient>>();

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    return result.connectorFactory ? { ...result, connectorFactory: this.reusing(result.claimsIdentity, result.connectorFactory) } : result;
  }

  private reusing(claimsIdentity: ClaimsIdentity, factory: ConnectorFactory): ConnectorFactory {
    // The app id botbuilder's own factory is made for: the audience claim (a channel's token), else the app id claim.
    const appId = claimsIdentity.getClaimValue('aud') ?? claimsIdentity.getClaimValue('appid') ?? '';
    return {
      create: (serviceUrl: string, audience?: string): Promise<ConnectorClient> => {
        const key = JSON.stringify([appId, serviceUrl, audience ?? null]);
        let client = this.clients.get(key);
        if (client) {
          this.clients.delete(key); // re-inserted: most recently used last
        } else {
          if (this.clients.size >= ReusedConnectorClients.MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
          client = factory.create(serviceUrl, audience);
          client.catch(() => {
            if (this.clients.get(key) === client) this.clients.delete(key);
          });
        }
        this.clients.set(key, client);
        return client;
      },
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
