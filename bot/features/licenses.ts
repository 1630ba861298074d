import { randomUUID } from 'node:crypto';
import type { ActorContext, Deps } from '../../domain/ports';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { addLicenses, removeLicenses } from '../../domain/purchasing/change-license-count';
import { assignLicenses, unassignLicenses, type AssignResult, type UnassignResult } from '../../domain/licenses/assign-licenses';
import { getPurchaseDetail } from '../../domain/admin/get-purchase-detail';
import type { MyPurchaseWithActions as MyPurchase } from '../../domain/purchasing/list-my-purchases';
import { listProducts } from '../../domain/catalog/list-products';
import { VERBS } from '../../cards/verbs';
import { agree, count, day, frequencyLabel, plural, price, someNames } from '../../cards/format';
import { listMyPurchases } from '../../domain/purchasing/list-my-purchases';
import type { AdaptiveCard } from '../../cards/ui';
import { cardReply, command, done, str, type Feature, type ParseContext, type Reply } from './feature';
import { mySubscription, productWords, resolvePeople } from './targets';
import { findProductWords, quantityOf } from './words';
import { subscriptionView } from './subscriptions';
import { findPeople } from '../../domain/directory/find-people';
import { listMyLicenses, type MyLicense } from '../../domain/licenses/my-licenses';
import { bullets } from '../text';
import type { ActionResponse, PeopleResponse } from '../../web/contracts/purchases';
import { MAX_SEARCH_LENGTH, licensesBody, ok, peopleBody, scopedKey } from '../web/purchaser-views';
import { route } from '../web/web-api';

/** A purchaser's licenses: add and remove licenses, assign and unassign people. */

