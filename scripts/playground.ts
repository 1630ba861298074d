/**
 * `npm run playground`: the bot and Microsoft 365 Agents Playground together, for trying the bot as
 * Teams would show it, without Teams, a tenant or a tunnel.
 *
 *   npm run playground                      # Alex Wilber, the demo admin   (.m365agentsplayground.yml)
 *   npm run playground -- --purchaser       # Megan Bowen, the purchaser    (.m365agentsplayground.purchaser.yml)
 *   npm run playground -- --both            # both, side by side, on two ports
 *   PERSONA=purchaser npm run playground    # same as --purchaser
 *
 * The bot runs `bot/index.ts` (PORT, default 3978; SEED_DEMO=true unless set; DATABASE_URL as usual,
 * default ./data/app.db) and the Playground serves its UI on PLAYGROUND_PORT (default 56150; with
 * --both the purchaser's is the next port). Open the printed URL. Ctrl-C stops everything.
 * The Playground's own log goes to .tmp/playground/<persona>.log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const PERSONAS = {
  admin: { file: '.m365agentsplayground.yml', who: 'Alex Wilber (Global admin)' },
  purchaser: { file: '.m365agentsplayground.purchaser.yml', who: 'Megan Bowen (purchaser)' },
} as const;
type Persona = keyof typeof PERSONAS;

const usage = () => {
  process.stdout.write('Usage: npm run playground [-- --admin | --purchaser | --both]   (or PERSONA=admin|purchaser|both)\n');
};

const parsePersonas = (): Persona[] => {
  const args = process.argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) {
    usage();
    process.exit(0);
  }
  const unknown = args.filter((a) => !['--admin', '--purchaser', '--both'].includes(a));
  const fromEnv = (process.env.PERSONA ?? '').trim().toLowerCase();
  if (unknown.length || (fromEnv && !['admin', 'purchaser', 'both'].includes(fromEnv))) {
    process.stderr.write(`Unknown ${unknown.length ? `argument(s): ${unknown.join(' ')}` : `PERSONA "${fromEnv}"`}\n`);
    usage();
    process.exit(2);
  }
  const choice = args.includes('--both') ? 'both' : args.includes('--purchaser') ? 'purchaser' : args.includes('--admin') ? 'admin' : fromEnv || 'admin';
  return choice === 'both' ? ['admin', 'purchaser'] : [choice as Persona];
};

const portFrom = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    process.stderr.write(`${name} must be a port number (got "${raw}")\n`);
    process.exit(2);
  }
  return n;
};

const prefixed = (child: ChildProcess, label: string) => {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stdout.write(`${label} ${line}\n`);
    });
  }
};

const waitForHealth = async (url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the bot exited (code ${child.exitCode}) before answering ${url}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the bot did not answer ${url} within ${timeoutMs / 1000} s`);
};

const main = async () => {
  const personas = parsePersonas();
  const botPort = portFrom('PORT', 3978);
  const uiPort = portFrom('PLAYGROUND_PORT', 56150);
  const children: ChildProcess[] = [];
  let stopping = false;

  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping the Playground and the bot...\n');
    const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
    if (!alive.length) process.exit(code);
    let left = alive.length;
    for (const c of alive) {
      c.once('exit', () => {
        if (--left === 0) process.exit(code);
      });
      c.kill('SIGTERM');
    }
    setTimeout(() => {
      alive.forEach((c) => c.kill('SIGKILL'));
      process.exit(code);
    }, 6_000).unref();
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  // The bot, as `npm start` runs it, with the demo tenant whose people are the Playground's personas.
  const bot = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bot/index.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(botPort), SEED_DEMO: process.env.SEED_DEMO ?? 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(bot);
  prefixed(bot, '[bot]');
  bot.once('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`The bot stopped (${signal ?? `exit code ${code}`}).\n`);
    stop(code === 0 || signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1);
  });
  try {
    await waitForHealth(`http://127.0.0.1:${botPort}/healthz`, bot);
  } catch (e) {
    process.stderr.write(`Could not start the bot: ${(e as Error).message}\n`);
    return stop(1);
  }

  const logDir = path.join(ROOT, '.tmp/playground');
  mkdirSync(logDir, { recursive: true });
  const cli = path.join(ROOT, 'node_modules/@microsoft/m365agentsplayground/cli.js');
  personas.forEach((persona, i) => {
    const { file, who } = PERSONAS[persona];
    const child = spawn(process.execPath, [cli, '-e', `http://127.0.0.1:${botPort}/api/messages`, '-c', 'msteams', '-p', String(uiPort + i), '--disable-telemetry'], {
      cwd: logDir, // the Playground writes devTools/ under its working directory
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: path.join(ROOT, file),
        M365_AGENTS_PLAYGROUND_LOGFILE: path.join(logDir, `${persona}.log`),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let announced = false;
    child.stdout?.on('data', (d: Buffer) => {
      const m = /Listening on (\d+)/.exec(d.toString());
      if (m && !announced) {
        announced = true;
        process.stdout.write(
          `\n  Microsoft 365 Agents Playground as ${who}: http://localhost:${m[1]}\n` +
            `  (bot at http://localhost:${botPort}/api/messages, personas from ${file}; Ctrl-C stops everything)\n\n`,
        );
      }
    });
    child.stderr?.on('data', (d: Buffer) => process.stdout.write(`[playground:${persona}] ${d}`));
    child.once('exit', (code, signal) => {
      if (stopping) return;
      process.stderr.write(`The ${persona} Playground stopped (${signal ?? `exit code ${code}`}).\n`);
      stop(code === 0 || signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1);
    });
  });
};

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
