import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * bench/RESULTS.md holds one section per benchmark, each between its own markers, so that running one
 * benchmark rewrites its section and leaves the others' committed figures alone.
 * BENCH_RESULTS_DIR writes elsewhere (to try a benchmark without touching the committed figures).
 */
export const resultsDir = (): string => {
  const dir = process.env.BENCH_RESULTS_DIR || __dirname;
  mkdirSync(dir, { recursive: true });
  return dir;
};

const HEADER = '# Benchmark results\n';

export const writeResultsSection = (name: string, markdown: string): string => {
  const file = path.join(resultsDir(), 'RESULTS.md');
  const begin = `<!-- begin:${name} -->`;
  const end = `<!-- end:${name} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) text = text.slice(0, from) + block + text.slice(to + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
  return file;
};

export const writeResultsJson = (fileName: string, data: unknown): void => {
  writeFileSync(path.join(resultsDir(), fileName), `${JSON.stringify(data, null, 2)}\n`);
};
