import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The node flags of package.json's start script, so a benchmark runs the server's code as `npm start` runs it. */
export const startScriptFlags = (): string[] =>
  (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/).filter((w) => w.startsWith('--'));
