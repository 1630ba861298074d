import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from '../prisma/database-url';

/**
 * Configuration comes only from environment variables and is validated once at start; each bad value
 * gets its own message, so a misconfigured deployment says exactly what to fix.
 */
const DEFAULT_MARKETS = 'US,CA,GB,IE,AU,NZ,DE,FR,NL,BE,AT,CH,DK,SE,NO,FI,ES,IT,PT,PL,JP,SG';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEV_PAYMENT_SECRET = 'sandbox-development-secret-not-for-production';

const boolish = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }).transform((v) => ['true', '1', 'yes'].includes(v));

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'must be development, production or test' }).default('development'),
    PORT: z.coerce.number({ message: 'must be a port number' }).int('must be a whole number').min(1, 'must be 1-65535').max(65535, 'must be 1-65535').default(3978),
    HOST: z.string().min(1).optional(),
    DATABASE_URL: z
      .string()
      .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/i, 'must be a SQLite file URL such as file:./data/app.db or a PostgreSQL URL such as postgresql://user:password@host:5432/db')
      .default(DEFAULT_DATABASE_URL),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
    BOOTSTRAP_ADMINS: z
      .string()
      .regex(/^\s*$|^[\w.-]+:[\w.-]+(\s*,\s*[\w.-]+:[\w.-]+)*\s*$/, 'must be a comma-separated list of tenantId:userObjectId pairs')
      .default(''),
    ENABLED_MARKETS: z
      .string()
      .regex(/^[A-Za-z]{2}(\s*,\s*[A-Za-z]{2})*$/, 'must be a comma-separated list of two-letter country codes')
      .default(DEFAULT_MARKETS),
    PAYMENT_SANDBOX_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    SEED_DEMO: boolish.optional(),
    BILLING_INTERVAL_MINUTES: z.coerce
      .number({ message: 'must be a number of minutes' })
      .int('must be a whole number')
      .min(0, 'must be 0 (off) or more')
      .max(1440, 'must be at most 1440')
      .default(60),
    REMINDER_DAYS: z.coerce.number({ message: 'must be a number of days' }).int('must be a whole number').min(1, 'must be 1-60').max(60, 'must be 1-60').default(7),
    MicrosoftAppId: z.string().regex(GUID, "must be the bot's Entra application (client) id, a GUID").optional(),
    MicrosoftAppPassword: z.string().min(1).optional(),
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { message: 'must be MultiTenant, SingleTenant or UserAssignedMSI' }).optional(),
    MicrosoftAppTenantId: z.string().regex(GUID, 'must be a tenant id (GUID)').optional(),
    EVENT_LOOP_LOG_MS: z.coerce.number({ message: 'must be a number of milliseconds' }).int('must be a whole number').min(0, 'must be 0 (off) or more').max(3_600_000).default(0),
    CHARGE_RECOVERY_AFTER_SECONDS: z.coerce
      .number({ message: 'must be a number of seconds' })
      .int('must be a whole number')
      .min(1, 'must be 1-3600')
      .max(3600, 'must be 1-3600')
      .default(120),
    OUTBOX_INTERVAL_MS: z.coerce
      .number({ message: 'must be a number of milliseconds' })
      .int('must be a whole number')
      .min(0, 'must be 0 (off) or more')
      .max(600_000, 'must be at most 600000')
      .default(2000),
    OUTBOX_PER_CONVERSATION_PER_SECOND: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be 1-7')
      .max(7, 'must be 1-7 (Teams allows 7)')
      .default(7),
    OUTBOX_PER_TENANT_PER_SECOND: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be 1-50')
      .max(50, 'must be 1-50 (Teams allows about 50)')
      .default(50),
    PUBLIC_URL: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http(s) URL such as https://bot.contoso.com')
      .optional(),
    BOT_DOMAIN: z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?$/i, 'must be a host name such as bot.contoso.com')
      .optional(),
    LINK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    SSO_CLIENT_ID: z.string().regex(GUID, "must be the Entra application (client) id of the tab's SSO app, a GUID").optional(),
    SSO_APP_ID_URI: z
      .string()
      .regex(/^api:\/\/\S+$/, 'must be an Application ID URI such as api://bot.contoso.com/<client id>')
      .optional(),
    SSO_JWKS_URL: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
      .default('https://login.microsoftonline.com/common/discovery/v2.0/keys'),
    TEAMS_APP_ID: z.string().regex(GUID, "must be the Teams app's id from its manifest, a GUID").optional(),
    GRAPH_CLIENT_ID: z.string().regex(GUID, 'must be an Entra application (client) id, a GUID').optional(),
    GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
    GRAPH_URL: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
      .default('https://graph.microsoft.com/v1.0'),
    GRAPH_AUTHORITY_URL: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
      .default('https://login.microsoftonline.com'),
    DIRECTORY_REFRESH_MINUTES: z.coerce
      .number({ message: 'must be a number of minutes' })
      .int('must be a whole number')
      .min(1, 'must be 1-1440')
      .max(1440, 'must be 1-1440')
      .default(15),
    DIRECTORY_SYNC_HOURS: z.coerce.number({ message: 'must be a number of hours' }).int('must be a whole number').min(1, 'must be 1-168').max(168, 'must be 1-168').default(6),
    MAX_BODY_KB: z.coerce.number({ message: 'must be a number of kilobytes' }).int('must be a whole number').min(16, 'must be 16-4096').max(4096, 'must be 16-4096').default(256),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.PAYMENT_SANDBOX_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['PAYMENT_SANDBOX_SECRET'], message: 'is required in production' });
    }
    // Without an app id botbuilder accepts unauthenticated requests: fine on a laptop, never in production.
    if (c.NODE_ENV === 'production' && !c.MicrosoftAppId) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppId'], message: 'is required in production (or BOT_ID): without it anyone could post activities' });
    }
    if (c.MicrosoftAppId && c.MicrosoftAppType !== 'UserAssignedMSI' && !c.MicrosoftAppPassword) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'is required with MicrosoftAppId (or BOT_PASSWORD)' });
    }
    if ((c.MicrosoftAppType === 'SingleTenant' || c.MicrosoftAppType === 'UserAssignedMSI') && !c.MicrosoftAppTenantId) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: `is required when MicrosoftAppType is ${c.MicrosoftAppType} (or BOT_TENANT_ID)` });
    }
  });

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string;
  logLevel: string;
  bootstrapAdmins: Array<{ tenantId: string; userId: string }>;
  enabledMarkets: string[];
  paymentSandboxSecret: string;
  seedDemo: boolean;
  billingIntervalMinutes: number;
  /** How old a charge still Pending must be before the recovery sweep finishes it (longer than a charge takes). */
  chargeRecoveryAfterSeconds: number;
  /** Log the event loop's delay this often (0: never). */
  eventLoopLogMs: number;
  reminderDays: number;
  /** Bot Framework credentials; all empty for an unauthenticated local run. */
  bot: { appId: string; appPassword: string; appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI'; appTenantId: string };
  /**
   * Microsoft Graph with the bot's app registration (or GRAPH_CLIENT_ID/SECRET): the organizations'
   * directories (people search, guests, who left) and installing the app for someone Teams won't start
   * a chat with. Null without credentials or TEAMS_APP_ID: people are those Teams showed the bot, and
   * such a notification fails with the reason.
   */
  graph: { clientId: string; clientSecret: string; graphUrl: string; authorityUrl: string; manifestAppId: string } | null;
  /** With Graph: how long a person's directory entry stands before their next turn refreshes it, and how often each tenant is read whole. */
  directory: { personEveryMs: number; tenantEveryMs: number };
  maxBodyBytes: number;
  /** Where people's browsers reach this server (download links, later the tabs). */
  publicUrl: string;
  /** Signs short-lived links (CSV downloads); every instance of one deployment needs the same. */
  linkSecret: string;
  outbox: { intervalMs: number; perConversationPerSecond: number; perTenantPerSecond: number };
  /** Teams SSO for the pages: the token's audience app, its Application ID URI and Entra's signing keys. */
  sso: { clientId: string; appIdUri: string; jwksUrl: string; allowedTenantId: string };
}

