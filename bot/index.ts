import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ConfigError, loadConfig } from './config';
import { withoutPassword } from '../prisma/database-url';
import { createLogger } from './logger';
import { createHttpServer } from './http-server';
import { startApp } from './app';

/** Every `everyMs`, the event loop's delay since the last line (p50, p99, max in ms): how long a request waited for this process. */
const logEventLoopDelay = (logger: ReturnType<typeof createLogger>, everyMs: number): void => {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  setInterval(() => {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    logger.info({ p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max) }, 'event loop delay');
    histogram.reset();
  }, everyMs).unref();
};

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
  let app;
  try {
    app = await startApp(config, logger);
  } catch (err) {
    // Most often the database: unreachable, refused the credentials, or not migratable. One JSON line
    // saying so (the cause in `err`), and exit 1 for the platform's restart policy to start it again.
    logger.fatal({ err, database: withoutPassword(config.databaseUrl) }, 'failed to start');
    process.exit(1);
  }
  const server = createHttpServer(config, logger, app);
  server.listen(config.port, config.host, () => logger.info({ url: server.url, env: config.env, database: withoutPassword(config.databaseUrl) }, 'listening'));
  if (config.eventLoopLogMs > 0) logEventLoopDelay(logger, config.eventLoopLogMs);

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
