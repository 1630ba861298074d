import type { ActorContext, Deps } from '../../domain/ports';
import type { Product } from '../../domain/model';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { isLive } from '../../domain/purchasing/purchase-support';
import { listMyPurchases, type MyPurchaseWithActions as MyPurchase } from '../../domain/purchasing/list-my-purchases';
import { listPurchases, type PurchaseRow } from '../../domain/admin/list-purchases';
import { findPeople } from '../../domain/directory/find-people';
import { choiceCard, type ChoiceOption } from '../../cards/choice-cards';
import { count, day, frequencyLabel, plainWords, plural, price, statusLabel, termEnd } from '../../cards/format';
import type { Verb } from '../../cards/verbs';
import type { Ability } from '../../domain/shared/abilities';
import type { ParseContext, Reply } from './feature';
import { findProductWords, productsSharingWords, splitPeople, type ProductWords } from './words';
import { distance } from '../text';

/**
 * Resolving words to the one thing they mean — a product, one of the caller's subscriptions, a
 * purchaser's subscription, a person — or, when they could mean several, a choice card whose
 * buttons finish the job. Never a silent pick (DESIGN §5.4).
 */

/** A choice to make before the command can run: answered with a card, nothing changed yet. */
export class NeedsChoice extends Error {
  constructor(readonly reply: Reply) {
    super('needs a choice');
    this.name = 'NeedsChoice';
  }
}

const names = (products: readonly Product[]): string => {
  const n = products.map((p) => `**${p.name}**`);
  return n.length <= 1 ? (n[0] ?? '') : `${n.slice(0, -1).join(', ')} or ${n[n.length - 1]}`;
};