const graphOf = (c: z.infer<typeof schema>): AppConfig['graph'] => {
  const clientId = c.GRAPH_CLIENT_ID ?? c.MicrosoftAppId;
  const clientSecret = c.GRAPH_CLIENT_SECRET ?? c.MicrosoftAppPassword;
  return clientId && clientSecret && c.TEAMS_APP_ID ? { clientId, clientSecret, graphUrl: c.GRAPH_URL, authorityUrl: c.GRAPH_AUTHORITY_URL, manifestAppId: c.TEAMS_APP_ID } : null;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): AppConfig => {
  // Empty strings mean "not set", as in most .env files. The Agents Toolkit's names are accepted too.
  const present: Record<string, string | undefined> = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  for (const [toolkit, botbuilder] of [
    ['BOT_ID', 'MicrosoftAppId'],
    ['BOT_PASSWORD', 'MicrosoftAppPassword'],
    ['BOT_TENANT_ID', 'MicrosoftAppTenantId'],
    ['BOT_TYPE', 'MicrosoftAppType'],
    ['AAD_APP_CLIENT_ID', 'SSO_CLIENT_ID'],
  ]) {
    if (present[botbuilder] === undefined && present[toolkit] !== undefined) present[botbuilder] = present[toolkit];
  }
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message} (got ${JSON.stringify(present[String(i.path[0])] ?? null)})`));
  }
  const c = parsed.data;
  const publicUrl = (c.PUBLIC_URL ?? (c.BOT_DOMAIN ? `https://${c.BOT_DOMAIN}` : `http://localhost:${c.PORT}`)).replace(/\/$/, '');
  // The usual Teams setup: the bot's own Entra app is also the tab's SSO app.
  const ssoClientId = c.SSO_CLIENT_ID ?? c.MicrosoftAppId ?? '';
  return {
    env: c.NODE_ENV,
    port: c.PORT,
    // Outside production the link secret may be the one in the source: reachable from this machine only,
    // unless HOST says otherwise. A production deployment (container, App Service) listens on every interface.
    host: c.HOST ?? (c.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl: c.DATABASE_URL,
    logLevel: c.LOG_LEVEL,
    bootstrapAdmins: c.BOOTSTRAP_ADMINS.split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const [tenantId, userId] = p.split(':');
        return { tenantId, userId };
      }),
    enabledMarkets: c.ENABLED_MARKETS.split(',').map((m) => m.trim().toUpperCase()),
    paymentSandboxSecret: c.PAYMENT_SANDBOX_SECRET ?? DEV_PAYMENT_SECRET,
    seedDemo: c.SEED_DEMO ?? c.NODE_ENV === 'development',
    billingIntervalMinutes: c.BILLING_INTERVAL_MINUTES,
    chargeRecoveryAfterSeconds: c.CHARGE_RECOVERY_AFTER_SECONDS,
    eventLoopLogMs: c.EVENT_LOOP_LOG_MS,
    reminderDays: c.REMINDER_DAYS,
    bot: { appId: c.MicrosoftAppId ?? '', appPassword: c.MicrosoftAppPassword ?? '', appType: c.MicrosoftAppType ?? 'MultiTenant', appTenantId: c.MicrosoftAppTenantId ?? '' },
    graph: graphOf(c),
    directory: { personEveryMs: c.DIRECTORY_REFRESH_MINUTES * 60_000, tenantEveryMs: c.DIRECTORY_SYNC_HOURS * 3_600_000 },
    maxBodyBytes: c.MAX_BODY_KB * 1024,
    publicUrl,
    linkSecret:
      c.LINK_SECRET ??
      createHash('sha256')
        .update(`links:${c.PAYMENT_SANDBOX_SECRET ?? DEV_PAYMENT_SECRET}`)
        .digest('hex'),
    outbox: { intervalMs: c.OUTBOX_INTERVAL_MS, perConversationPerSecond: c.OUTBOX_PER_CONVERSATION_PER_SECOND, perTenantPerSecond: c.OUTBOX_PER_TENANT_PER_SECOND },
    sso: {
      clientId: ssoClientId,
      appIdUri: c.SSO_APP_ID_URI ?? (ssoClientId ? `api://${c.BOT_DOMAIN ?? new URL(publicUrl).host}/${ssoClientId}` : ''),
      jwksUrl: c.SSO_JWKS_URL,
      allowedTenantId: c.MicrosoftAppType === 'SingleTenant' ? (c.MicrosoftAppTenantId ?? '') : '',
    },
  };
};
