#!/usr/bin/env node
// Generates the Prisma clients offline: SQLite's (prisma/schema.prisma → prisma/generated) and
// PostgreSQL's (prisma/postgresql/schema.prisma → prisma/generated-pg, the same models). `prisma
// generate` only needs the schema engine's path to exist (it never runs it), and these machines cannot
// download Prisma's native engines.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(__dirname, '..', 'package.json');
const cli = require.resolve('prisma/build/index.js');
const generate = (...args) => spawnSync(process.execPath, [cli, 'generate', ...args], { stdio: 'inherit', env, cwd: path.join(__dirname, '..') }).status ?? 1;
const status = generate() || generate('--schema', path.join('prisma', 'postgresql', 'schema.prisma'));
process.exit(status);
