import type { Server } from 'restify';
import type { App } from './app';
import type { AppConfig } from './config';
import type { Logger } from './logger';
import { createServer } from './server';
import { registerMessagesEndpoint } from './messages-endpoint';
import { createTurnHandler } from './turn';

/** The whole HTTP surface: health check and the Bot Framework endpoint, over one app. */
export const createHttpServer = (config: AppConfig, logger: Logger, app: App): Server => {
  const server = createServer({ logger, checkDatabase: app.checkDatabase });
  registerMessagesEndpoint(server, {
    adapter: app.adapter,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    onTurn: createTurnHandler(app.deps, logger, app.conversations),
  });
  return server;
};
