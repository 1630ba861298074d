/**
 * The card gallery (`npm run cards:gallery`, scripts/cards-gallery.ts) and the samples it renders
 * (cards/samples.ts): every card builder has a sample, and every sample renders in Chromium with the
 * official renderer and zero warnings. The browser part follows test/e2e's policy: Chromium is
 * installed when missing, a machine that can't install it fails with a message saying so, and
 * E2E=0 skips the browser tests on purpose.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { CARD_SAMPLES, type CardSample } from '../../cards/samples';
import type { AdaptiveCard } from '../../cards/ui';
import { pngSize, renderGallery, type GalleryResult } from '../../scripts/cards-gallery';
import { ensureChromium, launchBrowser } from '../../scripts/chromium';
import { cardProblems, unboundExpressions } from '../support/card-validation';

const CARDS_DIR = path.join(__dirname, '..', '..', 'cards');

/** Every exported function named `…Card` in cards/*-cards.ts, read from the modules themselves so a new file counts too. */
const cardBuilders = (): Array<{ file: string; name: string; fn: unknown }> =>
  readdirSync(CARDS_DIR)
    .filter((f) => /-cards\.ts$/.test(f))
    .flatMap((file) =>
      Object.entries(require(path.join(CARDS_DIR, file)) as Record<string, unknown>)
        .filter(([name, fn]) => typeof fn === 'function' && /Card$/.test(name))
        .map(([name, fn]) => ({ file, name, fn })),
    );

describe('card samples', () => {
  test('every card builder exported by cards/*-cards.ts has at least one sample', () => {
    const builders = cardBuilders();
    expect(builders.length).toBeGreaterThanOrEqual(3);
    const sampled = new Set<unknown>(CARD_SAMPLES.map((s) => s.builder));
    const missing = builders.filter((b) => !sampled.has(b.fn)).map((b) => `${b.file}: ${b.name}`);
    // A new card needs a sample in cards/samples.ts so that the gallery and these checks see it.
    expect(missing).toEqual([]);
  });

  test('ids are unique and file-name safe, and every sample says what the card is for', () => {
    const ids = CARD_SAMPLES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of CARD_SAMPLES) {
      expect(s.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(s.title.trim()).not.toBe('');
      expect(s.purpose.length).toBeGreaterThan(10);
    }
  });

  test.each(CARD_SAMPLES.map((s): [string, CardSample] => [s.id, s]))('%s builds a schema 1.5 card that parses without a warning', (_id, s) => {
    const card = s.build();
    expect(card.version).toBe('1.5');
    expect(cardProblems(card)).toEqual([]);
    expect(unboundExpressions(card)).toEqual([]);
  });
});

test('pngSize reads the IHDR chunk and refuses what is not a PNG', () => {
  const header = Buffer.alloc(24);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(474, 16);
  header.writeUInt32BE(630, 20);
  expect(pngSize(header)).toEqual({ width: 474, height: 630 });
  expect(pngSize(Buffer.from('GIF89a, not a PNG at all'))).toBeNull();
  expect(pngSize(header.subarray(0, 20))).toBeNull();
});

const browserTests = process.env.E2E === '0' ? describe.skip : describe;

browserTests('card gallery (headless Chromium)', () => {
  let browser: Browser;
  let dir: string;
  let result: GalleryResult;

  beforeAll(async () => {
    await ensureChromium();
    browser = await launchBrowser();
    dir = mkdtempSync(path.join(tmpdir(), 'cards-gallery-'));
    result = await renderGallery(dir, { browser });
  }, 15 * 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every sample card renders with zero renderer errors or warnings', () => {
    expect(result.cards.map((c) => c.id)).toEqual(CARD_SAMPLES.map((s) => s.id));
    expect(result.failed.map((c) => `${c.id}: ${c.problems.join('; ')}`)).toEqual([]);
  });

  test('every card is a PNG of a plausible size, cropped to a chat-card width', () => {
    for (const c of result.cards) {
      expect(c.file).toBe(`${c.id}.png`);
      const png = readFileSync(path.join(dir, c.file!));
      expect(png.length).toBe(c.bytes);
      expect(png.length).toBeGreaterThan(2_000);
      // Committed to the repository: keep each one small.
      expect(png.length).toBeLessThan(150_000);
      const size = pngSize(png);
      expect(size).toEqual({ width: c.width, height: c.height });
      expect(size!.width).toBeGreaterThanOrEqual(450);
      expect(size!.width).toBeLessThanOrEqual(520);
      expect(size!.height).toBeGreaterThanOrEqual(60);
      expect(size!.height).toBeLessThanOrEqual(2_000);
    }
  });

  test('index.md lists every card with what it is for and links its image', () => {
    const index = readFileSync(result.indexFile, 'utf8');
    for (const s of CARD_SAMPLES) {
      expect(index).toContain(`(${s.id}.png)`);
      expect(index).toContain(s.purpose.replace(/\|/g, '\\|'));
    }
  });

  test('a card the renderer rejects fails the gallery instead of producing a picture quietly', async () => {
    const broken: CardSample = {
      id: 'broken',
      title: 'Broken',
      purpose: 'An element the renderer does not know.',
      audience: 'admin',
      builder: () => ({ type: 'AdaptiveCard', version: '1.5', body: [] }),
      build: () => ({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'NoSuchElement', text: 'x' }] }) as unknown as AdaptiveCard,
    };
    const other = mkdtempSync(path.join(tmpdir(), 'cards-gallery-broken-'));
    try {
      const bad = await renderGallery(other, { browser, samples: [CARD_SAMPLES[0], broken] });
      expect(bad.failed.map((c) => c.id)).toEqual(['broken']);
      expect(bad.failed[0].problems.join('\n')).toMatch(/NoSuchElement/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