const ids = (v: unknown): string[] =>
  str(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The number in the words, required: "add 2 licenses to …". */
const countIn = (rest: readonly string[], example: string): number => {
  const q = quantityOf(rest);
  if (q.kind === 'invalid') throw new DomainError(ErrorCodes.QUANTITY_TOO_LARGE, q.message);
  if (q.kind === 'none') throw new DomainError(ErrorCodes.QUANTITY_MISSING, `How many licenses? For example **${example}**.`);
  return q.value;
};

const productName = (pc: ParseContext, words: string): string => {
  const found = findProductWords(pc.products, words);
  return found.products.length === 1 ? found.products[0].name : words.trim();
};

const addedMessage = (r: { subscription: { quantity: number }; invoice: { amount: Parameters<typeof price>[0] } | null }) =>
  `Done: ${plural(r.subscription.quantity, 'license')} now${r.invoice ? `; ${price(r.invoice.amount)} charged` : ''}.`;

/**
 * Who holds a license on each subscription, read once per subscription for one command (only read
 * when several subscriptions could be meant).
 */
const holdersReader = (deps: Deps, ctx: ActorContext) => {
  const read = new Map<string, Promise<Map<string, string>>>();
  return (m: MyPurchase): Promise<Map<string, string>> => {
    let got = read.get(m.subscription.id);
    if (!got) {
      got = getPurchaseDetail(deps, ctx, { subscriptionId: m.subscription.id }).then((d) => new Map(d.assignedUsers.map((u) => [u.id, u.displayName])));
      read.set(m.subscription.id, got);
    }
    return got;
  };
};

interface PeopleArgs {
  product: string;
  people: string;
}

/** Names for the ids a result carries ("Adele Vance, Isaiah Langer"), and who will be told, in words. */
const namer = (names: Record<string, string>) => (ids: readonly string[]) => someNames(ids.map((id) => names[id] ?? 'someone'));
const toldLine = (named: (ids: readonly string[]) => string, told: readonly string[]): string => (told.length ? ` ${named(told)} will get a message from the bot in Teams.` : '');

/**
 * What an assignment did, the same from a command, the card and the web page, naming the people. Those
 * who got a license are told by a notification that goes when the bot can reach them (at once, or at
 * their first chat with it): "will". Someone is always assigned: the use case refuses when everyone
 * chosen already has a license.
 */
const assignedSummary = (r: AssignResult): string => {
  const named = namer(r.names);
  return [
    `Done: ${named(r.assigned)} ${agree(r.assigned.length, 'has', 'have')} a license now`,
    r.alreadyAssigned.length ? ` (${named(r.alreadyAssigned)} already ${agree(r.alreadyAssigned.length, 'has', 'have')} one)` : '',
    `; ${r.available} available.`,
    toldLine(named, r.told),
  ].join('');
};

/** The same for taking licenses back: who no longer has one, and who will be told. */
const unassignedSummary = (r: UnassignResult): string => {
  const named = namer(r.names);
  return `Done: ${named(r.unassigned)} no longer ${agree(r.unassigned.length, 'has', 'have')} a license; ${r.available} available.${toldLine(named, r.told)}`;
};

/**
 * Assign: the people first (a name that could be several people is a choice), then the subscription
 * that has room for them (several with room: a choice). Used by the command and by the choice cards'
 * buttons, which carry the people found so far and the product words.
 */
const assignByWords = async (deps: Deps, ctx: ActorContext, pc: ParseContext, args: { product: string; typed: string; known: string[] }): Promise<AdaptiveCard> => {
  const userIds = await resolvePeople(deps, ctx, { typed: args.typed, known: args.known }, (chosen, remaining) => ({
    title: 'This person',
    verb: VERBS.assign,
    data: { productWords: args.product, userIds: chosen.join(','), people: remaining },
  }));
  // A person licensed on any of the caller's subscriptions of this product already has it: not a second license.
  // (With one subscription the use case itself reports who already had one.)
  const holders = holdersReader(deps, ctx);
  const found = productWords(pc, args.product);
  const same = (await listMyPurchases(deps, ctx)).filter((m) => m.actions.cancel.ok && found.products.some((p) => p.id === m.product.id));
  const licensed = new Map<string, string>();
  if (same.length > 1) {
    for (const m of same) {
      for (const [id, name] of await holders(m)) {
        if (userIds.includes(id))
          licensed.set(
            id,
            `${name} already has ${m.product.name} (your ${count(m.subscription.quantity, 'license')} ${frequencyLabel(m.subscription.billingFrequency)} subscription)`,
          );
      }
    }
  }
  if (licensed.size > 0) {
    const rest = userIds.filter((u) => !licensed.has(u));
    if (rest.length === 0) throw new DomainError(ErrorCodes.LICENSE_ALREADY_ASSIGNED, `${[...licensed.values()].join('; ')}.`);
    userIds.splice(0, userIds.length, ...rest);
  }
  const mine = await mySubscription(deps, ctx, pc, args.product, {
    doing: `take ${plural(userIds.length, 'more person', 'more people')}`,
    fits: async (m) => {
      if (!m.actions.assign.ok) return false;
      const have = await holders(m);
      const needed = userIds.filter((u) => !have.has(u)).length;
      return needed > 0 && m.subscription.quantity - have.size >= needed;
    },
    noneFit: (p) =>
      `None of your ${p} subscriptions has ${plural(userIds.length, 'free license')} for them (or they already have one). Add licenses first, for example **add ${userIds.length} ${userIds.length === 1 ? 'license' : 'licenses'} to ${p}**.`,
    action: (m) => ({ title: 'Assign here', verb: VERBS.assign, data: { subscriptionId: m.subscription.id, userIds: userIds.join(',') } }),
  });
  const r = await assignLicenses(deps, ctx, { subscriptionId: mine.subscription.id, userIds });
  const skipped = [...licensed.values()];
  return subscriptionView(deps, ctx, mine.subscription.id, done(`${assignedSummary(r)}${skipped.length ? ` ${skipped.join('; ')}.` : ''}`));
};

const unassignByWords = async (deps: Deps, ctx: ActorContext, pc: ParseContext, args: { product: string; typed: string; known: string[] }): Promise<AdaptiveCard> => {
  const userIds = await resolvePeople(deps, ctx, { typed: args.typed, known: args.known }, (chosen, remaining) => ({
    title: 'This person',
    verb: VERBS.unassign,
    data: { productWords: args.product, userIds: chosen.join(','), people: remaining },
  }));
  const holders = holdersReader(deps, ctx);
  const mine = await mySubscription(deps, ctx, pc, args.product, {
    doing: 'take the license back',
    // Only the subscriptions these people hold a license on; when just one, that is the one.
    fits: async (m) => {
      if (!m.actions.unassign.ok) return false;
      const have = await holders(m);
      return userIds.some((u) => have.has(u));
    },
    noneFit: (p) => `${userIds.length === 1 ? "That person doesn't" : "Those people don't"} have a license on any of your ${p} subscriptions.`,
    action: (m) => ({ title: 'Unassign here', verb: VERBS.unassign, data: { subscriptionId: m.subscription.id, userIds: userIds.join(',') } }),
  });
  const r = await unassignLicenses(deps, ctx, { subscriptionId: mine.subscription.id, userIds });
  return subscriptionView(deps, ctx, mine.subscription.id, done(unassignedSummary(r)));
};

/** Words typed for people, without the @mentions (those are exact already). */
const typedPeople = (typed: string, mentions: ReadonlyArray<{ name: string }>): string => {
  let rest = typed;
  for (const m of mentions) if (m.name) rest = rest.replace(new RegExp(m.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'), ' ');
  return rest.replace(/\s+/g, ' ').trim();
};

const run = async (fn: () => Promise<AdaptiveCard>): Promise<Reply> => cardReply(fn());

/** Where one license comes from, in words: whose purchase (or the organization's), and who assigned it. */
const licenseLine = (l: MyLicense): string => {
  const source = l.boughtByYou ? 'your own purchase' : l.origin === 'Central' ? 'your organization' : `${l.purchaserName ?? 'a colleague'}'s purchase`;
  const by = l.assignedByName && l.assignedByName !== l.purchaserName ? `, assigned by ${l.assignedByName}` : '';
  return `**${l.product.name}** since ${day(l.assignedAt)}: from ${source}${by}`;
};

/** "my licenses": what the caller holds, for a licensed colleague as much as for a purchaser. */
const myLicensesText = async (deps: Deps, ctx: ActorContext): Promise<string> => {
  const held = await listMyLicenses(deps, ctx);
  if (held.length === 0) {
    return "You don't have a license from your organization's subscriptions yet. Ask the colleague who bought the product to assign you one, or buy it yourself: say **catalog**.";
  }
  return `**Your licenses**\n\n${bullets(held.map(licenseLine))}\n\nTo see the subscriptions you bought yourself, say **my purchases**.`;
};

export const licenses: Feature = {
  name: 'licenses',
  web: [
    route({
      method: 'get',
      path: '/people',
      run: async ({ deps, ctx, query }): Promise<PeopleResponse> => {
        const q = (query.q ?? '').trim();
        if (!q) return { people: [] };
        if (q.length > MAX_SEARCH_LENGTH) throw new DomainError(ErrorCodes.INPUT_INVALID, 'That name is too long.');
        const [match] = await findPeople(deps, ctx, { queries: [q] });
        return { people: (match?.people ?? []).map((p) => ({ id: p.id, displayName: p.displayName, email: p.email })) };
      },
    }),
    route({
      method: 'post',
      path: '/my/subscriptions/:id/licenses',
      body: licensesBody,
      run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
        const input = { subscriptionId: params.id, quantity: body.count, idempotencyKey: scopedKey(ctx, body.idempotencyKey) };
        if (body.action === 'add') {
          const { subscription, invoice } = await addLicenses(deps, ctx, input);
          return ok(`Done: ${plural(subscription.quantity, 'license')} now${invoice ? `; ${price(invoice.amount)} charged to the card on file` : ''}.`);
        }
        const s = await removeLicenses(deps, ctx, input);
        return ok(`Done: ${plural(s.quantity, 'license')} from the next bill. No refund for the current term.`);
      },
    }),
    route({
      method: 'post',
      path: '/my/subscriptions/:id/assign',
      body: peopleBody,
      run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
        const r = await assignLicenses(deps, ctx, { subscriptionId: params.id, userIds: body.userIds });
        return ok(assignedSummary(r));
      },
    }),
    route({
      method: 'post',
      path: '/my/subscriptions/:id/unassign',
      body: peopleBody,
      run: async ({ deps, ctx, params, body }): Promise<ActionResponse> => {
        const r = await unassignLicenses(deps, ctx, { subscriptionId: params.id, userIds: body.userIds });
        return ok(unassignedSummary(r));
      },
    }),
  ],
  commands: [
    command<{ words: string }>({
      name: 'add licenses',
      usage: 'add <n> licenses to <product>',
      example: 'add 2 licenses to Power BI Pro',
      scope: 'personal',
      personalData: true,
      keywords: ['add'],
      parse: (text) => {
        const m = /^add\s+(.+)$/i.exec(text);
        return m ? { words: m[1] } : null;
      },
      canonical: (a, pc) => {
        const found = findProductWords(pc.products, a.words);
        const q = quantityOf(found.rest);
        const n = q.kind === 'one' ? q.value : 1;
        return found.products.map((p) => `add ${plural(n, 'license')} to ${p.name}`);
      },
      run: async (a, { deps, ctx, pc }) => {
        const found = productWords(pc, a.words);
        const n = countIn(found.rest, `add 2 licenses to ${found.products[0].name}`);
        const mine = await mySubscription(deps, ctx, pc, a.words, {
          doing: `get ${plural(n, 'more license')}`,
          fits: (m) => m.actions.addLicenses.ok,
          noneFit: (p) => `Your ${p} subscriptions are trials, which have a fixed number of licenses. Buy the product to get more: **buy ${p} ${n}**.`,
          action: (m) => ({ title: `Add ${n} here`, verb: VERBS.addLicenses, data: { subscriptionId: m.subscription.id, addQuantity: n, formId: randomUUID() } }),
        });
        const r = await addLicenses(deps, ctx, { subscriptionId: mine.subscription.id, quantity: n });
        return cardReply(subscriptionView(deps, ctx, r.subscription.id, done(addedMessage(r))));
      },
    }),
    command<PeopleArgs>({
      name: 'unassign',
      usage: 'unassign <product> from <people>',
      example: 'unassign Power BI Pro from Lynne Robbins',
      scope: 'personal',
      personalData: true,
      keywords: ['unassign'],
      parse: (text) => {
        const m = /^(?:unassign|take\s+back|revoke\s+(?:the\s+)?licen[sc]es?\s+(?:of|for))\s+(?:an?\s+|the\s+)?(.+?)\s+from\s+(.+)$/i.exec(text);
        if (m) return { product: m[1], people: m[2] };
        // "remove Adele from Power BI Pro": people, not a number of licenses.
        const r = /^remove\s+(.+?)\s+from\s+(.+)$/i.exec(text);
        if (r && quantityOf(r[1].toLowerCase().split(/\s+/)).kind === 'none' && !/licen[sc]e/i.test(r[1])) return { product: r[2], people: r[1] };
        return null;
      },
      canonical: (a, pc) => [`unassign ${productName(pc, a.product)} from ${a.people}`],
      run: (a, { deps, ctx, pc, mentions }) =>
        run(() => unassignByWords(deps, ctx, pc, { product: a.product, typed: typedPeople(a.people, mentions), known: mentions.map((m) => m.userId) })),
    }),
    command<{ words: string }>({
      name: 'remove licenses',
      usage: 'remove <n> licenses from <product>',
      example: 'remove 1 license from Power BI Pro',
      scope: 'personal',
      personalData: true,
      keywords: ['remove'],
      parse: (text) => {
        const m = /^remove\s+(.+)$/i.exec(text);
        return m ? { words: m[1] } : null;
      },
      canonical: (a, pc) => {
        const found = findProductWords(pc.products, a.words);
        const q = quantityOf(found.rest);
        const n = q.kind === 'one' ? q.value : 1;
        return found.products.map((p) => `remove ${plural(n, 'license')} from ${p.name}`);
      },
      run: async (a, { deps, ctx, pc }) => {
        const found = productWords(pc, a.words);
        const n = countIn(found.rest, `remove 1 license from ${found.products[0].name}`);
        const mine = await mySubscription(deps, ctx, pc, a.words, {
          doing: `give up ${plural(n, 'license')}`,
          fits: (m) => m.actions.removeLicenses.ok && m.subscription.quantity - n >= Math.max(1, m.assigned),
          noneFit: (p) => `None of your ${p} subscriptions can go down by ${n}: licenses that are assigned stay, and a subscription keeps at least one (cancel it instead).`,
          action: (m) => ({ title: `Remove ${n} here`, verb: VERBS.removeLicenses, data: { subscriptionId: m.subscription.id, removeQuantity: n, formId: randomUUID() } }),
        });
        const s = await removeLicenses(deps, ctx, { subscriptionId: mine.subscription.id, quantity: n });
        return cardReply(subscriptionView(deps, ctx, s.id, done(`Done: ${plural(s.quantity, 'license')} from the next bill.`)));
      },
    }),
    command<object>({
      name: 'my licenses',
      usage: 'my licenses',
      example: 'my licenses',
      scope: 'personal',
      personalData: true,
      keywords: ['my licenses'],
      parse: (text) => (/^(?:(?:show|list)\s+)?(?:my\s+licen[sc]es|(?:which|what)\s+licen[sc]es\s+(?:do\s+)?i\s+(?:have|hold|got))\??$/i.test(text) ? {} : null),
      run: (_a, { deps, ctx }) => myLicensesText(deps, ctx),
    }),
    command<PeopleArgs>({
      name: 'assign',
      usage: 'assign <product> to <people>',
      example: 'assign Power BI Pro to Adele Vance, isaiahl@example.com',
      scope: 'personal',
      personalData: true,
      keywords: ['assign', 'give'],
      parse: (text) => {
        const m = /^(?:assign|give)\s+(?:an?\s+|the\s+)?(.+?)\s+to\s+(.+)$/i.exec(text);
        return m ? { product: m[1], people: m[2] } : null;
      },
      canonical: (a, pc) => [`assign ${productName(pc, a.product)} to ${a.people}`],
      run: (a, { deps, ctx, pc, mentions }) =>
        run(() => assignByWords(deps, ctx, pc, { product: a.product, typed: typedPeople(a.people, mentions), known: mentions.map((m) => m.userId) })),
    }),
  ],
  verbs: {
    [VERBS.addLicenses]: {
      run: async ({ deps, ctx, data }) => {
        const r = await addLicenses(deps, ctx, { subscriptionId: data.subscriptionId, quantity: data.addQuantity, idempotencyKey: data.formId });
        return subscriptionView(deps, ctx, r.subscription.id, done(addedMessage(r)));
      },
    },
    [VERBS.removeLicenses]: {
      run: async ({ deps, ctx, data }) => {
        const s = await removeLicenses(deps, ctx, { subscriptionId: data.subscriptionId, quantity: data.removeQuantity, idempotencyKey: data.formId });
        return subscriptionView(deps, ctx, s.id, done(`Done: ${plural(s.quantity, 'license')} from the next bill.`));
      },
    },
    [VERBS.assign]: {
      run: async ({ deps, ctx, data }) => {
        if (data.subscriptionId === undefined) {
          // From a "which person?" card reached from words: continue with the same product words.
          const pc = { products: await listProducts(deps) };
          return assignByWords(deps, ctx, pc, { product: str(data.productWords).slice(0, 200), typed: str(data.people), known: ids(data.userIds) });
        }
        const subscriptionId = data.subscriptionId;
        // Picked (the card's people picker), chosen on a "which person?" card, or typed.
        const known = [...ids(data.userIds), ...ids(data.assignUserIds)];
        const nobody = 'Pick at least one person under People (start typing a name), or type names or emails in the box below it.';
        const userIds = await resolvePeople(deps, ctx, { typed: str(data.people), known, nobody }, (chosen, remaining) => ({
          title: 'This person',
          verb: VERBS.assign,
          data: { subscriptionId: str(subscriptionId), userIds: chosen.join(','), people: remaining },
        }));
        const r = await assignLicenses(deps, ctx, { subscriptionId, userIds });
        return subscriptionView(deps, ctx, subscriptionId, done(assignedSummary(r)));
      },
    },
    [VERBS.unassign]: {
      run: async ({ deps, ctx, data }) => {
        if (data.subscriptionId === undefined) {
          const pc = { products: await listProducts(deps) };
          return unassignByWords(deps, ctx, pc, { product: str(data.productWords).slice(0, 200), typed: str(data.people), known: ids(data.userIds) });
        }
        const subscriptionId = data.subscriptionId;
        // The card's choice set (ids), or past its size the typed names (unassignPeople), or a "which person?" card's remainder (people).
        const userIds = await resolvePeople(deps, ctx, { typed: str(data.unassignPeople) || str(data.people), known: ids(data.userIds) }, (chosen, remaining) => ({
          title: 'This person',
          verb: VERBS.unassign,
          data: { subscriptionId: str(subscriptionId), userIds: chosen.join(','), people: remaining },
        }));
        const r = await unassignLicenses(deps, ctx, { subscriptionId, userIds });
        return subscriptionView(deps, ctx, subscriptionId, done(unassignedSummary(r)));
      },
    },
  },
};
