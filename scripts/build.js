#!/usr/bin/env node
// The production build, with esbuild (a dependency, so it also runs in a production install):
//
//   build/server/index.js   the server: our TypeScript (bot, cards, domain, prisma, payments and the
//                           generated Prisma client) and the packages it uses, in one CommonJS file
//   build/web/min/*.js      the pages' bundles as NODE_ENV=production serves them (minified)
//   build/web/dev/*.js      the same for development (not minified, inline source maps)
//   build/build-info.json   what the build read, so that `npm start` can tell when it is stale
//
// `node scripts/build.js` builds; `--if-stale` builds only when a source is newer than the build.
// postinstall runs it after generating the Prisma client; scripts/start.js runs the check at every start.
// BUILD_DIR=/somewhere builds elsewhere (the build test does).
const { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const outDir = () => path.resolve(ROOT, process.env.BUILD_DIR ?? 'build');
const INFO = 'build-info.json';

/** The pages, as bot/web/pages.ts names them (WEB_PAGES). */
const PAGES = ['purchases', 'admin', 'checkout'];

/** Bumped when this script changes what it writes, so that an older build counts as stale. */
const BUILD_FORMAT = 1;

const rel = (file) => path.relative(ROOT, file).split(path.sep).join('/');

/**
 * Stale when there is no build, it was made by another format, Node major or this script's older self,
 * a file it read is gone or newer than it, or packages were installed since (npm writes
 * node_modules/.package-lock.json on every install, while the packages' own files keep their
 * tarballs' dates).
 */
const staleReason = (dir = outDir()) => {
  const infoFile = path.join(dir, INFO);
  if (!existsSync(infoFile)) return 'no build yet';
  let info;
  try {
    info = JSON.parse(readFileSync(infoFile, 'utf8'));
  } catch {
    return 'unreadable build info';
  }
  if (info.format !== BUILD_FORMAT) return 'built by another version of scripts/build.js';
  if (info.node !== process.versions.node.split('.')[0]) return `built for Node ${info.node}`;
  const builtAt = statSync(infoFile).mtimeMs;
  const watched = [...info.inputs, 'scripts/build.js', 'package.json', 'node_modules/.package-lock.json'];
  for (const file of watched) {
    let mtime;
    try {
      mtime = statSync(path.join(ROOT, file)).mtimeMs;
    } catch {
      return `${file} is gone`;
    }
    if (mtime > builtAt) return `${file} changed`;
  }
  return null;
};

/** Writes through a temporary name and renames, so a concurrent start never reads half a file. */
const writeAtomic = (file, contents) => {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
};

/**
 * Our modules find files next to their source through `__dirname` (bot/web/pages.ts the pages' HTML,
 * prisma/migrate.ts the migrations). In one bundle `__dirname` is the bundle's folder, so each module's
 * `__dirname` becomes its source folder, as a path relative to the bundle (the build moves with the
 * checkout). `require.main === module` (the CLI blocks of scripts and tools) would be true
 * for every module of a bundle started directly, so it becomes false.
 */
const sourceDirnames = (serverDir) => ({
  name: 'source-dirnames',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      let contents = readFileSync(args.path, 'utf8');
      if (contents.includes('__dirname')) {
        const fromBundle = JSON.stringify(path.relative(serverDir, path.dirname(args.path)).split(path.sep).join('/'));
        contents = contents.replace(/\b__dirname\b/g, `require('node:path').join(__dirname, ${fromBundle})`);
      }
      contents = contents.replace(/\brequire\.main\s*===\s*module\b/g, 'false');
      return { contents, loader: 'ts' };
    });
  },
});

/**
 * Packages are bundled too: Node then reads one file instead of about 1,400 (restify, botbuilder and
 * their dependencies), which halves the time to load them. These stay in node_modules, loaded as their
 * authors ship them: native addons (better-sqlite3, restify's optional dtrace-provider), Prisma's
 * runtime (it loads its WebAssembly query compiler itself), pino (its transports run files of its
 * own in worker threads) and esbuild (a binary; only the in-memory page build under tsx uses it).
 */
const EXTERNAL_PACKAGES = ['better-sqlite3', '@prisma/client', 'pino', 'esbuild', 'dtrace-provider'];

const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const packagesExternal = (external) => ({
  name: 'packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (external.includes(packageName(args.path)) ? { path: args.path, external: true } : undefined));
  },
});

