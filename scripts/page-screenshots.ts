/**
 * Screenshots of the pages shown in Teams, for the README and for reviewers: the real server on a
 * fresh SQLite file with the demo tenant, headless Chromium at 1200×900, signed in as a persona with
 * the bot's signed link (exactly as the browser tests do).
 *
 *   npx tsx scripts/page-screenshots.ts                 # docs/pages/*.png
 *   npx tsx scripts/page-screenshots.ts /tmp/pages      # somewhere else
 *
 * Each shot is one entry in SHOTS: the page, who is looking, and what to do before the picture
 * (open a panel, type into a form). Add the admin page the same way. A shot fails the run (exit
 * code 1) if the page logged a console error or an exception.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startWebHarness, type Persona } from '../test/web/browser-harness';

const ROOT = path.resolve(__dirname, '..');
export const PAGES_DIR = path.join(ROOT, 'docs/pages');

/** In-page snippets are strings: scripts compile without the DOM library. Blurring hides the focus ring in the picture. */
const BLUR = 'document.activeElement && document.activeElement.blur && document.activeElement.blur()';

export interface Shot {
  file: string;
  persona: Persona;
  page: 'purchases' | 'admin' | 'checkout';
  query?: Record<string, string>;
  /** Brings the page into the state worth showing; the page has already drawn. */
  prepare?: (page: Page) => Promise<void>;
}

export const SHOTS: Shot[] = [
  {
    file: 'purchases.png',
    persona: 'megan',
    page: 'purchases',
    prepare: async (page) => {
      const bi = page.getByRole('article', { name: 'Power BI Pro' });
      await bi.locator('summary', { hasText: /^Assign licenses/ }).click();
      await bi.getByLabel('Find people in your organization').fill('a');
      await bi.locator('ul.results button').first().waitFor();
      await bi.locator('ul.results button', { hasText: 'Adele Vance' }).click();
      await page.evaluate(BLUR);
      await page.evaluate('window.scrollTo(0, 0)');
    },
  },
  {
    file: 'checkout.png',
    persona: 'megan',
    page: 'checkout',
    query: { productId: 'CFQ7TTC0LH2H', mode: 'buy', quantity: '2' },
    prepare: async (page) => {
      await page.locator('.ac-adaptiveCard').waitFor();
      await page.getByLabel('Card number').fill('4242 4242 4242 4242');
      await page.getByLabel('Expiry date (MM/YY)').fill('12/30');
      await page.getByLabel('Security code (CVC)').fill('123');
      await page.getByLabel('Name on card').fill('Megan Bowen');
      await page.evaluate(BLUR);
    },
  },
  {
    file: 'admin.png',
    persona: 'alex',
    page: 'admin',
    prepare: async (page) => {
      await page.getByRole('tabpanel').locator('table').first().waitFor();
      await page.evaluate(BLUR);
    },
  },
  {
    file: 'admin-spend.png',
    persona: 'alex',
    page: 'admin',
    query: { section: 'spend' },
    prepare: async (page) => {
      await page.getByText('Spend per product').first().waitFor();
      await page.evaluate(BLUR);
    },
  },
];

export const takeScreenshots = async (outDir: string, shots: readonly Shot[] = SHOTS): Promise<Array<{ file: string; problems: string[] }>> => {
  mkdirSync(outDir, { recursive: true });
  const web = await startWebHarness({ OUTBOX_INTERVAL_MS: '0' });
  const results: Array<{ file: string; problems: string[] }> = [];
  try {
    for (const shot of shots) {
      const { page, problems } = await web.open(shot.persona, shot.page, shot.query);
      await shot.prepare?.(page);
      // Fonts and the renderer's layout settle before the picture.
      await page.evaluate('document.fonts.ready.then(() => true)');
      await page.screenshot({ path: path.join(outDir, shot.file), fullPage: false });
      results.push({ file: shot.file, problems: [...problems] });
    }
  } finally {
    await web.close();
  }
  return results;
};

const main = async (): Promise<number> => {
  const outDir = path.resolve(process.argv[2] ?? PAGES_DIR);
  const results = await takeScreenshots(outDir);
  for (const r of results) {
    process.stdout.write(`${r.problems.length ? 'FAIL' : 'ok  '} ${path.relative(process.cwd(), path.join(outDir, r.file))}\n`);
    for (const p of r.problems) process.stdout.write(`       ${p}\n`);
  }
  return results.some((r) => r.problems.length) ? 1 : 0;
};

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
