import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';

/** The pages Teams shows: the two static tabs and the checkout dialog. */
export const WEB_PAGES = ['purchases', 'admin', 'checkout'] as const;
export type WebPage = (typeof WEB_PAGES)[number];

const WEB_ROOT = path.resolve(__dirname, '../../web');

/** Teams (web, desktop, the Microsoft 365 app) may frame the pages; nobody else may. */
const FRAME_ANCESTORS = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.teams.microsoft.us',
  'https://*.office.com',
  'https://*.cloud.microsoft',
  'https://*.skype.com',
];

const securityHeaders = (res: Response) => {
  res.header(
    'content-security-policy',
    // The Adaptive Cards renderer sets style attributes; scripts are only our own bundles; teams-js
    // refreshes its list of Teams hosts from Microsoft's CDN.
    `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' https://res.cdn.office.net; form-action 'self'; base-uri 'none'; frame-ancestors ${FRAME_ANCESTORS.join(' ')}`,
  );
  // (nosniff is on every response, from bot/server.ts.)
  res.header('referrer-policy', 'no-referrer');
};

/**
 * Bundles web/src/<page>.ts (with teams-js and the Adaptive Cards renderer) once per process with
 * esbuild, in memory, so that under tsx (`npm run dev`, the tests) the bundles match the source.
 * The production build (scripts/build.js, what `npm start` runs) bundles them ahead of time with the
 * same options and, in the server it bundles, points PREBUILT_PAGES_DIR at them: then they are only read
 * and no esbuild runs beside the server.
 */
export class PageAssets {
  private built: Promise<Map<string, string>> | null = null;

  constructor(private readonly options: { minify: boolean }) {}

  /** Starts the build now (at server start) instead of on the first page view. */
  warm(): Promise<Map<string, string>> {
    this.built ??= this.build();
    return this.built;
  }

  private async build(): Promise<Map<string, string>> {
    const prebuilt = process.env.PREBUILT_PAGES_DIR;
    if (prebuilt) {
      const dir = path.join(prebuilt, this.options.minify ? 'min' : 'dev');
      return new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
    }
    const { build } = await import('esbuild');
    const entryPoints = WEB_PAGES.map((p) => path.join(WEB_ROOT, 'src', `${p}.ts`)).filter((f) => existsSync(f));
    const result = await build({
      entryPoints,
      bundle: true,
      write: false,
      outdir: path.join(WEB_ROOT, 'out'),
      format: 'iife',
      platform: 'browser',
      target: ['es2020'],
      minify: this.options.minify,
      sourcemap: this.options.minify ? false : 'inline',
      legalComments: 'none',
      logLevel: 'silent',
      tsconfig: path.join(WEB_ROOT, 'tsconfig.json'),
    });
    return new Map(result.outputFiles.map((f) => [path.basename(f.path), f.text]));
  }
}

export const registerPages = (server: Server, deps: { assets: PageAssets; logger: Logger }): void => {
  const html = new Map<string, string>();
  const pageHtml = (page: WebPage): string => {
    let text = html.get(page);
    if (text === undefined) {
      text = readFileSync(path.join(WEB_ROOT, 'pages', `${page}.html`), 'utf8');
      html.set(page, text);
    }
    return text;
  };

  server.get('/web/:page', async (req: Request, res: Response) => {
    const page = String(req.params.page) as WebPage;
    if (!WEB_PAGES.includes(page)) {
      res.status(404);
      res.json({ error: { code: 'NOT_FOUND', message: 'No such page.' } });
      return;
    }
    securityHeaders(res);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(pageHtml(page));
  });

  server.get('/web/assets/:file', async (req: Request, res: Response) => {
    const file = String(req.params.file);
    let bundles: Map<string, string>;
    try {
      bundles = await deps.assets.warm();
    } catch (err) {
      deps.logger.error({ err }, 'page bundle build failed');
      res.status(500);
      res.json({ error: { code: 'INTERNAL', message: 'The page could not be built.' } });
      return;
    }
    const text = bundles.get(file);
    if (text === undefined) {
      res.status(404);
      res.json({ error: { code: 'NOT_FOUND', message: 'No such file.' } });
      return;
    }
    securityHeaders(res);
    res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(text);
  });
};