/** The products named, or a refusal that says what we do sell that is close. */
export const productWords = (pc: ParseContext, words: string): ProductWords & { products: Product[] } => {
  const found = findProductWords(pc.products, words);
  if (found.products.length) return found;
  // "power bee eye": no name, but words of some: they are offered, never picked (`missing` makes every caller ask).
  const sharing = productsSharingWords(pc.products, words.slice(0, 200));
  if (sharing.products.length) return { products: sharing.products, rest: sharing.rest, exact: false, missing: `"${sharing.phrase.slice(0, 60)}"` };
  const typed = words.trim().slice(0, 60);
  const close = pc.products
    .map((p) => ({ p, d: distance(typed.toLowerCase(), p.name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 2)
    .filter((x) => x.d <= Math.max(3, Math.floor(typed.length / 3)));
  throw new DomainError(
    ErrorCodes.PRODUCT_UNKNOWN,
    typed
      ? `We don't sell "${typed}" here.${close.length ? ` Did you mean ${names(close.map((x) => x.p))}?` : ''} Say **catalog** to see what's available.`
      : 'Which product? Say **catalog** to see what you can buy.',
  );
};

/** One product, or a choice card listing the candidates, each button running `choose(product)`. */
export const oneProduct = (found: { products: Product[]; missing?: string }, question: string, choose: (p: Product) => ChoiceOption['action']): Product => {
  // A name we don't sell ("Visio Plan 3") is never read as the one product it comes close to.
  if (found.products.length === 1 && !found.missing) return found.products[0];
  throw new NeedsChoice({
    card: choiceCard({
      heading: 'Which product?',
      question: found.missing ? `We don't sell ${found.missing}. ${found.products.length === 1 ? 'Did you mean this one?' : 'Did you mean one of these?'}` : question,
      // What tells them apart for a person: the price (and a trial), not the product id.
      options: found.products.map((p) => ({
        title: p.name,
        lines: [`${price(p.prices.Monthly)} per license a month${p.trial ? ` · ${p.trial.days}-day trial` : ''}`],
        action: choose(p),
      })),
    }),
  });
};

const subscriptionLines = (s: MyPurchase['subscription'], assigned: number): string[] => [
  `${count(s.quantity, 'license')}, ${assigned} assigned · ${frequencyLabel(s.billingFrequency)} · ${statusLabel(s.status)}`,
  `Bought ${day(s.startedAt)} · ${termEnd(s)}${s.recurring ? '' : ' (recurring billing off)'}`,
  ...(s.centralizedInto ? ['Centralized: an admin asked you to cancel this one'] : []),
];

export interface PickMine {
  /** What the command will do, for the question: "add 2 licenses", "cancel". */
  doing: string;
  /** Which of the candidates can take the action now; when exactly one can, it is used. */
  fits?: (m: MyPurchase) => boolean | Promise<boolean>;
  /** Said when several subscriptions exist and none of them can take the action. */
  noneFit?: (product: string) => string;
  /** The button of each option: the action itself, on that subscription. */
  action: (m: MyPurchase) => { title: string; verb: Verb; data: Record<string, string | number | boolean> };
}

/**
 * The caller's own live subscription that the product words mean. Product words that could name
 * several products are narrowed to what the caller owns; several subscriptions are narrowed to those
 * that can take the action; any that remain several are a choice card.
 */
export const mySubscription = async (deps: Deps, ctx: ActorContext, pc: ParseContext, words: string, pick: PickMine): Promise<MyPurchase> => {
  const found = productWords(pc, words);
  const ofProduct = (await listMyPurchases(deps, ctx)).filter((m) => found.products.some((p) => p.id === m.product.id));
  const mine = ofProduct.filter((m) => isLive(m.subscription));
  // Taken over by an admin (R9, R10): said so, not "buy it" (the organization provides it now).
  const takenOver = ofProduct.find((m) => m.subscription.status === 'Deleted');
  if (mine.length === 0 && takenOver) {
    const s = takenOver.subscription;
    throw new DomainError(
      ErrorCodes.SUBSCRIPTION_NOT_ACTIVE,
      `Your ${takenOver.product.name} subscription was taken over by an admin${s.cancelledAt ? ` on ${day(s.cancelledAt)}` : ''}${s.cancelReason ? ` (${plainWords(s.cancelReason)})` : ''}: your organization provides ${takenOver.product.name} now. Ask an admin for changes; **my purchases** shows it.`,
    );
  }
  if (mine.length === 0) {
    throw new DomainError(
      ErrorCodes.SUBSCRIPTION_NOT_FOUND,
      found.products.length === 1
        ? `You don't have a ${found.products[0].name} subscription. Say **buy ${found.products[0].name}** to buy one, or **my purchases** to see yours.`
        : `You don't have a ${names(found.products)} subscription. Say **my purchases** to see yours.`,
    );
  }
  // A name we don't sell ("Visio Plan 3") is asked about, never read as the one subscription it comes close to.
  const unsure = found.missing ? `We don't sell ${found.missing}. ` : '';
  if (mine.length === 1 && !unsure) return mine[0];
  const fitting: MyPurchase[] = [];
  // Their only subscription, under a name we don't sell: confirm it's the one (the button then gets the domain's answer).
  if (mine.length === 1) fitting.push(mine[0]);
  else for (const m of mine) if (!pick.fits || (await pick.fits(m))) fitting.push(m);
  if (fitting.length === 1 && !unsure) return fitting[0];
  // Named by the products the caller really has ("Visio Plan 1"), not every product the words could mean.
  const owned = [...new Map(mine.map((m) => [m.product.id, m.product])).values()];
  const productName = owned.length === 1 ? owned[0].name : names(owned);
  if (fitting.length === 0) {
    throw new DomainError(
      ErrorCodes.SUBSCRIPTION_NOT_ACTIVE,
      `${unsure}${pick.noneFit?.(productName) ?? `None of your ${productName} subscriptions can ${pick.doing} now. Say **my purchases** to see them.`}`,
    );
  }
  throw new NeedsChoice({
    card: choiceCard({
      heading: 'Which subscription?',
      question: unsure
        ? `${unsure}${fitting.length === 1 ? `Did you mean your ${fitting[0].product.name} subscription?` : `Which of yours did you mean to ${pick.doing}?`}`
        : `You have ${fitting.length} ${productName} subscriptions that could ${pick.doing}. Pick one:`,
      options: fitting.map((m) => ({
        title: `${m.product.name}${m.subscription.isTrial ? ' (trial)' : ''}`,
        lines: subscriptionLines(m.subscription, m.assigned),
        action: pick.action(m),
      })),
      moreHint: 'Say **my purchases** to see them all.',
    }),
  });
};

/**
 * The live self-service subscription of a product an admin means, by purchaser name or email when
 * given. Several → a choice card that tells them apart (purchaser, licenses, bought on, centralized).
 */
export const purchaserSubscription = async (
  deps: Deps,
  ctx: ActorContext,
  pc: ParseContext,
  words: { product: string; purchaser?: string },
  pick: {
    doing: string;
    /** Whether this admin can do it to that subscription now: the domain's answer (ok, or the reason). */
    can: (r: PurchaseRow) => Promise<Ability>;
    action: (r: PurchaseRow) => { title: string; verb: Verb; data: Record<string, string | number | boolean> };
  },
): Promise<PurchaseRow> => {
  const found = productWords(pc, words.product);
  let purchaserIds: string[] | undefined;
  if (words.purchaser) {
    const [match] = await findPeople(deps, ctx, { queries: [words.purchaser.trim()] });
    purchaserIds = match.people.map((p) => p.id);
    if (purchaserIds.length === 0) throw new DomainError(ErrorCodes.USER_NOT_FOUND, `Nobody in your organization matches "${words.purchaser.trim().slice(0, 60)}".`);
  }
  const rows: PurchaseRow[] = [];
  for (const product of found.products) {
    for (const purchaserId of purchaserIds ?? [undefined]) {
      const page = await listPurchases(deps, ctx, { origin: 'SelfService', productId: product.id, purchaserId, pageSize: 50 });
      rows.push(...page.items.filter((r) => isLive(r.subscription)));
    }
  }
  const what = `${found.products.length === 1 ? found.products[0].name : names(found.products)}`;
  if (rows.length === 0) {
    throw new DomainError(
      ErrorCodes.SUBSCRIPTION_NOT_FOUND,
      `There is no live self-service ${what} subscription${words.purchaser ? ` bought by ${words.purchaser.trim().slice(0, 60)}` : ''}. Say **purchases self-service** to see them all.`,
    );
  }
  const unsure = found.missing ? `We don't sell ${found.missing}. ` : '';
  if (rows.length === 1 && !unsure) return rows[0];
  // Only those this admin can act on (a Global reader: none, and the reason says why).
  const abilities = await Promise.all(rows.map((r) => pick.can(r)));
  const fitting = rows.filter((_, i) => abilities[i].ok);
  const firstNo = abilities.find((a) => !a.ok);
  if (fitting.length === 0 && firstNo && !firstNo.ok) throw new DomainError(firstNo.code, firstNo.reason);
  if (fitting.length === 1 && !unsure) return fitting[0];
  throw new NeedsChoice({
    card: choiceCard({
      heading: 'Which subscription?',
      question: `${unsure}${fitting.length} live self-service ${what} subscriptions${words.purchaser ? ` match "${words.purchaser.trim().slice(0, 60)}"` : ''}. Which one do you want to ${pick.doing}?`,
      options: fitting.map((r) => ({
        title: `${r.product.name} · ${r.purchaserName}`,
        lines: subscriptionLines(r.subscription, r.assigned),
        action: pick.action(r),
      })),
      moreHint: 'Name the purchaser ("from Megan Bowen") or open **purchases self-service**.',
    }),
  });
};

/** Why nobody was found, in words: an address to check, or a name to check (with the close ones, if any). */
const notFoundMessage = (queries: readonly string[], close: ReadonlyArray<{ displayName: string }>): string => {
  const quoted = queries.map((q) => `"${q.slice(0, 60)}"`).join(', ');
  if (queries.every((q) => q.includes('@'))) return `Nobody in your organization has the email ${quoted}. Check the address, or type their name.`;
  const guess = close.length ? ` Did you mean ${close.map((p) => p.displayName).join(' or ')}?` : '';
  return `Nobody in your organization matches ${quoted}.${guess} Check the spelling, or use their email.`;
};

/** At most this many "did you mean" names. */
const CLOSE_NAMES = 3;

/**
 * People whose name is a small misspelling of `typed` ("Adel Vanse" → Adele Vance): looked up by the
 * first letters of each word typed, kept when their name is within a few edits of it.
 */
const closeNames = async (deps: Deps, ctx: ActorContext, typed: string): Promise<Array<{ id: string; displayName: string; email: string | null }>> => {
  const words = typed
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length >= 3);
  if (words.length === 0) return [];
  const prefixes = [...new Set(words.map((w) => w.slice(0, 3)))].slice(0, 3);
  const found = (await findPeople(deps, ctx, { queries: prefixes })).flatMap((m) => m.people);
  const target = typed.toLowerCase().trim();
  const allowed = Math.max(1, Math.min(3, Math.floor(target.length / 4)));
  const seen = new Set<string>();
  return found
    .filter((p) => !seen.has(p.id) && seen.add(p.id))
    .map((p) => {
      const name = p.displayName.toLowerCase();
      // One word typed ("Adel"): compared with each of their names too.
      const d = Math.min(distance(target, name), ...(words.length === 1 ? name.split(/\s+/).map((n) => distance(target, n)) : []));
      return { p, d };
    })
    .filter((x) => x.d <= allowed)
    .sort((a, b) => a.d - b.d || a.p.displayName.localeCompare(b.p.displayName))
    .slice(0, CLOSE_NAMES)
    .map((x) => ({ id: x.p.id, displayName: x.p.displayName, email: x.p.email }));
};

/**
 * People typed as names or emails, plus anyone @mentioned. A name that matches several people is a
 * choice card: each button carries the people already found plus that candidate, and the rest of
 * what was typed, so the same action continues with one person fewer to resolve.
 */
export const resolvePeople = async (
  deps: Deps,
  ctx: ActorContext,
  /** `nobody`: what to say when neither a person was picked nor a name typed (a card says where to pick them). */
  input: { typed: string; known?: readonly string[]; nobody?: string },
  choose?: (userIds: string[], remainingTyped: string) => { title: string; verb: Verb; data: Record<string, string | number | boolean> },
): Promise<string[]> => {
  const known = [...new Set(input.known ?? [])];
  const queries = splitPeople(input.typed);
  if (queries.length === 0) {
    if (known.length) return known;
    throw new DomainError(ErrorCodes.LICENSE_NO_USERS, input.nobody ?? 'Name at least one person (a name, email or @mention).');
  }
  const matches = await findPeople(deps, ctx, { queries });
  const missing = matches.filter((m) => m.people.length === 0);
  if (missing.length) {
    const first = missing[0].query;
    const close = first.includes('@') ? [] : await closeNames(deps, ctx, first);
    if (close.length && choose) {
      const remaining = queries.filter((q) => q !== first).join(', ');
      throw new NeedsChoice({
        card: choiceCard({
          heading: 'Did you mean…?',
          question: `Nobody in your organization is called "${first.slice(0, 60)}". Did you mean:`,
          options: close.map((p) => ({ title: p.displayName, lines: [p.email ?? 'no email on file'], action: choose([...new Set([...known, p.id])], remaining) })),
          moreHint: 'Or type their email to be exact.',
        }),
      });
    }
    throw new DomainError(
      ErrorCodes.USER_NOT_FOUND,
      notFoundMessage(
        missing.map((m) => m.query),
        close,
      ),
    );
  }
  const ids = [...known];
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i];
    if (m.people.length === 1) {
      ids.push(m.people[0].id);
      continue;
    }
    const remaining = matches
      .slice(i + 1)
      .map((x) => x.query)
      .join(', ');
    if (!choose)
      throw new DomainError(
        ErrorCodes.INPUT_INVALID,
        `"${m.query}" could be ${m.people.map((p) => `${p.displayName}${p.email ? ` (${p.email})` : ''}`).join(' or ')}. Please use their email.`,
      );
    throw new NeedsChoice({
      card: choiceCard({
        heading: 'Which person?',
        question: `"${m.query.slice(0, 60)}" could be ${plural(m.people.length, 'person', 'people')} in your organization. Who did you mean?`,
        options: m.people.map((p) => ({ title: p.displayName, lines: [p.email ?? 'no email on file'], action: choose([...new Set([...ids, p.id])], remaining) })),
        moreHint: 'Type their email to be exact.',
      }),
    });
  }
  return [...new Set(ids)];
};
