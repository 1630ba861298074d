#!/usr/bin/env node
// prisma/postgresql/schema.prisma is prisma/schema.prisma for PostgreSQL: the same models (the schema is
// written to move unchanged: String enums, integer money), another datasource provider, and its client
// generated into prisma/generated-pg. This writes it; test/integration/postgres-schema.test.ts fails
// when the committed file is not what this writes.
//
//   node scripts/postgres-schema.js          # rewrite prisma/postgresql/schema.prisma
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SQLITE_SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
const POSTGRES_SCHEMA = path.join(ROOT, 'prisma', 'postgresql', 'schema.prisma');

const SQLITE_HEAD = `generator client {
  provider     = "prisma-client"
  output       = "./generated"
  moduleFormat = "cjs"
}

datasource db {
  provider = "sqlite"
}`;

const POSTGRES_HEAD = `generator client {
  provider     = "prisma-client"
  output       = "../generated-pg"
  moduleFormat = "cjs"
}

datasource db {
  provider = "postgresql"
}`;

/** The PostgreSQL schema's text for the SQLite schema's text. */
const postgresSchema = (sqlite = readFileSync(SQLITE_SCHEMA, 'utf8')) => {
  if (!sqlite.includes(SQLITE_HEAD)) throw new Error('prisma/schema.prisma: generator and datasource are not as scripts/postgres-schema.js expects');
  return (
    '// GENERATED from prisma/schema.prisma by scripts/postgres-schema.js: edit that file, then run the script.\n' +
    '// Migrations for PostgreSQL: prisma/postgresql/migrations (prisma.config in this folder).\n' +
    sqlite.replace(SQLITE_HEAD, POSTGRES_HEAD)
  );
};

module.exports = { postgresSchema, POSTGRES_SCHEMA, SQLITE_SCHEMA };

if (require.main === module) {
  mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  writeFileSync(POSTGRES_SCHEMA, postgresSchema());
  process.stdout.write(`wrote ${path.relative(process.cwd(), POSTGRES_SCHEMA)}\n`);
}
