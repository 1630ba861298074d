import { CATALOG } from '../../domain/catalog/catalog-data';
import { matchProducts } from '../../domain/catalog/find-product';
import { SignedLinks } from '../../bot/signed-links';
import { helpText, matchCommand, suggestCommands } from '../../bot/features/registry';
import { findProductWords, frequencyOf, productsSharingWords, quantityOf, splitPeople } from '../../bot/features/words';

const names = (words: string) => matchProducts(CATALOG, words).map((p) => p.name);

describe('products named in words', () => {
  test('exact names, ids and legacy ids win', () => {
    expect(names('Power BI Pro')).toEqual(['Power BI Pro']);
    expect(names('power bi pro')).toEqual(['Power BI Pro']);
    expect(names('CFQ7TTC0H9MP')).toEqual(['Power BI Pro']);
    const legacy = CATALOG.find((p) => p.legacyIds.length)!;
    expect(names(legacy.legacyIds[0])).toEqual([legacy.name]);
  });

  test('prefixes and word starts narrow down; ambiguity returns every candidate', () => {
    expect(names('visio plan 2')).toEqual(['Visio Plan 2']);
    expect(names('visio')).toEqual(['Visio Plan 1', 'Visio Plan 2']);
    expect(findProductWords(CATALOG, 'visio plan 3')).toMatchObject({ products: [{ name: 'Visio Plan 1' }, { name: 'Visio Plan 2' }], missing: 'Visio Plan 3', rest: [] });
    expect(findProductWords(CATALOG, 'visio 3').missing).toBeUndefined();
    expect(findProductWords(CATALOG, 'visio plan 2').missing).toBeUndefined();
    expect(names('copilot')).toEqual(['Microsoft 365 Copilot']);
    expect(names('power automate rpa')).toEqual(['Power Automate RPA']);
  });

  test('a name in the plural, or with two of its words run together, is still that name', () => {
    const one = (text: string) => findProductWords(CATALOG, text).products.map((p) => p.name);
    expect(one('power bi pros')).toEqual(['Power BI Pro']);
    expect(one('power bi premiums')).toEqual(['Power BI Premium (per user)']);
    expect(one('power apps per users')).toEqual(['Power Apps per user']);
    expect(one('powerbi pro')).toEqual(['Power BI Pro']);
    expect(findProductWords(CATALOG, 'powerbi pro 3')).toMatchObject({ products: [{ name: 'Power BI Pro' }], rest: ['3'], exact: true });
    // Digits are never a plural: Visio Plan 1 and then 2 licenses.
    expect(findProductWords(CATALOG, 'visio plan 1 2')).toMatchObject({ products: [{ name: 'Visio Plan 1' }], rest: ['2'] });
  });

  test('numbers that are not whole are refused as quantities, never read as two numbers or dropped; 1,000 is one thousand', () => {
    const q = (text: string) => quantityOf(findProductWords(CATALOG, text).rest);
    const notWhole = { kind: 'invalid', message: 'The number of licenses must be a whole number, like 5.' };
    for (const t of ['power bi pro 1e9', 'power bi pro 2.5', 'power bi pro -1e9', '1.5e3 project plan 3', 'power bi pro 0.5']) expect([t, q(t)]).toEqual([t, notWhole]);
    expect(q('power bi pro 1,000')).toEqual({ kind: 'one', value: 1000 });
    expect(q('power bi pro 2,3')).toMatchObject({ kind: 'invalid', message: 'How many licenses: 2 or 3? Say the number once.' });
    // Inside a word it is part of the word.
    expect(findProductWords(CATALOG, 'm365e3 2').rest).toEqual(['m365e3', '2']);
  });

  test('nothing for words that name nothing', () => {
    expect(names('')).toEqual([]);
    expect(names('sandwich')).toEqual([]);
    expect(names('$$$')).toEqual([]);
  });
});

