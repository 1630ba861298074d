/**
 * `npm run db:postgres`: a throwaway PostgreSQL cluster on this machine, to try the product on
 * PostgreSQL (several instances included) without a server of your own. PostgreSQL is installed
 * first where it is missing (Debian's package, as for the tests: scripts/ensure-postgres.sh). The
 * cluster is the tests' (test/support/postgres.ts): loopback only, fsync off, its data deleted when it
 * stops (Ctrl-C). For trying, never for data you keep.
 */
import { startPostgres } from '../test/support/postgres';

const main = async (): Promise<void> => {
  const pg = await startPostgres();
  const url = await pg.createDatabase('purchases');
  process.stdout.write(
    [
      `A throwaway PostgreSQL is listening on 127.0.0.1:${pg.port} (its data is deleted when this stops).`,
      '',
      'Start instances on it, each in a terminal of its own:',
      `  DATABASE_URL=${url} PORT=3978 npm start`,
      `  DATABASE_URL=${url} PORT=3979 npm start`,
      '',
      'Ctrl-C here stops it.',
      '',
    ].join('\n'),
  );
  // Ctrl-C reaches this process and npm's alike (and npm passes it on): every signal after the first is
  // ignored, so the cluster is always stopped and its folder deleted.
  // (Signal listeners don't keep Node running: the timer does, until the first signal.)
  const alive = setInterval(() => undefined, 60_000);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => resolve());
  });
  clearInterval(alive);
  await pg.stop();
  process.stdout.write('PostgreSQL stopped, its data deleted.\n');
};

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
