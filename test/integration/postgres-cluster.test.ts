import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startPostgres, type PostgresCluster } from '../support/postgres';

// The PostgreSQL tests' own server: Debian's binaries (installed by scripts/ensure-postgres.sh when
// missing), a cluster of the test's own on a loopback port, never as root, gone when the test stops.
describe('a throwaway PostgreSQL cluster for the tests', () => {
  let pg: PostgresCluster;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('answers on its loopback port, in databases of the test’s own, run by a user that is not root', async () => {
    const url = await pg.createDatabase('smoke');
    expect(url).toBe(`postgresql://postgres@127.0.0.1:${pg.port}/smoke`);
    expect(pg.psql('smoke', 'SELECT current_database()')).toBe('smoke');
    expect(Number(pg.psql('smoke', "SELECT current_setting('server_version_num')"))).toBeGreaterThanOrEqual(130000);
    expect(pg.psql('smoke', "SELECT current_setting('listen_addresses')")).toBe('127.0.0.1');
    expect(pg.psql('smoke', "SELECT current_setting('TimeZone')")).toBe('UTC');
    // The server runs as a user that is not root (PostgreSQL refuses root).
    const pid = Number(readFileSync(path.join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    expect(uid).not.toBe(0);
    await expect(pg.createDatabase('smoke; DROP DATABASE postgres')).rejects.toThrow('not a plain database name');
  });
});
