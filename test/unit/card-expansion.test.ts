/**
 * Cards are plain TypeScript functions from a view model to card JSON (cards/ui.ts helpers): no
 * templating library, no expression strings. These tests hold that shape on every sample card and
 * pin the helpers' output, which the card snapshots (test/unit/cards.test.ts) rely on.
 */
import { CARD_SAMPLES } from '../../cards/samples';
import { banner, cardOf, execute, only, pager, refresh, rowList, text } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';

/** Every object in a card, with the path it was found at. */
const nodes = (card: unknown): Array<{ path: string; node: Record<string, unknown> }> => {
  const out: Array<{ path: string; node: Record<string, unknown> }> = [];
  const walk = (n: unknown, path: string): void => {
    if (Array.isArray(n)) return n.forEach((x, i) => walk(x, `${path}[${i}]`));
    if (!n || typeof n !== 'object') return;
    out.push({ path, node: n as Record<string, unknown> });
    for (const [k, v] of Object.entries(n)) walk(v, `${path}.${k}`);
  };
  walk(card, '$');
  return out;
};

describe('cards carry no templating', () => {
  test.each(CARD_SAMPLES.map((s) => [s.id, s] as const))('%s: no ${…} strings, no $when or $data, nothing undefined', (_id, sample) => {
    const card = sample.build();
    expect(JSON.stringify(card)).not.toMatch(/\$\{/);
    for (const { path, node } of nodes(card)) {
      expect([path, Object.keys(node).filter((k) => k === '$when' || k === '$data' || k === '$root')]).toEqual([path, []]);
      // pretty-format (snapshots) would print an undefined property that JSON drops: keep them out.
      expect([
        path,
        Object.entries(node)
          .filter(([, v]) => v === undefined)
          .map(([k]) => k),
      ]).toEqual([path, []]);
    }
  });

  test('no card module imports a templating library', () => {
    const { readdirSync, readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const dir = `${__dirname}/../../cards`;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts')))
      expect([f, readFileSync(`${dir}/${f}`, 'utf8')]).not.toEqual([f, expect.stringMatching(/adaptivecards-templating|adaptive-expressions/)]);
  });
});

describe('ui helpers', () => {
  test('execute: an Action.Execute with a Submit fallback naming the verb, same ids and options', () => {
    expect(execute('Add', VERBS.addLicenses, { subscriptionId: 's1' }, { style: 'positive', associatedInputs: 'none' })).toEqual({
      type: 'Action.Execute',
      title: 'Add',
      verb: 'licenses.add',
      data: { subscriptionId: 's1' },
      style: 'positive',
      associatedInputs: 'none',
      fallback: { type: 'Action.Submit', title: 'Add', data: { verb: 'licenses.add', subscriptionId: 's1' }, style: 'positive', associatedInputs: 'none' },
    });
    expect(Object.keys(execute('Back', VERBS.mine))).toEqual(['type', 'title', 'verb', 'data', 'fallback']);
  });

  test('only: the items when the condition holds, nothing otherwise', () => {
    expect(only(true, 1, 2)).toEqual([1, 2]);
    expect(only('', 1)).toEqual([]);
    expect(only(0, 1)).toEqual([]);
  });

  test('pager: nothing on a single page; Previous and Next only where they lead somewhere', () => {
    expect(pager(VERBS.audit, 1, 1)).toEqual([]);
    const titles = (p: number, n: number) => pager(VERBS.purchases, p, n, { origin: 'Central' }).flatMap((s) => s.actions.map((a) => a.title));
    expect(titles(1, 3)).toEqual(['Next']);
    expect(titles(2, 3)).toEqual(['Previous', 'Next']);
    expect(titles(3, 3)).toEqual(['Previous']);
    const [next] = pager(VERBS.purchases, 1, 2, { origin: 'Central' })[0].actions;
    expect(next).toMatchObject({ verb: VERBS.purchases, data: { origin: 'Central', page: 2 } });
  });

  test('banner: nothing without one; good or attention by bannerIsError', () => {
    expect(banner({})).toEqual([]);
    expect(banner({ banner: null })).toEqual([]);
    expect(banner({ banner: 'Done.' })).toEqual([{ type: 'Container', style: 'good', items: [text('Done.')] }]);
    expect(banner({ banner: 'No.', bannerIsError: true })[0].style).toBe('attention');
  });

  test('rowList: one separated row per item, the button column empty without an action', () => {
    const rows = rowList([{ lines: [text('a')], action: execute('Open', VERBS.approvals, { requestId: 'r1' }) }, { lines: [text('b')] }]);
    expect(rows).toHaveLength(2);
    expect(rows[0].separator).toBe(true);
    expect(JSON.stringify(rows[1])).not.toMatch(/ActionSet/);
  });

  test('cardOf: schema 1.5, refresh before the body, actions only when given', () => {
    const card = cardOf([text('x')], undefined, { refresh: refresh('mine', {}, ['8:orgid:u']) });
    expect(Object.keys(card)).toEqual(['type', '$schema', 'version', 'refresh', 'body']);
    expect(card.refresh).toEqual({ action: { type: 'Action.Execute', verb: VERBS.refresh, data: { view: 'mine' } }, userIds: ['8:orgid:u'] });
    expect(cardOf([], []).actions).toEqual([]);
  });
});
