/** What a DATABASE_URL names: the engine, and how it may be shown (in logs and tools' output). */

/** The embedded default: a SQLite file beside the working directory (bot/config.ts, npm run db:migrate). */
export const DEFAULT_DATABASE_URL = 'file:./data/app.db';

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

/** The URL with a PostgreSQL password masked, for logs and tools' output. */
export const withoutPassword = (url: string): string => url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
