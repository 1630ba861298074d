import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The layering (DESIGN §4, §5.1 and §5.11) lives in .dependency-cruiser.cjs; `npm run lint` checks it
 * in CI and this test runs the same rules, so `npm test` guards the shape too. (No console.log in
 * source is ESLint's `no-console`, in eslint.config.mjs.) dependency-cruiser ships as ES modules only,
 * which jest's CommonJS runtime can't import, so it runs as its own process with JSON output.
 */
const root = path.join(__dirname, '..', '..');
const config = path.join(root, '.dependency-cruiser.cjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
  cycle?: Array<{ name: string }>;
}

describe('architecture', () => {
  test('the layering rules hold: domain, prisma, cards, payments and web import only what they may, and nothing is circular', async () => {
    const bin = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
    const dirs = ['bot', 'cards', 'domain', 'prisma', 'payments', 'web', 'scripts', 'bench', 'test'];
    // Exit code 1 means "violations found"; the JSON on stdout says which.
    const { stdout } = await promisify(execFile)(process.execPath, [bin, ...dirs, '--config', config, '--output-type', 'json'], {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
    }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      if (!e.stdout) throw new Error(`dependency-cruiser failed: ${e.stderr || e.message}`);
      return { stdout: e.stdout };
    });
    const { summary } = JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } };
    const described = summary.violations.map((v) =>
      v.cycle?.length ? `${v.rule.name}: ${v.from} -> ${v.cycle.map((c) => c.name).join(' -> ')}` : `${v.rule.name}: ${v.from} -> ${v.to}`,
    );
    expect(described).toEqual([]);
    expect(summary.totalCruised).toBeGreaterThan(100);
  }, 180_000);

  test('the rules the design names are all configured', () => {
    const { forbidden } = require(config) as { forbidden: Array<{ name: string; severity: string }> };
    expect(forbidden.filter((r) => r.severity === 'error').map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'domain-imports-only-itself',
        'prisma-not-to-edges',
        'cards-not-to-prisma-or-bot',
        'cards-not-to-repositories',
        'payments-imports-only-domain',
        'web-pages-only-through-contracts',
        'web-src-only-from-web',
        'no-circular',
      ]),
    );
  });
});
