import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : full.endsWith('.ts') ? [full] : [];
  });

describe('architecture', () => {
  const domain = path.join(__dirname, '..', '..', 'domain');

  test('domain/ imports only itself and Node built-ins: no botbuilder, restify, Prisma or adaptivecards', () => {
    const offenders: string[] = [];
    for (const file of filesUnder(domain)) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)) {
        const inside = spec.startsWith('.') && path.resolve(path.dirname(file), spec).startsWith(domain);
        if (!inside && !spec.startsWith('node:')) offenders.push(`${path.relative(domain, file)} -> ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  test('no console.log in source: logs go through the structured logger', () => {
    const root = path.join(__dirname, '..', '..');
    const offenders = ['domain', 'bot', 'prisma/repositories', 'payments']
      .flatMap((d) => filesUnder(path.join(root, d)))
      .filter((f) => /console\.log\(/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
