import type { Server } from 'restify';
import type { App } from './app';
import type { AppConfig } from './config';
import type { Logger } from './logger';
import { createServer } from './server';
import { registerMessagesEndpoint } from './messages-endpoint';
import { createTurnHandler } from './turn';
import { SignedLinks } from './signed-links';
import { EXPORT_LINK_MINUTES, EXPORT_PATH, EXPORT_PURPOSE, registerExportEndpoint } from './export-endpoint';
import { registerWeb } from './web/web-server';

/** The whole HTTP surface: health check, the Bot Framework endpoint, downloads and the pages, over one app. */
export const createHttpServer = (config: AppConfig, logger: Logger, app: App): Server => {
  const server = createServer({ logger, checkDatabase: app.checkDatabase });
  const links = new SignedLinks(config.linkSecret);
  const web = registerWeb(server, { config, deps: app.deps, links, logger, payments: app.payments });
  registerMessagesEndpoint(server, {
    adapter: app.adapter,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    onTurn: createTurnHandler(app.deps, logger, app.conversations, {
      appId: config.bot.appId,
      directory: app.directory,
      tokenize: (card) => app.payments.tokenize(card),
      exportLink: (ctx, productId) => ({
        url: `${config.publicUrl}${EXPORT_PATH}?token=${links.sign({ tenantId: ctx.tenantId, userId: ctx.actorId, purpose: EXPORT_PURPOSE, arg: productId }, EXPORT_LINK_MINUTES * 60_000)}`,
        minutes: EXPORT_LINK_MINUTES,
      }),
      pageLink: (ctx, page, params) => web.pageLink({ tenantId: ctx.tenantId, userId: ctx.actorId }, page, params),
    }),
  });
  registerExportEndpoint(server, { deps: app.deps, links, logger });
  return server;
};