describe('signed links', () => {
  const now = { t: 1_000_000 };
  const links = new SignedLinks('0123456789abcdef0123456789abcdef', () => now.t);
  const claims = { tenantId: 't1', userId: 'u1', purpose: 'export', arg: null };

  test('a link verifies for its purpose until it expires', () => {
    const token = links.sign(claims, 60_000);
    expect(links.verify(token, 'export')).toMatchObject(claims);
    expect(links.verify(token, 'something-else')).toBeNull();
    now.t += 60_001;
    expect(links.verify(token, 'export')).toBeNull();
  });

  test('tampering, other secrets and junk are refused', () => {
    const token = links.sign(claims, 60_000);
    const [body, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, tenantId: 't2', exp: now.t + 60_000 })).toString('base64url');
    expect(links.verify(`${forged}.${mac}`, 'export')).toBeNull();
    expect(links.verify(`${body}.${mac.slice(0, -1)}A`, 'export')).toBeNull();
    expect(new SignedLinks('another-secret-of-16+chars', () => now.t).verify(token, 'export')).toBeNull();
    for (const junk of [undefined, null, 42, '', '.', 'a.b.c', 'x'.repeat(5000), { token }]) expect(links.verify(junk, 'export')).toBeNull();
  });
});

const pc = { products: CATALOG };

/** What the bot understands from a sentence: the command, the product(s) it names, the number, the frequency and the people. */
const understand = (text: string) => {
  const found = matchCommand(text, pc);
  if (!found) return null;
  const args = found.args as Record<string, unknown>;
  const productText = (args.words ?? args.product) as string | null | undefined;
  const words = typeof productText === 'string' ? findProductWords(CATALOG, productText) : null;
  const q = words ? quantityOf(words.rest) : { kind: 'none' as const };
  return {
    command: found.command.name,
    products: words ? words.products.map((p) => p.name) : [],
    quantity: q.kind === 'one' ? q.value : q.kind === 'invalid' ? 'invalid' : null,
    frequency: words ? frequencyOf(words.rest) : null,
    people: typeof args.people === 'string' ? splitPeople(args.people) : typeof args.person === 'string' ? splitPeople(args.person) : [],
    purchaser: (args.purchaser as string | undefined) ?? null,
  };
};

type Expect = [text: string, command: string, products: string[] | string, quantity?: number | 'invalid' | null, frequency?: 'Monthly' | 'Annual' | null, people?: string[]];

