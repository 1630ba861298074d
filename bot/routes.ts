import type { ActorContext, Deps } from '../domain/ports';
import type { Product } from '../domain/model';
import { DomainError, ErrorCodes } from '../domain/shared/errors';
import { matchProducts } from '../domain/catalog/find-product';
import { listMyPurchases, type MyPurchase } from '../domain/purchasing/list-my-purchases';
import { addLicenses, removeLicenses } from '../domain/purchasing/change-license-count';
import { assignLicenses, unassignLicenses } from '../domain/licenses/assign-licenses';
import { setRecurringBilling } from '../domain/purchasing/set-recurring-billing';
import { listBills } from '../domain/billing/list-bills';
import { listPurchases, type PurchaseRow } from '../domain/admin/list-purchases';
import { licensesOverview } from '../domain/admin/licenses-view';
import { exportableSubscriptionIds } from '../domain/admin/export-licensed-users';
import { setAllPolicies, setPolicy } from '../domain/policy/set-policy';
import { setRequireApproval } from '../domain/approvals/manage-approvals';
import { grantRole, revokeRole } from '../domain/roles/manage-roles';
import { ROLES, type PolicyValue, type Role } from '../domain/model';
import { exportCard, roleWord } from '../cards/admin-cards';
import { openPageCard } from '../cards/purchaser-cards';
import { whoAmI } from '../domain/directory/who-am-i';
import type { AdaptiveCard } from '../cards/ui';
import { price } from '../cards/format';
import { done, resolvePeople, type PageLink } from './card-actions';
import { views } from './views';
import { bullets, distance } from './text';

export type Reply = string | { card: AdaptiveCard; text?: string };

export interface RouteServices {
  /** A short-lived signed link to download a CSV export (checked again on download). */
  exportLink(ctx: ActorContext, productId: string | null): { url: string; minutes: number };
  /** A short-lived signed link that opens a page (a tab) outside Teams as the caller. */
  pageLink: PageLink;
}

export interface RouteInput {
  deps: Deps;
  ctx: ActorContext;
  /** The command text without the bot's @mention, trimmed. */
  text: string;
  match: RegExpMatchArray;
  /** Entra ids of the people @mentioned in the message (not the bot). */
  mentionedUserIds: string[];
  services: RouteServices;
}

export interface Route {
  name: string;
  /** How the command is written, for help and "did you mean". */
  usage: string;
  example: string;
  scope: 'personal' | 'admin';
  pattern: RegExp;
  run(input: RouteInput): Promise<Reply>;
}

const card = async (c: Promise<AdaptiveCard>, text?: string): Promise<Reply> => ({ card: await c, ...(text ? { text } : {}) });
const LICENSES = 'licen[sc]es?';

