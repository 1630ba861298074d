import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/**
 * A throwaway PostgreSQL cluster for one test file: Debian's server binaries (scripts/ensure-postgres.sh
 * installs them when missing), a new data folder under the temp dir, a free loopback port, its socket in
 * that folder, durability off (fsync, synchronous_commit, full_page_writes: nothing here must survive a
 * power cut), trust authentication for the `postgres` superuser on loopback only. PostgreSQL refuses to
 * run as root, so as root the server runs as the `postgres` user the package creates (else `nobody`).
 *
 *   const pg = await startPostgres();
 *   const url = await pg.createDatabase('repositories');   // postgresql://postgres@127.0.0.1:<port>/repositories
 *   ...
 *   await pg.stop();
 */
export interface PostgresCluster {
  port: number;
  /** The folder of the server's binaries (initdb, pg_ctl, psql). */
  bin: string;
  /** The cluster's data folder (postmaster.pid, server.log beside it). */
  dataDir: string;
  /** A new, empty database; its connection URL. */
  createDatabase(name: string): Promise<string>;
  url(database: string): string;
  /** Runs SQL through psql as the superuser and returns its unaligned output (for checks and set-up). */
  psql(database: string, sql: string): string;
  /** The database's schema as pg_dump writes it (no data, no owners, without Prisma's migration history table), to compare two databases. */
  schemaDump(database: string): string;
  stop(): Promise<void>;
}

const ROOT = path.join(__dirname, '..', '..');

const userId = (name: string): { uid: number; gid: number } | null => {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : null;
};

/** The server binaries' folder, installing PostgreSQL first when this machine has none. */
export const postgresBin = (): string => {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'ensure-postgres.sh')], { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`PostgreSQL is not available here: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout.trim().split('\n').pop()!;
};

export const startPostgres = async (): Promise<PostgresCluster> => {
  const bin = postgresBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? (userId('postgres') ?? userId('nobody')) : null;
  if (asRoot && !owner) throw new Error('Running as root with neither a postgres nor a nobody user to run PostgreSQL as');
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  /** Runs one of the server's programs as the cluster's owner. */
  const run = (program: string, args: string[]): string => {
    const file = path.join(bin, program);
    const [cmd, argv] = owner ? ['setpriv', [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups', file, ...args]] : [file, args];
    return execFileSync(cmd, argv, { encoding: 'utf8', cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', PGTZ: 'UTC' } });
  };
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-c unix_socket_directories='${dir}'`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    "-c timezone='UTC'",
  ].join(' ');
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);

  const url = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  const psql = (database: string, sql: string) =>
    run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-c', sql]).trim();
  const schemaDump = (database: string) =>
    run('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', '--exclude-table=_prisma_migrations', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database])
      .split('\n')
      .filter((line) => !line.startsWith('--') && !/^SET |^SELECT pg_catalog|^\\(un)?restrict /.test(line))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  return {
    port,
    bin,
    schemaDump,
    dataDir: data,
    url,
    psql,
    createDatabase: async (name: string) => {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      psql('postgres', `CREATE DATABASE ${name}`);
      return url(name);
    },
    stop: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
};