describe('the parsing corpus: every command, product names with digits, numbers before and after, old ids, typos, extra words', () => {
  const V1 = 'Visio Plan 1';
  const V2 = 'Visio Plan 2';
  const PBI = 'Power BI Pro';
  const corpus: Expect[] = [
    // buy: the product first (the longest name the words contain), then the number from what is left
    ['buy Visio Plan 1 2', 'buy', V1, 2],
    ['buy Visio Plan 2', 'buy', V2, null],
    ['buy Visio Plan 2 3', 'buy', V2, 3],
    ['buy 3 Visio Plan 2', 'buy', V2, 3],
    ['buy 3 licenses of Visio Plan 1', 'buy', V1, 3],
    ['buy Project Plan 3', 'buy', 'Project Plan 3', null],
    ['buy Project Plan 3 4', 'buy', 'Project Plan 3', 4],
    ['buy 4 Project Plan 3 licenses', 'buy', 'Project Plan 3', 4],
    ['buy Planner Plan 1 3', 'buy', 'Planner Plan 1', 3],
    ['buy planner plan 1', 'buy', 'Planner Plan 1', null],
    ['buy Visio Plan 1', 'buy', V1, null],
    ['BUY VISIO PLAN 1 2', 'buy', V1, 2],
    ['buy Power BI Pro 5', 'buy', PBI, 5],
    ['buy 5 Power BI Pro', 'buy', PBI, 5],
    ['buy power bi pro 5 monthly', 'buy', PBI, 5, 'Monthly'],
    ['buy power bi pro 5 yearly', 'buy', PBI, 5, 'Annual'],
    ['buy power bi pro annually, 12 licenses', 'buy', PBI, 12, 'Annual'],
    ['buy 10 seats of power bi pro per month', 'buy', PBI, 10, 'Monthly'],
    ['buy five power bi pro licenses', 'buy', PBI, 5],
    ['buy CFQ7TTC0H9MP 2', 'buy', PBI, 2],
    ['buy CFQ7TTC0L3PB', 'buy', PBI, null],
    ['buy cfq7ttc0hd33 7', 'buy', V1, 7],
    ['purchase Microsoft 365 Copilot 10', 'buy', 'Microsoft 365 Copilot', 10],
    ['buy copilot 10', 'buy', 'Microsoft 365 Copilot', 10],
    ['buy 365 copilot', 'buy', 'Microsoft 365 Copilot', null],
    ['order Windows 365 Business 2', 'buy', 'Windows 365 Business', 2],
    ['buy windows 365 enterprise', 'buy', 'Windows 365 Enterprise', null],
    ['buy Teams Premium 3', 'buy', 'Teams Premium Introductory Pricing', 3],
    ['buy power apps 2', 'buy', 'Power Apps per user', 2],
    ['buy power automate per user 2', 'buy', 'Power Automate per user', 2],
    ['buy power automate rpa 2', 'buy', 'Power Automate RPA', 2],
    ['buy power bi premium per user 2', 'buy', 'Power BI Premium (per user)', 2],
    ['buy clipchamp', 'buy', 'Clipchamp Premium', null],
    ['buy visio 2', 'buy', [V1, V2], 2],
    // A plan number we don't sell is a product name, not a quantity (the bot says so and asks).
    ['buy visio plan 3', 'buy', [V1, V2], null],
    ['buy visio plan 3 2', 'buy', [V1, V2], 2],
    ['buy 2 visio plan 3', 'buy', [V1, V2], 2],
    ['buy visio', 'buy', [V1, V2], null],
    ['buy power bi', 'buy', [PBI, 'Power BI Premium (per user)'], null],
    ['buy power bi 2', 'buy', [PBI, 'Power BI Premium (per user)'], 2],
    ['buy Visio Plan 2 0', 'buy', V2, 'invalid'],
    ['buy Power BI Pro 99999999', 'buy', PBI, 'invalid'],
    ['buy Power BI Pro 2 3', 'buy', PBI, 'invalid'],
    ['I want to buy Power BI Pro for my team, 3 licenses please', 'buy', PBI, 3],
    ['buy sandwich', 'buy', [], null],
    // trials
    ['trial Visio Plan 1', 'trial', V1],
    ['try visio plan 2', 'trial', V2],
    ['start a trial of Planner Plan 1', 'trial', 'Planner Plan 1'],
    ['start trial project plan 3', 'trial', 'Project Plan 3'],
    ['trial teams exploratory', 'trial', 'Microsoft Teams Exploratory'],
    // add / remove licenses
    ['add 2 licenses to Power BI Pro', 'add licenses', PBI, 2],
    ['add 1 license to Visio Plan 2', 'add licenses', V2, 1],
    ['add 2 licenses to Visio Plan 1', 'add licenses', V1, 2],
    ['add 3 more Project Plan 3 licenses', 'add licenses', 'Project Plan 3', 3],
    ['add Visio Plan 2 4', 'add licenses', V2, 4],
    ['Add 10 Licences For power bi pro', 'add licenses', PBI, 10],
    ['add licenses to power bi pro', 'add licenses', PBI, null],
    ['remove 1 license from Power BI Pro', 'remove licenses', PBI, 1],
    ['remove 2 licenses from Visio Plan 1', 'remove licenses', V1, 2],
    ['remove 3 project plan 3 licenses', 'remove licenses', 'Project Plan 3', 3],
    // assign / unassign: product before "to"/"from", people after
    ['assign Power BI Pro to Adele Vance', 'assign', PBI, null, null, ['Adele Vance']],
    ['assign Visio Plan 2 to Adele Vance, isaiahl@example.com', 'assign', V2, null, null, ['Adele Vance', 'isaiahl@example.com']],
    ['assign a Power BI Pro license to Patti and Lynne', 'assign', PBI, null, null, ['Patti', 'Lynne']],
    ['give Project Plan 3 to lynner@example.com', 'assign', 'Project Plan 3', null, null, ['lynner@example.com']],
    ['assign planner plan 1 to Adele; Isaiah', 'assign', 'Planner Plan 1', null, null, ['Adele', 'Isaiah']],
    ['unassign Power BI Pro from Adele Vance', 'unassign', PBI, null, null, ['Adele Vance']],
    ['unassign Visio Plan 1 from Lynne Robbins', 'unassign', V1, null, null, ['Lynne Robbins']],
    ['take back the Power BI Pro license from Lynne', 'unassign', PBI, null, null, ['Lynne']],
    ['remove Adele Vance from Power BI Pro', 'unassign', PBI, null, null, ['Adele Vance']],
    // the subscription's own commands
    ['cancel Power BI Pro', 'cancel', PBI],
    ['cancel my Visio Plan 2 subscription', 'cancel', V2],
    ['cancel project plan 3', 'cancel', 'Project Plan 3'],
    ['recurring off Power BI Pro', 'recurring', PBI],
    ['turn recurring on for Visio Plan 1', 'recurring', V1],
    ['turn off auto-renew Project Plan 3', 'recurring', 'Project Plan 3'],
    ['payment method Power BI Pro', 'payment method', PBI],
    ['update payment method for Visio Plan 2', 'payment method', V2],
    // lists
    ['my purchases', 'my purchases', []],
    ['My Subscriptions', 'my purchases', []],
    ['catalog', 'catalog', []],
    ['buy', 'catalog', []],
    ['bills', 'bills', []],
    ['my invoices', 'bills', []],
    ['pay', 'pay', []],
    ['pay my bill', 'pay', []],
    ['help', 'help', []],
    ['open my purchases', 'open', []],
    ['open admin', 'open admin', []],
    // admin
    ['purchases', 'purchases', []],
    ['purchases self-service', 'purchases', []],
    ['licenses Visio Plan 2', 'licenses', V2],
    ['licenses for project plan 3', 'licenses', 'Project Plan 3'],
    ['licenses', 'licenses', []],
    ['export Power BI Pro', 'export', PBI],
    ['export licensed users of visio plan 1', 'export', V1],
    ['set policy Visio Plan 2 disabled', 'set policy', V2],
    ['set policy Project Plan 3 trials only', 'set policy', 'Project Plan 3'],
    ['policy for planner plan 1 enabled', 'set policy', 'Planner Plan 1'],
    ['set policy all trials only', 'set policy', []],
    ['disable Visio Plan 2', 'disable', V2],
    ['enable project plan 3', 'disable', 'Project Plan 3'],
    ['block self-service purchases of power bi pro', 'disable', PBI],
    ['policies', 'policies', []],
    ['take over Power BI Pro from Megan Bowen', 'take over', PBI],
    ['take over Visio Plan 2', 'take over', V2],
    ['takeover the project plan 3 subscription of Megan', 'take over', 'Project Plan 3'],
    ['centralize Power BI Pro from Megan Bowen', 'centralize', PBI],
    ['centralise visio plan 1', 'centralize', V1],
    ['approvals', 'approvals', []],
    ['require approval on', 'require approval', []],
    ['audit', 'audit', []],
    ['roles', 'roles', []],
    ['grant billing admin to Adele Vance', 'grant', [], null, null, ['Adele Vance']],
    ['revoke global reader from isaiahl@example.com', 'revoke', [], null, null, ['isaiahl@example.com']],
    ['use this channel', 'use this channel', []],
  ];

  test('the corpus is big enough to mean something', () => expect(corpus.length).toBeGreaterThanOrEqual(80));

  test.each(corpus)('"%s" → %s %j ×%s %s %j', (text, command, products, quantity = null, frequency = null, people = []) => {
    const got = understand(text);
    expect(got).not.toBeNull();
    expect(got!.command).toBe(command);
    expect(got!.products).toEqual(Array.isArray(products) ? products : [products]);
    if (quantity !== null || command === 'buy') expect(got!.quantity).toBe(quantity);
    if (frequency !== null) expect(got!.frequency).toBe(frequency);
    if (people.length) expect(got!.people).toEqual(people);
  });

  test('take over and centralize read the purchaser apart from the product', () => {
    expect(understand('take over Power BI Pro from Megan Bowen')!.purchaser).toBe('Megan Bowen');
    expect(understand('centralize visio plan 2 bought by adelev@example.com')!.purchaser).toBe('adelev@example.com');
    expect(understand('take over Visio Plan 2')!.purchaser).toBeNull();
  });

  test('nonsense is no command at all', () => {
    for (const t of ['make me a sandwich', 'purchses', 'xyzzy', '']) expect(matchCommand(t, pc)).toBeNull();
  });
});

