import { ConfigError, loadConfig } from '../../bot/config';
import { withoutPassword } from '../../prisma/database-url';

describe('configuration', () => {
  test('defaults give a runnable development setup on the embedded SQLite file', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ env: 'development', port: 3978, databaseUrl: 'file:./data/app.db', seedDemo: true, billingIntervalMinutes: 60 });
    expect(c.enabledMarkets).toContain('US');
  });

  test('each bad value gets its own clear message', () => {
    try {
      loadConfig({ PORT: 'eighty', NODE_ENV: 'prod', DATABASE_URL: 'mysql://x', BOOTSTRAP_ADMINS: 'nocolon', ENABLED_MARKETS: 'USA', SEED_DEMO: 'maybe' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const text = (e as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'NODE_ENV', 'DATABASE_URL', 'BOOTSTRAP_ADMINS', 'ENABLED_MARKETS', 'SEED_DEMO']) expect(text).toContain(name);
    }
  });

  test('production needs a real payment secret and does not seed demo data', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PAYMENT_SANDBOX_SECRET is required in production/);
    const c = loadConfig({
      NODE_ENV: 'production',
      PAYMENT_SANDBOX_SECRET: 'a-long-production-secret',
      BOOTSTRAP_ADMINS: 't1:u1, t2:u2',
      BOT_ID: '11111111-2222-3333-4444-555555555555',
      BOT_PASSWORD: 'secret',
    });
    expect(c.seedDemo).toBe(false);
    expect(c.bootstrapAdmins).toEqual([
      { tenantId: 't1', userId: 'u1' },
      { tenantId: 't2', userId: 'u2' },
    ]);
    expect(c.bot).toEqual({ appId: '11111111-2222-3333-4444-555555555555', appPassword: 'secret', appType: 'MultiTenant', appTenantId: '' });
  });

  test('production refuses to start without a bot app id; credentials must be complete', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PAYMENT_SANDBOX_SECRET: 'a-long-production-secret' })).toThrow(/MicrosoftAppId is required in production/);
    expect(() => loadConfig({ MicrosoftAppId: '11111111-2222-3333-4444-555555555555' })).toThrow(/MicrosoftAppPassword is required/);
    expect(() => loadConfig({ MicrosoftAppId: 'not-a-guid', MicrosoftAppPassword: 'x' })).toThrow(/MicrosoftAppId must be the bot's Entra application/);
    expect(() => loadConfig({ BOT_ID: '11111111-2222-3333-4444-555555555555', BOT_PASSWORD: 'x', MicrosoftAppType: 'SingleTenant' })).toThrow(/MicrosoftAppTenantId is required/);
    // The explicit botbuilder name wins over the Agents Toolkit one.
    expect(loadConfig({ MicrosoftAppId: '11111111-2222-3333-4444-555555555555', BOT_ID: '99999999-2222-3333-4444-555555555555', BOT_PASSWORD: 'x' }).bot.appId).toBe(
      '11111111-2222-3333-4444-555555555555',
    );
  });
});

describe('the database URL in the logs', () => {
  it('never shows a PostgreSQL password', () => {
    expect(withoutPassword('postgresql://ssp:s3cr3t@db.example.com:5432/purchases')).toBe('postgresql://ssp:***@db.example.com:5432/purchases');
    expect(withoutPassword('postgres://ssp:p%40ss:word@db:5432/x?sslmode=require')).toBe('postgres://ssp:***@db:5432/x?sslmode=require');
    expect(withoutPassword('postgresql://postgres@127.0.0.1:5432/db')).toBe('postgresql://postgres@127.0.0.1:5432/db');
    expect(withoutPassword('file:./data/app.db')).toBe('file:./data/app.db');
  });

  it('accepts PostgreSQL URLs and refuses other schemes', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://u:p@h:5432/d' }).databaseUrl).toBe('postgresql://u:p@h:5432/d');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:p@h/d' })).toThrow(ConfigError);
  });
});
