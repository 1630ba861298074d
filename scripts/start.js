#!/usr/bin/env node
// `npm start`: the production build (scripts/build.js), rebuilt first if a source changed since, run in
// this same process — so the process tree is npm and one Node server (no tsx, no esbuild service).
// `npm run dev` runs the TypeScript directly through tsx instead.
//
// package.json starts it with two V8 flags, each measured in bench/RESULTS.md ("Start-up"):
// --liftoff-only: Prisma's query compiler is a 3.3 MB WebAssembly module that V8 would compile twice,
//   with its baseline compiler at once and again with its optimizing one for every function that runs
//   often — at start-up most of them, on the second core, holding about 80 MB and delaying /healthz.
//   The baseline code serves queries as fast here (the client caches its query plans).
// --max-semi-space-size=4 (MB, instead of 16): the young generation stays small once the start-up's
//   garbage is gone, about 10 MB less resident, at the cost of more frequent (cheap) scavenges.
// --disable-warning=DEP0111 (Node 20.11 and later): restify loads spdy, whose http-deceiver calls
//   process.binding('http_parser') at load; that one known warning, printed twice, says nothing about
//   our server (every other warning still prints).
// `node scripts/start.js` runs the same server with V8's defaults.
const path = require('node:path');
const { build, outDir, staleReason } = require('./build');

const main = async () => {
  const reason = staleReason();
  if (reason !== null) {
    process.stderr.write(`build: ${reason}, rebuilding\n`);
    await build();
  }
  require(path.join(outDir(), 'server', 'index.js'));
};

main().catch((e) => {
  process.stderr.write(`Failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