describe('suggestions: by role, with what was understood, never the whole help', () => {
  test('a purchaser’s typo suggests their own command, an admin’s the admin one', () => {
    expect(suggestCommands('purchses', pc, false)).toEqual(['my purchases']);
    expect(suggestCommands('purchses', pc, true)).toContain('purchases');
    expect(suggestCommands('polcies', pc, false)).toEqual([]);
    expect(suggestCommands('polcies', pc, true)).toEqual(['policies']);
  });

  test('the parsed arguments come back in the catalog’s words', () => {
    expect(suggestCommands('by power bi pro 2', pc, false)).toEqual(['buy Power BI Pro 2']);
    expect(suggestCommands('by power bi 2', pc, false)).toEqual(['buy Power BI Pro 2', 'buy Power BI Premium (per user) 2']);
    expect(suggestCommands('by visio plan 1 monthly', pc, false)).toEqual(['buy Visio Plan 1 monthly']);
    expect(suggestCommands('ad 2 licenses to visio plan 2', pc, false)).toEqual(['add 2 licenses to Visio Plan 2']);
    expect(suggestCommands('cancle power bi pro', pc, false)).toEqual(['cancel Power BI Pro']);
    expect(suggestCommands('purchses self-service', pc, true)).toEqual(['purchases self-service']);
    expect(suggestCommands('catalgo', pc, false)).toEqual(['catalog']);
    expect(suggestCommands('xyzzy', pc, true)).toEqual([]);
  });

  test('help lists only what the role can do', () => {
    expect(helpText(false)).not.toMatch(/take over|policies|audit/);
    expect(helpText(false)).toMatch(/my purchases/);
    expect(helpText(true)).toMatch(/take over/);
    expect(helpText(false).length).toBeLessThan(900);
  });
});

