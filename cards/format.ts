import type { Money } from '../domain/shared/money';
import type { BillingFrequency, PolicyValue, SubscriptionStatus } from '../domain/model';

/**
 * Formatting and wording shared by chat text, cards and the web pages (Teams renders a subset of
 * Markdown in both): one place for how a count, a policy, a billing frequency or a status reads.
 */
export const price = (m: Money): string => new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency }).format(m.amountMinor / 100);

export const day = (d: Date): string => d.toISOString().slice(0, 10);

type TermState = { status: SubscriptionStatus; recurring: boolean; isTrial: boolean };

/**
 * What the end of a subscription's term does, worded the same on every card and page: a trial on a
 * card (recurring) becomes paid, a recurring subscription renews, any other live one ends; 'Ended' once
 * it isn't live.
 */
export const termEndWord = (s: TermState): 'Renews' | 'Becomes paid' | 'Ends' | 'Ended' =>
  s.status !== 'Active' && s.status !== 'Trial' ? 'Ended' : !s.recurring ? 'Ends' : s.isTrial ? 'Becomes paid' : 'Renews';

/** When a live subscription's term ends, in a line: "renews 2027-01-01", "becomes paid …" or "ends …"; '' once it isn't live. */
export const termEnd = (s: TermState & { expiresAt: Date }): string => {
  const word = termEndWord(s);
  return word === 'Ended' ? '' : `${word.toLowerCase()} ${day(s.expiresAt)}`;
};

/** Plurals that don't just add an "s". */
const IRREGULAR: Record<string, string> = { person: 'people', is: 'are', has: 'have', was: 'were' };

/** The plural of a noun phrase: its last word pluralized ("more person" → "more people", "license" → "licenses"). */
export const pluralOf = (phrase: string): string => {
  const m = /^(.*?)([A-Za-z]+)$/.exec(phrase);
  if (!m) return `${phrase}s`;
  const [, head, word] = m;
  const lower = word.toLowerCase();
  const irregular = IRREGULAR[lower];
  if (irregular) return head + (word[0] === word[0].toUpperCase() ? irregular[0].toUpperCase() + irregular.slice(1) : irregular);
  if (/[^aeiou]y$/i.test(word)) return `${head}${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${head}${word}es`;
  return `${head}${word}s`;
};

/** "1 license", "2 licenses", "0 people": a number and its noun, agreeing (`many` for a plural of your own). */
export const count = (n: number, one: string, many: string = pluralOf(one)): string => `${n} ${n === 1 ? one : many}`;

/** The word that agrees with `n`: `agree(n, 'loses', 'lose')`, `agree(n, 'holds', 'hold')`. */
export const agree = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/** Kept for the callers that name both forms; `count` works the plural out itself. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** At most `max` names, then "and N more": a list that stays short at any size. */
export const someNames = (names: readonly string[], max = 5, total = names.length): string => {
  const shown = names.slice(0, Math.min(max, names.length));
  const more = total - shown.length;
  if (more <= 0) return shown.join(', ');
  return shown.length ? `${shown.join(', ')} and ${more} more` : count(more, 'person');
};

/** Free text cut to `max` characters, with an ellipsis when it was longer. */
/**
 * Words a person typed (a reason, a note), shown inside the bot's Markdown: as plain words, never as a
 * link or formatting someone else reads ("[Approve](https://…)" shows as "(Approve)(https://…)").
 */
/** A cancel reason as people read it: a listed one as it is, "Other: …" as their own words (domain/shared/validation.ts parseReason keeps it so). */
export const reasonWords = (reason: unknown): string => plainWords(typeof reason === 'string' ? reason.replace(/^Other: (?=\S)/, '') : reason);

export const plainWords = (v: unknown): string =>
  v === null || v === undefined
    ? ''
    : String(v)
        .replace(/\[/g, '(')
        .replace(/\]/g, ')')
        .replace(/[*_`~]/g, '');

export const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s);

export const POLICY_LABELS: Record<PolicyValue, string> = { Enabled: 'Enabled', Disabled: 'Disabled', OnlyTrialsWithoutPaymentMethod: 'Only trials without a card' };

/** A policy value as people read it ("Only trials without a card"), never the raw enum; an unknown value as given. */
export const policyLabel = (value: PolicyValue | string): string => POLICY_LABELS[value as PolicyValue] ?? value;

/** Raw policy enums inside a sentence ("Enabled → OnlyTrialsWithoutPaymentMethod") written as their labels. */
export const withPolicyLabels = (sentence: string): string => sentence.replace(/\bOnlyTrialsWithoutPaymentMethod\b/g, POLICY_LABELS.OnlyTrialsWithoutPaymentMethod);

/** "yearly" / "monthly" everywhere (never "annual"); `capital` for the start of a line. */
export const frequencyLabel = (f: BillingFrequency, capital = false): string => {
  const word = f === 'Annual' ? 'yearly' : 'monthly';
  return capital ? word[0].toUpperCase() + word.slice(1) : word;
};

/** "per year" / "per month". */
export const perPeriod = (f: BillingFrequency): string => (f === 'Annual' ? 'per year' : 'per month');

export const STATUS_WORDS: Record<string, string> = {
  PendingApproval: 'waiting for approval',
  Active: 'active',
  Trial: 'trial',
  Expired: 'expired',
  Cancelled: 'cancelled',
  Deleted: 'cancelled by an admin',
};

/**
 * A subscription's status in words. Next to a word that already says "Trial", a running trial is
 * "active" (no "Trial · trial").
 */
export const statusLabel = (status: SubscriptionStatus, opts: { saidTrial?: boolean } = {}): string =>
  status === 'Trial' && opts.saidTrial ? 'active' : (STATUS_WORDS[status] ?? status);

/** One of the caller's live subscriptions of a product, as a buy or trial form mentions it. */
export interface OwnedSubscription {
  quantity: number;
  assigned: number;
  /** Whether the domain lets them assign its licenses now. */
  canAssign: boolean;
}

/**
 * Buying or trying what they already have: how many licenses, and those they could assign instead
 * (only where the domain lets them assign now). Null when they have none. The chat's buy card and the
 * checkout page say it in these words.
 */
export const alreadyHaveNote = (productName: string, owned: readonly OwnedSubscription[], buying: boolean): string | null => {
  if (owned.length === 0) return null;
  const licenses = owned.reduce((n, o) => n + o.quantity, 0);
  const free = owned.reduce((n, o) => n + (o.canAssign ? Math.max(0, o.quantity - o.assigned) : 0), 0);
  const what = owned.length === 1 ? productName : `${owned.length} ${productName} subscriptions`;
  const rest =
    free > 0
      ? `, ${free} not assigned yet. You can assign ${free === 1 ? 'it' : 'those'} instead of ${buying ? 'buying more' : 'starting a trial'}.`
      : owned.every((o) => o.assigned >= o.quantity)
        ? ', all assigned.'
        : '.';
  return `You already have ${what}: ${count(licenses, 'license')}${rest}`;
};