/** The product named by the words typed; refuses with the candidates when they are ambiguous. */
export const productFromWords = async (deps: Deps, words: string): Promise<Product> => {
  const products = await deps.uow.read((r) => r.products.list());
  const found = matchProducts(products, words);
  if (found.length === 1) return found[0];
  if (found.length > 1) throw new DomainError(ErrorCodes.INPUT_INVALID, `Which one: ${found.slice(0, 6).map((p) => `**${p.name}**`).join(', ')}?`);
  const close = products
    .map((p) => ({ p, d: distance(words.toLowerCase(), p.name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 2)
    .filter((x) => x.d <= Math.max(3, Math.floor(words.length / 3)));
  throw new DomainError(ErrorCodes.PRODUCT_UNKNOWN, `We don't sell "${words.slice(0, 60)}" here.${close.length ? ` Did you mean ${close.map((x) => `**${x.p.name}**`).join(' or ')}?` : ''} Say **catalog** to see what's available.`);
};

/** The caller's own live subscription of the product named. */
const mySubscription = async (deps: Deps, ctx: ActorContext, words: string): Promise<MyPurchase> => {
  const product = await productFromWords(deps, words);
  const live = (await listMyPurchases(deps, ctx)).filter((m) => m.product.id === product.id && (m.subscription.status === 'Active' || m.subscription.status === 'Trial'));
  if (live.length === 0) throw new DomainError(ErrorCodes.SUBSCRIPTION_NOT_FOUND, `You don't have a ${product.name} subscription. Say **my purchases** to see yours.`);
  return live[0];
};

/** The live self-service subscription of a product an admin means: by purchaser name when there are several. */
const selfServiceSubscription = async (deps: Deps, ctx: ActorContext, productWords: string, purchaserWords: string | undefined): Promise<PurchaseRow | string> => {
  const product = await productFromWords(deps, productWords);
  const purchaserId = purchaserWords ? (await resolvePeople(deps, ctx, purchaserWords))[0] : undefined;
  const rows = (await listPurchases(deps, ctx, { origin: 'SelfService', productId: product.id, purchaserId, pageSize: 100 })).items.filter(
    (r) => r.subscription.status === 'Active' || r.subscription.status === 'Trial',
  );
  if (rows.length === 1) return rows[0];
  if (rows.length === 0) return `There is no live self-service ${product.name} subscription${purchaserWords ? ` bought by ${purchaserWords}` : ''}.`;
  return `${product.name} has ${rows.length} self-service subscriptions. Which purchaser?\n\n${bullets(rows.slice(0, 10).map((r) => `${r.purchaserName}: ${r.subscription.quantity} licenses`))}\n\nFor example: **take over ${product.name} from ${rows[0].purchaserName}**.`;
};

const POLICY_WORDS: Array<[RegExp, PolicyValue]> = [
  [/^(enabled?|on|allow(ed)?)$/i, 'Enabled'],
  [/^(disabled?|off|block(ed)?)$/i, 'Disabled'],
  [/^((only )?trials?( only)?( without (a )?(card|payment method))?)$/i, 'OnlyTrialsWithoutPaymentMethod'],
];
const policyValue = (word: string): PolicyValue => {
  const hit = POLICY_WORDS.find(([re]) => re.test(word.trim()));
  if (!hit) throw new DomainError(ErrorCodes.POLICY_VALUE_INVALID, 'The setting is **enabled**, **disabled** or **trials only**.');
  return hit[1];
};

const roleFromWords = (words: string): Role => {
  const w = words.toLowerCase().replace(/[^a-z]/g, '');
  const hit = ROLES.find((r) => r.toLowerCase() === w || roleWord(r).toLowerCase().replace(/[^a-z]/g, '') === w || `${r.toLowerCase()}role` === w);
  if (!hit) throw new DomainError(ErrorCodes.ROLE_UNKNOWN, `The roles are ${ROLES.map((r) => `**${roleWord(r)}**`).join(', ')}.`);
  return hit;
};

/** People typed as names or emails, plus anyone @mentioned. */
const peopleOf = async (input: RouteInput, typed: string): Promise<string[]> => {
  const rest = typed.replace(/@\S+(\s+\S+)?/g, (m) => (input.mentionedUserIds.length ? '' : m)).trim();
  const named = rest && rest.replace(/[,;\s]|and/gi, '') ? await resolvePeople(input.deps, input.ctx, rest) : [];
  const all = [...new Set([...input.mentionedUserIds, ...named])];
  if (all.length === 0) throw new DomainError(ErrorCodes.LICENSE_NO_USERS, 'Name at least one person (a name, email or @mention).');
  return all;
};

/**
 * Every text command, in one ordered table (first match wins); the catch-all is not a route but the
 * absence of a match, answered with the closest commands.
 */
export const ROUTES: readonly Route[] = [
  { name: 'help', usage: 'help', example: 'help', scope: 'personal', pattern: /^(help|\?|hi|hello|start)$/i, run: async () => helpText() },
  {
    name: 'catalog', usage: 'catalog', example: 'catalog', scope: 'personal',
    pattern: /^(catalog|products|shop|store|buy)$/i,
    run: ({ deps, ctx }) => card(views.catalog(deps, ctx)),
  },
  {
    name: 'buy', usage: 'buy <product> [licenses] [monthly]', example: 'buy Power BI Pro 5', scope: 'personal',
    pattern: /^(?:buy|purchase|order)\s+(.+)$/i,
    run: async ({ deps, ctx, match }) => {
      let words = match[1];
      const count = words.match(/\b(\d{1,6})\b(?:\s*(?:licen[sc]es?|seats?|x))?/i);
      if (count) words = words.replace(count[0], ' ');
      words = words.replace(/\b(monthly|yearly|annual(ly)?|licen[sc]es?|of)\b/gi, ' ').replace(/\s+/g, ' ').trim();
      const product = await productFromWords(deps, words);
      return card(views.buyForm(deps, ctx, product.id, 'buy', { quantity: count ? Number(count[1]) : 1 }));
    },
  },
  {
    name: 'trial', usage: 'trial <product>', example: 'trial Visio Plan 2', scope: 'personal',
    pattern: /^(?:trial|try|start (?:a )?trial(?: of)?)\s+(.+)$/i,
    run: async ({ deps, ctx, match }) => card(views.buyForm(deps, ctx, (await productFromWords(deps, match[1])).id, 'trial')),
  },
  {
    name: 'open', usage: 'open my purchases|admin', example: 'open my purchases', scope: 'personal',
    pattern: /^open(?:\s+the)?\s+(my purchases|purchases|admin(?:\s+center)?)(?:\s+(?:tab|page))?$/i,
    run: async ({ deps, ctx, match, services }) => {
      if (/^admin/i.test(match[1])) {
        if (!(await whoAmI(deps, ctx)).isAdmin) return 'The Admin page is for Global admins, Billing admins and Global readers. Say **open my purchases** for yours.';
        const link = services.pageLink(ctx, 'admin');
        return card(Promise.resolve(openPageCard({ title: 'Admin', what: 'Every self-service purchase, licenses, policies, approvals, the audit log and spend, on one page.', ...link })));
      }
      const link = services.pageLink(ctx, 'purchases');
      return card(Promise.resolve(openPageCard({ title: 'My purchases', what: 'Your subscriptions, licenses, bills and payment method, on one page.', ...link })));
    },
  },
  {
    name: 'my purchases', usage: 'my purchases', example: 'my purchases', scope: 'personal',
    pattern: /^my\s+(purchases|subscriptions|licen[sc]es)$/i,
    run: ({ deps, ctx }) => card(views.mine(deps, ctx)),
  },
  {
    name: 'add licenses', usage: 'add <n> licenses to <product>', example: 'add 2 licenses to Power BI Pro', scope: 'personal',
    pattern: new RegExp(`^add\\s+(\\d{1,6})\\s+(?:more\\s+)?${LICENSES}\\s+(?:to|for|on)\\s+(.+)$`, 'i'),
    run: async ({ deps, ctx, match }) => {
      const mine = await mySubscription(deps, ctx, match[2]);
      const r = await addLicenses(deps, ctx, { subscriptionId: mine.subscription.id, quantity: Number(match[1]) });
      return card(views.subscription(deps, ctx, r.subscription.id, done(`Done: ${r.subscription.quantity} licenses now${r.invoice ? `; ${price(r.invoice.amount)} charged` : ''}.`)));
    },
  },
  {
    name: 'remove licenses', usage: 'remove <n> licenses from <product>', example: 'remove 1 license from Power BI Pro', scope: 'personal',
    pattern: new RegExp(`^remove\\s+(\\d{1,6})\\s+${LICENSES}\\s+(?:from|on)\\s+(.+)$`, 'i'),
    run: async ({ deps, ctx, match }) => {
      const mine = await mySubscription(deps, ctx, match[2]);
      const s = await removeLicenses(deps, ctx, { subscriptionId: mine.subscription.id, quantity: Number(match[1]) });
      return card(views.subscription(deps, ctx, s.id, done(`Done: ${s.quantity} licenses from the next bill.`)));
    },
  },
  {
    name: 'assign', usage: 'assign <product> to <people>', example: 'assign Power BI Pro to Adele Vance, isaiahl@contoso.com', scope: 'personal',
    pattern: new RegExp(`^assign\\s+(?:an?\\s+)?(.+?)(?:\\s+${LICENSES})?\\s+to\\s+(.+)$`, 'i'),
    run: async (input) => {
      const mine = await mySubscription(input.deps, input.ctx, input.match[1]);
      const r = await assignLicenses(input.deps, input.ctx, { subscriptionId: mine.subscription.id, userIds: await peopleOf(input, input.match[2]) });
      return card(views.subscription(input.deps, input.ctx, mine.subscription.id, done(`Done: ${r.assigned.length} assigned${r.alreadyAssigned.length ? `, ${r.alreadyAssigned.length} already had one` : ''}; ${r.available} available.`)));
    },
  },
  {
    name: 'unassign', usage: 'unassign <product> from <people>', example: 'unassign Power BI Pro from Lynne Robbins', scope: 'personal',
    pattern: new RegExp(`^(?:unassign|take back)\\s+(?:an?\\s+)?(.+?)(?:\\s+${LICENSES})?\\s+from\\s+(.+)$`, 'i'),
    run: async (input) => {
      const mine = await mySubscription(input.deps, input.ctx, input.match[1]);
      const r = await unassignLicenses(input.deps, input.ctx, { subscriptionId: mine.subscription.id, userIds: await peopleOf(input, input.match[2]) });
      return card(views.subscription(input.deps, input.ctx, mine.subscription.id, done(`Done: ${r.unassigned.length} unassigned; ${r.available} available.`)));
    },
  },
  {
    name: 'cancel', usage: 'cancel <product>', example: 'cancel Power BI Pro', scope: 'personal',
    pattern: /^cancel\s+(?:my\s+)?(.+?)(?:\s+subscription)?$/i,
    run: async ({ deps, ctx, match }) => card(views.cancelConfirm(deps, ctx, (await mySubscription(deps, ctx, match[1])).subscription.id)),
  },
  {
    name: 'bills', usage: 'bills', example: 'bills', scope: 'personal',
    pattern: /^(my\s+)?(bills|invoices)$/i,
    run: ({ deps, ctx }) => card(views.bills(deps, ctx)),
  },
  {
    name: 'pay', usage: 'pay', example: 'pay', scope: 'personal',
    pattern: /^pay(\s+(my\s+)?(bills?|invoices?))?$/i,
    run: async ({ deps, ctx }) => {
      const unpaid = (await listBills(deps, ctx)).filter((b) => b.status === 'Unpaid');
      if (unpaid.length === 0) return 'You have nothing to pay.';
      return card(unpaid.length === 1 ? views.payForm(deps, ctx, unpaid[0].id) : views.bills(deps, ctx));
    },
  },
  {
    name: 'payment method', usage: 'payment method <product>', example: 'payment method Power BI Pro', scope: 'personal',
    pattern: /^(?:update\s+|change\s+)?(?:payment method|card)(?:\s+(?:for|of|on))?\s+(.+)$/i,
    run: async ({ deps, ctx, match }) =>
      card(views.subscription(deps, ctx, (await mySubscription(deps, ctx, match[1])).subscription.id, done('Open **More → Update payment method** below to enter the new card.'))),
  },
  {
    name: 'recurring', usage: 'recurring on|off <product>', example: 'recurring off Power BI Pro', scope: 'personal',
    pattern: /^(?:turn\s+)?(?:recurring|auto-?renew(?:al)?)(?:\s+billing)?\s+(on|off)\s+(?:for\s+)?(.+)$/i,
    run: async ({ deps, ctx, match }) => {
      const mine = await mySubscription(deps, ctx, match[2]);
      const s = await setRecurringBilling(deps, ctx, { subscriptionId: mine.subscription.id, enabled: match[1].toLowerCase() === 'on' });
      return card(views.subscription(deps, ctx, s.id, done(s.recurring ? 'Recurring billing is on.' : `Recurring billing is off: it ends on ${s.expiresAt.toISOString().slice(0, 10)}.`)));
    },
  },
  {
    name: 'purchases', usage: 'purchases [self-service|central]', example: 'purchases self-service', scope: 'admin',
    pattern: /^(?:all\s+)?(?:purchases|subscriptions)(?:\s+(self-?service|central))?$/i,
    run: ({ deps, ctx, match }) => card(views.purchases(deps, ctx, 1, match[1] ? (/^central$/i.test(match[1]) ? 'Central' : 'SelfService') : '')),
  },
  {
    name: 'licenses', usage: 'licenses [product]', example: 'licenses Power BI Pro', scope: 'admin',
    pattern: /^licen[sc]es(?:\s+(?:for|of))?(?:\s+(.+))?$/i,
    run: async ({ deps, ctx, match }) => {
      if (match[1]) return card(views.productLicenses(deps, ctx, (await productFromWords(deps, match[1])).id));
      const rows = await licensesOverview(deps, ctx);
      if (rows.length === 0) return 'No licenses yet.';
      return `**Licenses by product**\n\n${bullets(rows.map((r) => `${r.product.name}: ${r.totalQuantity} in ${r.subscriptions} subscription${r.subscriptions === 1 ? '' : 's'}, ${r.assigned} assigned, ${r.available} available`))}\n\nSay **licenses <product>** to see who holds them.`;
    },
  },
  {
    name: 'export', usage: 'export [product]', example: 'export Power BI Pro', scope: 'admin',
    pattern: /^export(?:\s+licen[sc]ed users)?(?:\s+(?:for|of))?(?:\s+(.+))?$/i,
    run: async ({ deps, ctx, match, services }) => {
      const product = match[1] ? await productFromWords(deps, match[1]) : null;
      const ids = await exportableSubscriptionIds(deps, ctx, { productId: product?.id });
      if (ids.length === 0) return `There are no live ${product ? `${product.name} ` : ''}subscriptions to export.`;
      const link = services.exportLink(ctx, product?.id ?? null);
      return card(Promise.resolve(exportCard({ url: link.url, minutes: link.minutes, what: `Everyone licensed on ${ids.length} live ${product ? `${product.name} ` : ''}subscription${ids.length === 1 ? '' : 's'}, as CSV.` })));
    },
  },
  {
    name: 'set policy', usage: 'set policy <product|all> enabled|disabled|trials only', example: 'set policy Power BI Pro disabled', scope: 'admin',
    pattern: /^(?:set\s+)?polic(?:y|ies)\s+(?:for\s+)?(.+?)\s+(?:to\s+)?(enabled?|disabled?|on|off|(?:only\s+)?trials?(?:\s+only)?(?:\s+without\s+(?:a\s+)?(?:card|payment method))?)$/i,
    run: async ({ deps, ctx, match }) => {
      const value = policyValue(match[2]);
      if (/^(all|all products|every product|everything)$/i.test(match[1].trim())) {
        const changes = await setAllPolicies(deps, ctx, { value });
        return card(views.policies(deps, ctx, done(`Every product is now ${value} (${changes.filter((c) => c.from !== c.to).length} changed).`)));
      }
      const c = await setPolicy(deps, ctx, { productId: (await productFromWords(deps, match[1])).id, value });
      return card(views.policies(deps, ctx, done(c.from === c.to ? `${c.productName} was already ${c.to}.` : `${c.productName}: ${c.from} → ${c.to}.`)));
    },
  },
  {
    name: 'disable', usage: 'disable|enable <product|all>', example: 'disable Visio Plan 2', scope: 'admin',
    pattern: /^(disable|enable|allow|block)\s+(?:self-?service\s+(?:purchases?\s+)?(?:of|for)\s+)?(.+)$/i,
    run: (input) => ROUTES.find((r) => r.name === 'set policy')!.run({ ...input, match: ['', input.match[2], /^(disable|block)$/i.test(input.match[1]) ? 'disabled' : 'enabled'] as unknown as RegExpMatchArray }),
  },
  {
    name: 'policies', usage: 'policies', example: 'policies', scope: 'admin',
    pattern: /^polic(y|ies)$/i,
    run: ({ deps, ctx }) => card(views.policies(deps, ctx)),
  },
  {
    name: 'take over', usage: 'take over <product> [from <purchaser>]', example: 'take over Power BI Pro from Megan Bowen', scope: 'admin',
    pattern: /^take\s*over\s+(.+?)(?:\s+(?:from|of)\s+(.+))?$/i,
    run: async ({ deps, ctx, match }) => {
      const found = await selfServiceSubscription(deps, ctx, match[1], match[2]);
      return typeof found === 'string' ? found : card(views.takeOverConfirm(deps, ctx, found.subscription.id));
    },
  },
  {
    name: 'centralize', usage: 'centralize <product> [from <purchaser>]', example: 'centralize Power BI Pro from Megan Bowen', scope: 'admin',
    pattern: /^centrali[sz]e\s+(.+?)(?:\s+(?:from|of)\s+(.+))?$/i,
    run: async ({ deps, ctx, match }) => {
      const found = await selfServiceSubscription(deps, ctx, match[1], match[2]);
      return typeof found === 'string' ? found.replace('take over', 'centralize') : card(views.centralizeConfirm(deps, ctx, found.subscription.id));
    },
  },
  {
    name: 'approvals', usage: 'approvals', example: 'approvals', scope: 'admin',
    pattern: /^(approvals|requests|pending)$/i,
    run: ({ deps, ctx }) => card(views.approvals(deps, ctx)),
  },
  {
    name: 'require approval', usage: 'require approval on|off', example: 'require approval on', scope: 'admin',
    pattern: /^require\s+(?:admin\s+)?approvals?\s+(on|off)$/i,
    run: async ({ deps, ctx, match }) => {
      const t = await setRequireApproval(deps, ctx, { enabled: match[1].toLowerCase() === 'on' });
      return t.requireApproval ? 'Done: purchases by non-admins now wait for an admin’s approval in the admin channel.' : 'Done: people can buy without waiting for approval (within your policies).';
    },
  },
  {
    name: 'audit', usage: 'audit', example: 'audit', scope: 'admin',
    pattern: /^(audit|audit log|history)$/i,
    run: ({ deps, ctx }) => card(views.audit(deps, ctx)),
  },
  {
    name: 'roles', usage: 'roles', example: 'roles', scope: 'admin',
    pattern: /^(roles|admins)$/i,
    run: ({ deps, ctx }) => card(views.roles(deps, ctx)),
  },
  {
    name: 'grant', usage: 'grant <role> to <person>', example: 'grant billing admin to Adele Vance', scope: 'admin',
    pattern: /^grant\s+(.+?)\s+to\s+(.+)$/i,
    run: async (input) => {
      const role = roleFromWords(input.match[1]);
      const [userId] = await peopleOf(input, input.match[2]);
      await grantRole(input.deps, input.ctx, { userId, role });
      return card(views.roles(input.deps, input.ctx, done(`Granted ${roleWord(role)}.`)));
    },
  },
  {
    name: 'revoke', usage: 'revoke <role> from <person>', example: 'revoke billing admin from Adele Vance', scope: 'admin',
    pattern: /^revoke\s+(.+?)\s+from\s+(.+)$/i,
    run: async (input) => {
      const role = roleFromWords(input.match[1]);
      const [userId] = await peopleOf(input, input.match[2]);
      await revokeRole(input.deps, input.ctx, { userId, role });
      return card(views.roles(input.deps, input.ctx, done(`Revoked ${roleWord(role)}.`)));
    },
  },
];

export const helpText = (): string =>
  [
    '**I can help you buy and manage Microsoft 365 subscriptions.**',
    '',
    `For you: ${ROUTES.filter((r) => r.scope === 'personal' && r.name !== 'help').map((r) => `**${r.usage}**`).join(', ')}.`,
    `For admins (in a channel, @mention me): ${ROUTES.filter((r) => r.scope === 'admin').map((r) => `**${r.usage}**`).join(', ')}, and **use this channel** for admin notifications.`,
  ].join('\n');

export const matchRoute = (text: string): { route: Route; match: RegExpMatchArray } | null => {
  for (const route of ROUTES) {
    const match = text.match(route.pattern);
    if (match) return { route, match };
  }
  return null;
};

/** The closest commands to what was typed, for the catch-all. */
export const suggestions = (text: string, max = 2): string[] => {
  const typed = text.toLowerCase().slice(0, 40);
  const first = typed.split(' ').slice(0, 2).join(' ');
  return ROUTES.map((r) => ({ usage: r.usage, d: Math.min(distance(typed, r.name), distance(first, r.name), distance(typed.split(' ')[0], r.name)) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(typed.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((x) => x.usage);
};
