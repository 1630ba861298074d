import type { BillingFrequency, Product } from '../../domain/model';
import { MAX_QUANTITY } from '../../domain/shared/validation';
import { distance } from '../text';

/**
 * Reading what people type. Product names end in digits ("Visio Plan 2") and quantities are digits,
 * so the product is found first — the longest name, alias or id the words contain, in any position —
 * and only then are the quantity and billing frequency read from what is left (DESIGN §5.4).
 */

/** The token a number that is not a whole one becomes ("2.5", "1e9"): refused as a quantity, never read as 2 and 5, or dropped. */
const NOT_WHOLE = 'notwhole';

const tokensOf = (s: string): string[] =>
  s
    .toLowerCase()
    .replace(/[’']/g, '')
    // "1,000" is one thousand, not 1 and 0.
    .replace(/(?<![a-z0-9.,])\d{1,3}(?:,\d{3})+(?![0-9.,]*\d)/g, (m) => m.replace(/,/g, ''))
    // Decimals and exponents stand alone (not inside a name such as "m365e3").
    .replace(/(?<![a-z0-9.])\d+(?:\.\d+(?:e[+-]?\d+)?|e[+-]?\d+)(?![a-z0-9])/g, ` ${NOT_WHOLE} `)
    // A minus before a number ("add -3 licenses") is kept, so the number is refused rather than read as 3.
    .replace(/(^|[^a-z0-9])[-−–](\d)/g, '$1neg$2')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** Other ways people name products, beside the catalog name and ids. */
const ALIASES: Record<string, string[]> = {
  CFQ7TTC0H6RP: ['power bi premium', 'power bi ppu', 'power bi premium per user'],
  CFQ7TTC0J1FV: ['teams exploratory'],
  CFQ7TTC0RM8K: ['teams premium', 'teams premium intro'],
  CFQ7TTC0MM8R: ['copilot', 'm365 copilot', 'microsoft copilot'],
  CFQ7TTC0N8SS: ['clipchamp'],
  CFQ7TTC0J203: ['w365 business', 'cloud pc business'],
  CFQ7TTC0HHS9: ['w365 enterprise', 'cloud pc enterprise'],
  CFQ7TTC0LH2H: ['power apps'],
  CFQ7TTC0LH3L: ['power automate'],
  CFQ7TTC0LSGZ: ['power automate rpa', 'rpa'],
};

/** Every token sequence that names the product exactly. */
/** Per product object (the catalog's are cached and shared), so a turn doesn't re-tokenize every name. */
const NAMES = new WeakMap<Product, string[][]>();
const namesOf = (p: Product): string[][] => {
  const known = NAMES.get(p);
  if (known) return known;
  const base = tokensOf(p.name);
  const variants = [base, tokensOf(p.name.replace(/\(.*?\)/g, ' ')), tokensOf(p.id), ...p.legacyIds.map(tokensOf), ...(ALIASES[p.id] ?? []).map(tokensOf)];
  if (base[0] === 'microsoft') variants.push(base.slice(1));
  const seen = new Set<string>();
  const names = variants.filter((v) => v.length > 0 && !seen.has(v.join(' ')) && seen.add(v.join(' ')));
  NAMES.set(p, names);
  return names;
};

/** "pros" for a name ending in "pro", "users" for one ending in "user": a name's last word may be said in the plural. */
const isPluralOf = (typed: string, word: string): boolean => /[a-z]$/.test(word) && (typed === `${word}s` || typed === `${word}es`);

const runAt = (words: readonly string[], at: number, name: readonly string[]): boolean =>
  name.every((t, i) => words[at + i] === t || (i === name.length - 1 && isPluralOf(words[at + i], t)));

/** "powerbi" is "power bi": a typed word that joins two words of a name, in order, is read as both. */
const splitJoined = (catalog: readonly Product[], words: string[]): string[] => {
  const joined = new Map<string, [string, string]>();
  for (const p of catalog) {
    const name = tokensOf(p.name);
    for (let i = 0; i + 1 < name.length; i++) if (/^[a-z]/.test(name[i]) && /^[a-z]/.test(name[i + 1])) joined.set(name[i] + name[i + 1], [name[i], name[i + 1]]);
  }
  return words.flatMap((w) => joined.get(w) ?? [w]);
};

export interface ProductWords {
  /** One product: found. Several: the words could mean any of them (ask). None: nothing matched. */
  products: Product[];
  /** The words that were not part of the product's name, in order. */
  rest: string[];
  /** How the product was found: its whole name (or id/alias), or only the start of its words. */
  exact: boolean;
  /**
   * A name the words spell that the catalog doesn't have ("visio plan 3" → "Visio Plan 3", when only
   * Visio Plan 1 and 2 exist): the products are the ones it comes close to, and its number is not a quantity.
   */
  missing?: string;
}

/**
 * The products named in `text`. An exact name, alias or id wins, the longest first ("Visio Plan 1 2"
 * is Visio Plan 1, and 2 is left over). Otherwise, the longest run of words that start the words of a
 * product's name ("power apps" → Power Apps per user); digits only ever count as part of a whole name.
 */
export const findProductWords = (catalog: readonly Product[], text: string): ProductWords => {
  const words = splitJoined(catalog, tokensOf(text));
  let best: { len: number; at: number; products: Product[] } = { len: 0, at: -1, products: [] };
  for (const p of catalog) {
    for (const name of namesOf(p)) {
      for (let at = 0; at + name.length <= words.length; at++) {
        if (!runAt(words, at, name)) continue;
        if (name.length > best.len) best = { len: name.length, at, products: [p] };
        else if (name.length === best.len && !best.products.includes(p)) best.products.push(p);
      }
    }
  }
  if (best.products.length) {
    return { products: best.products, rest: [...words.slice(0, best.at), ...words.slice(best.at + best.len)], exact: true };
  }
  // Partial: each typed word (2+ letters, not a number) starts a different word of the name, in order.
  let partial: { len: number; at: number; products: Product[] } = { len: 0, at: -1, products: [] };
  for (const p of catalog) {
    const name = tokensOf(p.name);
    for (let at = 0; at < words.length; at++) {
      let len = 0;
      let from = 0;
      while (at + len < words.length) {
        const w = words[at + len];
        if (w.length < 2 || /^\d+$/.test(w) || FILLER.has(w)) break;
        const hit = name.findIndex((t, i) => i >= from && (t.startsWith(w) || isPluralOf(w, t)));
        if (hit < 0) break;
        from = hit + 1;
        len++;
      }
      if (len === 0) continue;
      if (len > partial.len) partial = { len, at, products: [p] };
      else if (len === partial.len && partial.at === at && !partial.products.includes(p)) partial.products.push(p);
    }
  }
  if (!partial.products.length) return { products: [], rest: words, exact: false };
  const typedRun = words.slice(partial.at, partial.at + partial.len);
  const unknown = unknownNumberedName(partial.products, typedRun, words.slice(partial.at + partial.len));
  const end = partial.at + partial.len + (unknown?.consumed ?? 0);
  const rest = [...words.slice(0, partial.at), ...words.slice(end)];
  // "power bee eye" is not Power anything: a start of a name must outweigh the words nobody understood.
  if (unreadWords(rest).length > partial.len) return { products: [], rest: words, exact: false };
  // "microsoft word": a word many names share starts none of them when something else was typed too.
  if (unreadWords(rest).length > 0 && typedRun.every((w) => GENERIC_NAME_WORDS.has(w))) return { products: [], rest: words, exact: false };
  return { products: partial.products, rest, exact: false, ...(unknown ? { missing: unknown.name } : {}) };
};

/** Words of product names that tell no product apart ("Microsoft 365 Copilot", "Visio Plan 1", "per user"). */
const GENERIC_NAME_WORDS = new Set(['microsoft', 'plan', 'per', 'user', '365']);
/** A typo of a name's word: "windoze" for windows, "premum" for premium. */
const close = (typed: string, word: string): boolean => typed.length >= 4 && word.length >= 4 && distance(typed, word) <= (Math.min(typed.length, word.length) >= 6 ? 2 : 1);

/**
 * For words that name no product ("power bee eye", "windoze 365"): the products sharing a telling
 * word with them (a word of the name that starts with a typed word of 3+ letters or the other way
 * round, or one typo away: two for words of 6+ letters), at most `max`, and the typed words that are
 * not part of the name (a number, a billing frequency), so that a "did you mean" keeps them. Nothing
 * when no word is shared.
 */
export const productsSharingWords = (catalog: readonly Product[], text: string, max = 4): { products: Product[]; rest: string[]; phrase: string } => {
  const words = tokensOf(text);
  const rest = words.filter((w) => unreadWords([w]).length === 0);
  const telling = words.filter((w) => w.length >= 3 && !rest.includes(w) && !GENERIC_NAME_WORDS.has(w));
  const shares = (p: Product) =>
    tokensOf(p.name).filter((n) => n.length >= 3 && !GENERIC_NAME_WORDS.has(n) && telling.some((t) => n.startsWith(t) || t.startsWith(n) || close(t, n))).length;
  const products = catalog
    .map((p) => ({ p, n: shares(p) }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n)
    .slice(0, max)
    .map((x) => x.p);
  // "windoze 365": a number that is a word of the names offered is part of the name, not a quantity.
  const inNames = new Set(products.flatMap((p) => tokensOf(p.name)));
  const kept = rest.filter((w) => !inNames.has(w));
  return { products, rest: kept, phrase: words.filter((w) => !kept.includes(w)).join(' ') };
};

/**
 * "visio plan 3": the typed words go on spelling every candidate's name ("plan") up to its number, but
 * with a number none of them has. Then that number names a product we don't sell; it is not a quantity.
 * "visio 3" doesn't spell on, so there 3 stays a quantity.
 */
const unknownNumberedName = (candidates: readonly Product[], typedRun: readonly string[], after: readonly string[]): { name: string; consumed: number } | null => {
  let consumed = 0;
  for (const p of candidates) {
    const name = tokensOf(p.name);
    // Where the typed run left off in this name (each typed word starts a later word of it).
    let from = 0;
    for (const w of typedRun) from = name.findIndex((t, i) => i >= from && t.startsWith(w)) + 1;
    const tail = name.slice(from);
    const last = tail.length - 1;
    if (last < 0 || !/^\d+$/.test(tail[last]) || after.length < tail.length) return null;
    // Every candidate's own number differs from the typed one, so none of them is what was typed.
    const spellsOn = tail.every((t, i) => (i === last ? /^\d+$/.test(after[i]) && after[i] !== t : after[i] === t));
    if (!spellsOn || (consumed && consumed !== tail.length)) return null;
    consumed = tail.length;
  }
  const typedNumber = after[consumed - 1];
  return { name: candidates[0].name.replace(/\d+(?=\D*$)/, typedNumber), consumed };
};

/** Words that carry no meaning of their own around a product and a number. */
const FILLER = new Set([
  'a',
  'an',
  'the',
  'of',
  'for',
  'to',
  'on',
  'my',
  'more',
  'extra',
  'new',
  'license',
  'licenses',
  'licence',
  'licences',
  'seat',
  'seats',
  'user',
  'users',
  'x',
  'subscription',
  'subscriptions',
  'please',
  'plan',
  'with',
  'and',
  'me',
  'us',
  'our',
  'i',
  'want',
  'would',
  'like',
  'some',
  'in',
  'from',
]);

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  fifty: 50,
  hundred: 100,
};

export type QuantityWords = { kind: 'none' } | { kind: 'one'; value: number } | { kind: 'invalid'; message: string };

/** The one number among the left-over words ("5", "five", "x5"); more than one number is a question back. */
export const quantityOf = (rest: readonly string[]): QuantityWords => {
  const found: number[] = [];
  for (const w of rest) {
    const m = /^x?(\d+)x?$/.exec(w);
    if (m) found.push(m[1].length > 9 ? Number.MAX_SAFE_INTEGER : Number(m[1]));
    else if (/^neg\d+$/.test(w)) found.push(-1);
    else if (w === NOT_WHOLE) return { kind: 'invalid', message: 'The number of licenses must be a whole number, like 5.' };
    else if (NUMBER_WORDS[w] !== undefined) found.push(NUMBER_WORDS[w]);
  }
  if (found.length === 0) return { kind: 'none' };
  if (new Set(found).size > 1) return { kind: 'invalid', message: `How many licenses: ${[...new Set(found)].slice(0, 3).join(' or ')}? Say the number once.` };
  const n = found[0];
  if (n < 1) return { kind: 'invalid', message: 'The number of licenses must be at least 1.' };
  if (n > MAX_QUANTITY) return { kind: 'invalid', message: `At most ${MAX_QUANTITY.toLocaleString('en-US')} licenses at a time.` };
  return { kind: 'one', value: n };
};

/** "monthly", "per month", "yearly", "annual(ly)", "per year". */
export const frequencyOf = (rest: readonly string[]): BillingFrequency | null => {
  const s = ` ${rest.join(' ')} `;
  if (/ (monthly|month to month|per month|a month|month) /.test(s)) return 'Monthly';
  if (/ (yearly|annual|annually|per year|a year|year|annual commitment) /.test(s)) return 'Annual';
  return null;
};

/** Words of `rest` that are not a number, a frequency or filler: what the parser did not understand. */
export const unreadWords = (rest: readonly string[]): string[] =>
  rest.filter(
    (w) =>
      !FILLER.has(w) &&
      w !== NOT_WHOLE &&
      !/^x?\d+x?$/.test(w) &&
      NUMBER_WORDS[w] === undefined &&
      !/^(monthly|yearly|annual|annually|per|month|year|commitment|billing|billed|trial)$/.test(w),
  );

/** "Patti, lynner@contoso.com and Isaiah" → ['Patti', 'lynner@contoso.com', 'Isaiah']. */
export const splitPeople = (typed: string): string[] =>
  typed
    .split(/\s*(?:,|;|\band\b|&)\s*/i)
    .map((q) => q.trim().replace(/^@/, ''))
    .filter(Boolean);
