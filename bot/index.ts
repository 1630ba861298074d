import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { createHttpServer } from './http-server';
import { startApp } from './app';

/** `npm start`: validate config, migrate and seed the database, serve, and run the billing job. */
const main = async (): Promise<void> => {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  const app = await startApp(config, logger);
  const server = createHttpServer(config, logger, app);
  server.listen(config.port, config.host, () => logger.info({ url: server.url, env: config.env, database: config.databaseUrl }, 'listening'));

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => void app.stop().finally(() => process.exit(0)));
    setTimeout(() => process.exit(1), 5000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
};

main().catch((e) => {
  process.stderr.write(`Failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
