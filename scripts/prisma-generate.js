#!/usr/bin/env node
// Generates the Prisma client offline. `prisma generate` only needs the schema engine's path to
// exist (it never runs it), and these machines cannot download Prisma's native engines.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(__dirname, '..', 'package.json');
const cli = require.resolve('prisma/build/index.js');
const r = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env, cwd: path.join(__dirname, '..') });
process.exit(r.status ?? 1);
