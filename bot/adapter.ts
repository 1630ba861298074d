import { randomUUID } from 'node:crypto';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory, type TurnContext, type InvokeResponse } from 'botbuilder';
import type { Activity } from 'botbuilder';
import type { AuthenticateRequestResult, BotFrameworkAuthentication } from 'botframework-connector';
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

export const createAdapter = (config: AppConfig, logger: Logger): TeamsAdapter => {
  const settings = {
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
  };
  const auth = new ConfigurationBotFrameworkAuthentication(settings, new ConfigurationServiceClientCredentialFactory(settings));
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