describe('products sharing words with a name we do not sell', () => {
  const shared = (text: string) => {
    const r = productsSharingWords(CATALOG, text);
    return { names: r.products.map((p) => p.name), rest: r.rest, phrase: r.phrase };
  };
  test('a telling word, its start or a typo of it; numbers and billing words kept apart', () => {
    expect(shared('power bee eye 3 monthly')).toEqual({
      names: ['Power BI Pro', 'Power BI Premium (per user)', 'Power Apps per user', 'Power Automate per user'],
      rest: ['3', 'monthly'],
      phrase: 'power bee eye',
    });
    expect(shared('visioo').names).toEqual(['Visio Plan 1', 'Visio Plan 2']);
    expect(shared('clipchap').names).toEqual(['Clipchamp Premium']);
    expect(shared('premum teams').names[0]).toBe('Teams Premium Introductory Pricing');
  });
  test('a number that is a word of a name offered is part of the name', () => {
    expect(shared('windoze 365')).toEqual({ names: ['Windows 365 Business', 'Windows 365 Enterprise'], rest: [], phrase: 'windoze 365' });
    expect(shared('windoze 365 4').rest).toEqual(['4']);
  });
  test('a word many names share ("microsoft") names none of them beside a word nobody knows ("word")', () => {
    expect(findProductWords(CATALOG, 'microsoft word').products).toEqual([]);
    expect(findProductWords(CATALOG, 'microsoft').products.map((p) => p.name)).toEqual(['Microsoft Teams Exploratory', 'Microsoft 365 Copilot']);
    expect(findProductWords(CATALOG, 'microsoft copilot 3').products.map((p) => p.name)).toEqual(['Microsoft 365 Copilot']);
  });
  test('words that tell no product apart share nothing', () => {
    for (const text of ['foo bar', 'microsoft', 'plan', 'per user 365', '3', 'a b', '']) expect(shared(text).names).toEqual([]);
  });
});
