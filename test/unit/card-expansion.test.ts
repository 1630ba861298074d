/**
 * cards/ui.ts expands templates with its own compiled walk of adaptivecards-templating's algorithm
 * (faster: the library spends more on a card than a turn spends reading the database). The card must
 * come out byte for byte as the library makes it: every sample card, and templates that exercise the
 * library's corners, are rendered both ways and compared as JSON text.
 */
import { CARD_SAMPLES } from '../../cards/samples';
import { cardExpansion, template } from '../../cards/ui';

const both = (render: () => unknown): { compiled: string; library: string } => {
  const run = (engine: 'compiled' | 'library'): string => {
    cardExpansion.engine = engine;
    try {
      return JSON.stringify(render());
    } catch (e) {
      return `threw: ${(e as Error).message}`;
    } finally {
      cardExpansion.engine = 'compiled';
    }
  };
  return { compiled: run('compiled'), library: run('library') };
};

describe('card expansion equals adaptivecards-templating', () => {
  test.each(CARD_SAMPLES.map((s) => [s.id, s] as const))('sample %s', (_id, sample) => {
    const { compiled, library } = both(() => sample.build());
    expect(compiled).toEqual(library);
  });

  const corners = template<Record<string, unknown>>({
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: '${title}' },
      { type: 'TextBlock', text: 'Case: ${TITLE} / ${Mixed} / ${mixed}' },
      { type: 'TextBlock', text: 'Missing: ${nothingHere} and ${nested.missing}', $when: '${show}' },
      { type: 'TextBlock', text: 'dropped: $when is a string', $when: '${word}' },
      { type: 'TextBlock', text: 'dropped: $when is not an expression', $when: true },
      { type: 'TextBlock', text: 'dropped: $when is missing', $when: '${notThere}' },
      { type: 'TextBlock', text: 'kept: ${count(items)} items, ${if(flag, "yes", "no")}, ${page + 1}, ${number} ${flag}' },
      { type: 'TextBlock', text: 'null in a sentence: ${nothing}', $when: '${showNull}' },
      { type: 'TextBlock', text: 'bad call ${count(number)} stays as written' },
      { type: 'Container', $data: '${items}', items: [{ type: 'TextBlock', text: '${$index}: ${name} of ${$root.title} (${tags[0]})', $when: "${name != 'skip'}" }] },
      { type: 'Container', $data: '${empty}', items: [{ type: 'TextBlock', text: 'never' }] },
      { type: 'Container', $data: '${one}', items: [{ type: 'TextBlock', text: '${name} / ${$data.name} / ${$root.one.name}' }] },
      { type: 'Container', $data: '${words}', items: [{ type: 'TextBlock', text: '${$data} #${$index}' }] },
      { type: 'Container', items: '${items}' },
      { type: 'Container', items: ['${pair}', { type: 'TextBlock', text: 'after' }, '${nothing}', '${gone}'] },
      { type: 'FactSet', facts: [{ $data: '${items}', title: '${name}', value: '${score}' }] },
      { type: 'Input.Number', id: 'n', value: '${number}', max: '${page}' },
      { type: 'TextBlock', text: '${nothing}', extra: '${gone}', flag: '${flag}', obj: '${one}' },
    ],
    actions: [{ type: 'Action.Execute', verb: 'x', data: { page: '${page - 1}', id: '${one.name}', raw: 'plain' } }],
  });

  const vm = () => ({
    title: 'Purchases',
    mixed: 'lower first',
    Mixed: 'upper second',
    show: true,
    word: 'yes',
    flag: false,
    page: 2,
    number: 3.5,
    nothing: null,
    items: [
      { name: 'Power BI Pro', score: 1, tags: ['a'] },
      { name: 'skip', score: 2, tags: [] },
      { Name: 'Visio', score: 0, tags: ['v', 'w'] },
    ],
    empty: [],
    one: { name: 'Single', Name: 'Shadowed' },
    words: ['alpha', 'beta'],
    pair: ['p1', 'p2'],
    nested: {},
  });

  test('corners: case-insensitive names, missing values, $when, $data (array, empty, object, strings), $index, $root, functions, flattening', () => {
    const { compiled, library } = both(() => corners(vm()));
    expect(compiled).toEqual(library);
    expect(compiled).not.toMatch(/^threw/);
  });

  test('corners with other data: no items, a missing scope, values of other types, and a null the library throws on', () => {
    const outcomes: string[] = [];
    for (const over of [{ items: [] }, { items: undefined, one: undefined }, { one: 'text', words: 'not a list', title: 42 }, { items: [null, 'x', 7] }, { show: 'true' }, { showNull: true }]) {
      const { compiled, library } = both(() => corners({ ...vm(), ...over }));
      expect(compiled).toEqual(library);
      outcomes.push(compiled.startsWith('threw') ? 'threw' : 'card');
    }
    expect(outcomes).toEqual(['card', 'card', 'card', 'card', 'card', 'threw']);
  });

  test('an expression the library refuses fails the same way', () => {
    const broken = template<Record<string, unknown>>({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: '${count(number)}' }] });
    const { compiled, library } = both(() => broken({ number: 3 }));
    expect(compiled).toEqual(library);
  });
});
