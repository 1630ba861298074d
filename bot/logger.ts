import pino, { type Logger } from 'pino';

/** Structured JSON logs. Card data never reaches a log: the only payment values we hold are tokens,
 *  and those are redacted too. */
export const createLogger = (level: string): Logger =>
  pino({
    level,
    base: { service: 'self-service-purchases' },
    redact: { paths: ['*.cardToken', '*.token', '*.card.token', 'req.headers.authorization'], censor: '[redacted]' },
  });

export type { Logger };