/** What bot/web/pages.ts passes to esbuild for the in-memory bundles; test/build/build.test.ts holds them equal. */
const pageOptions = (minify) => ({
  absWorkingDir: ROOT,
  entryPoints: PAGES.map((p) => path.join(ROOT, 'web', 'src', `${p}.ts`)).filter((f) => existsSync(f)),
  bundle: true,
  write: false,
  outdir: path.join(ROOT, 'web', 'out'),
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  minify,
  sourcemap: minify ? false : 'inline',
  legalComments: 'none',
  logLevel: 'silent',
  tsconfig: path.join(ROOT, 'web', 'tsconfig.json'),
  metafile: true,
});

const build = async ({ quiet = false } = {}) => {
  const started = Date.now();
  const dir = outDir();
  const serverDir = path.join(dir, 'server');
  if (!existsSync(path.join(ROOT, 'prisma', 'generated', 'client.ts'))) {
    throw new Error('prisma/generated is missing: run `npm run prisma:generate` (npm install does) first.');
  }
  const esbuild = require('esbuild');
  try {
    const [server, min, dev] = await Promise.all([
      esbuild.build({
        absWorkingDir: ROOT,
        entryPoints: [path.join(ROOT, 'bot', 'index.ts')],
        outfile: path.join(serverDir, 'index.js'),
        bundle: true,
        write: false,
        platform: 'node',
        target: `node${process.versions.node.split('.')[0]}`,
        format: 'cjs',
        // `import()` becomes require(): Node's ESM loader would scan Prisma's 4.4 MB query-compiler
        // module for its export names at the first query (about 150 ms).
        supported: { 'dynamic-import': false },
        sourcemap: 'linked',
        sourcesContent: false,
        // No keepNames: it wraps every function and class the code creates, per call too, in a
        // defineProperty of its name (~6% of a reading turn's CPU in a profile). The bundle is not
        // minified, so names stay; only a clash between modules gets a suffix (our errors set `name`).
        legalComments: 'linked',
        logLevel: 'silent',
        tsconfig: path.join(ROOT, 'tsconfig.json'),
        define: {
          // Where bot/web/pages.ts finds the pre-built bundles: next to the server, wherever the build sits.
          'process.env.PREBUILT_PAGES_DIR': '__prebuiltPagesDir',
          // ES-module packages bundled into CommonJS ask for their own URL (open, for @azure/identity's browser sign-in).
          'import.meta.url': '__bundleUrl',
        },
        banner: {
          js: [`var __prebuiltPagesDir = require('node:path').join(__dirname, '..', 'web');`, `var __bundleUrl = require('node:url').pathToFileURL(__filename).href;`].join('\n'),
        },
        plugins: [sourceDirnames(serverDir), packagesExternal(EXTERNAL_PACKAGES)],
        metafile: true,
      }),
      esbuild.build(pageOptions(true)),
      esbuild.build(pageOptions(false)),
    ]);
    for (const f of server.outputFiles) writeAtomic(f.path, f.contents);
    for (const [variant, result] of [
      ['min', min],
      ['dev', dev],
    ]) {
      for (const f of result.outputFiles) writeAtomic(path.join(dir, 'web', variant, path.basename(f.path)), f.contents);
    }
    // Packages' files are left out: an install changes node_modules/.package-lock.json, which is watched.
    const inputs = [...new Set([server, min, dev].flatMap((r) => Object.keys(r.metafile.inputs)))]
      .map((p) => rel(path.resolve(ROOT, p)))
      .filter((p) => !p.startsWith('node_modules/'))
      .sort();
    writeAtomic(
      path.join(dir, INFO),
      `${JSON.stringify({ format: BUILD_FORMAT, node: process.versions.node.split('.')[0], builtAt: new Date().toISOString(), inputs }, null, 2)}\n`,
    );
    if (!quiet) process.stderr.write(`build: ${rel(dir)}/ (server and ${PAGES.length} pages) in ${Date.now() - started} ms\n`);
  } finally {
    // esbuild answers from a child process that would otherwise stay resident beside the server.
    esbuild.stop();
  }
};

module.exports = { build, staleReason, outDir, pageOptions };

if (require.main === module) {
  const ifStale = process.argv.includes('--if-stale');
  const reason = ifStale ? staleReason() : 'asked';
  if (reason === null) process.exit(0);
  build().catch((e) => {
    process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
