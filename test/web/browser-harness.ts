import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { ensureChromium, launchBrowser } from '../../scripts/chromium';
import { SignedLinks } from '../../bot/signed-links';
import { WEB_LINK_PURPOSE } from '../../bot/web/web-auth';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { startBot, type BotHarness } from '../bot/harness';

/**
 * The pages in real Chromium against the real server (fresh SQLite with the demo tenant, loopback
 * connector stand-in). Outside Teams a page signs in with the bot's signed link, exactly as a
 * developer's browser does; every console error and uncaught exception is collected so a test can
 * insist on none.
 *
 *   const web = await startWebHarness();
 *   const { page, problems } = await web.open('megan', 'purchases');
 *   ...
 *   expect(problems).toEqual([]);
 */
export type Persona = keyof typeof DEMO_USERS;

export interface OpenedPage {
  page: Page;
  /** Console errors, uncaught exceptions and failed requests, as they happen. */
  problems: string[];
}

export interface WebHarness {
  bot: BotHarness;
  browser: Browser;
  /** A signed link credential for a persona (what "open my purchases" puts in its link). */
  credential(who: Persona): string;
  /** Opens /web/<page> as a persona (query string optional), waits until it has drawn. */
  open(who: Persona | null, page: 'purchases' | 'admin' | 'checkout', query?: Record<string, string>): Promise<OpenedPage>;
  close(): Promise<void>;
}

/**
 * In-page probes for accessibility checks. They are plain JavaScript strings because the tests
 * compile without the DOM library (the server code must not see browser globals).
 */
const FOCUSED =
  "(() => { const e = document.activeElement; return { id: e ? e.id : '', text: e ? (e.textContent || '') : '', role: e ? e.getAttribute('role') : null, invalid: e ? e.getAttribute('aria-invalid') : null }; })()";

/** What has the keyboard focus: its id, text, role and whether it is marked invalid. */
export const focused = (page: Page) => page.evaluate<{ id: string; text: string; role: string | null; invalid: string | null }>(FOCUSED);

/** Every input, select and textarea on the page that has no accessible name (label, aria-label or aria-labelledby). */
export const unlabelledControls = (page: Page): Promise<string[]> =>
  page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea')]
    .filter((c) => {
      const byLabel = [...(c.labels || [])].some((l) => (l.textContent || '').trim() !== '');
      const byAria = (c.getAttribute('aria-label') || '').trim() !== '';
      const byRef = (c.getAttribute('aria-labelledby') || '').split(/\\s+/).some((id) => ((document.getElementById(id) || {}).textContent || '').trim() !== '');
      return !(byLabel || byAria || byRef);
    })
    .map((c) => c.outerHTML.slice(0, 120))`);

/** Browser tests are skipped only on purpose (E2E=0), never because Chromium happens to be missing. */
export const browserTestsEnabled = process.env.E2E !== '0';

export const startWebHarness = async (env: Record<string, string> = {}): Promise<WebHarness> => {
  await ensureChromium();
  const [bot, browser] = await Promise.all([startBot(env), launchBrowser()]);
  const links = new SignedLinks(bot.config.linkSecret);
  const credential = (who: Persona) => links.sign({ tenantId: DEMO_TENANT_ID, userId: DEMO_USERS[who].id, purpose: WEB_LINK_PURPOSE, arg: null }, 30 * 60_000);
  const pages: Page[] = [];
  return {
    bot,
    browser,
    credential,
    async open(who, name, query = {}) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
      // teams-js refreshes its list of Teams hosts from Microsoft's CDN, which these machines can't
      // reach: a stand-in answers, like the connector stand-in does for the Bot Connector.
      await context.route('https://res.cdn.office.net/**', (r) => r.fulfill({ json: { validOrigins: ['teams.microsoft.com', '*.cloud.microsoft', 'outlook.office.com'] } }));
      const page = await context.newPage();
      pages.push(page);
      const problems: string[] = [];
      page.on('console', (m: ConsoleMessage) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
      const qs = new URLSearchParams(query).toString();
      await page.goto(`${bot.url}/web/${name}${qs ? `?${qs}` : ''}${who ? `#link=${credential(who)}` : ''}`);
      await page.waitForSelector('#app[aria-busy="false"]', { timeout: 20_000 });
      return { page, problems };
    },
    async close() {
      await Promise.all(
        pages.map((p) =>
          p
            .context()
            .close()
            .catch(() => undefined),
        ),
      );
      await browser.close();
      await bot.close();
    },
  };
};
