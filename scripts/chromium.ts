import { execFile } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for everything that needs a browser here: the Agents Playground tests and the
 * card gallery. `npx playwright install` cannot download browsers on these machines, so this is
 * Debian's Chromium driven by playwright-core (DESIGN §6).
 */

const ROOT = path.resolve(__dirname, '..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The flags Chromium needs here (DESIGN §6): headless, no sandbox as root, nothing phoning home. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Installs Chromium when it is missing (scripts/ensure-chromium.sh: apt-get as root, quiet, locked,
 * time-limited). Throws an error that says what to do when it can't.
 */
export const ensureChromium = (timeoutMs = 15 * 60_000): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile('bash', [path.join(ROOT, 'scripts/ensure-chromium.sh')], { timeout: timeoutMs, env: { ...process.env, CHROMIUM_PATH } }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      reject(
        new Error(
          `Chromium is needed for the browser tests (Agents Playground, card gallery) and is not available.\n${stderr.trim() || err.message}\n(Set E2E=0 to skip these tests on purpose.)`,
        ),
      );
    });
  });

export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
