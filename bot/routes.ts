import type { ActorContext, Deps } from '../domain/ports';
import { listCatalog } from '../domain/catalog/list-catalog';
import { listMyPurchases } from '../domain/purchasing/list-my-purchases';
import { listBills } from '../domain/billing/list-bills';
import { listPurchases } from '../domain/admin/list-purchases';
import { listPolicies } from '../domain/policy/view-policies';
import { listAudit } from '../domain/audit/list-audit';
import { listPendingRequests } from '../domain/approvals/manage-approvals';
import { bullets, day, distance, price } from './text';

export interface RouteInput {
  deps: Deps;
  ctx: ActorContext;
  /** The command text without the bot's @mention, trimmed. */
  text: string;
  match: RegExpMatchArray;
}

export interface Route {
  name: string;
  /** How the command is written, for help and "did you mean". */
  usage: string;
  scope: 'personal' | 'admin';
  pattern: RegExp;
  run(input: RouteInput): Promise<string>;
}

/**
 * Every text command, in one ordered table (first match wins); the catch-all is not a route but the
 * absence of a match, answered with the closest commands.
 */
export const ROUTES: readonly Route[] = [
  {
    name: 'help',
    usage: 'help',
    scope: 'personal',
    pattern: /^(help|\?|hi|hello|start)$/i,
    run: async () => helpText(),
  },
  {
    name: 'catalog',
    usage: 'catalog',
    scope: 'personal',
    pattern: /^(catalog|products|shop|store)$/i,
    run: async ({ deps, ctx }) => {
      const items = await listCatalog(deps, ctx);
      return `**What you can buy**\n\n${bullets(
        items.map((i) => {
          const from = `${price(i.product.prices.Annual)}/license/year or ${price(i.product.prices.Monthly)}/license/month`;
          const trial = i.product.trial ? `, ${i.product.trial.days}-day trial${i.product.trial.requiresPaymentMethod ? '' : ' (no card needed)'}` : '';
          const state = i.canBuy ? '' : i.canTrial ? ' — trial only in your organization' : ' — turned off by your organization';
          return `${i.product.name}: ${from}${trial}${state}`;
        }),
      )}`;
    },
  },
  {
    name: 'my purchases',
    usage: 'my purchases',
    scope: 'personal',
    pattern: /^(my\s+)?(purchases|subscriptions)$/i,
    run: async ({ deps, ctx, match }) => {
      // "purchases" alone is the admins' list; "my purchases" is always the caller's own.
      if (!match[1]) return ROUTES.find((r) => r.name === 'purchases')!.run({ deps, ctx, text: 'purchases', match });
      const mine = await listMyPurchases(deps, ctx);
      if (mine.length === 0) return "You haven't bought anything yet. Say **catalog** to see what's available.";
      return `**Your subscriptions**\n\n${bullets(
        mine.map(({ subscription: s, product, assigned }) => `${product.name}: ${s.quantity} licenses (${assigned} assigned), ${s.status.toLowerCase()}, ${s.recurring ? 'renews' : 'ends'} ${day(s.expiresAt)}`),
      )}`;
    },
  },
  {
    name: 'bills',
    usage: 'bills',
    scope: 'personal',
    pattern: /^(my\s+)?(bills|invoices)$/i,
    run: async ({ deps, ctx }) => {
      const bills = await listBills(deps, ctx);
      if (bills.length === 0) return 'You have no bills.';
      return `**Your bills**\n\n${bullets(bills.map((b) => `${day(b.issuedAt)} ${b.description}: ${price(b.amount)} — ${b.status === 'Paid' ? 'paid' : '**unpaid**'}`))}`;
    },
  },
  {
    name: 'purchases',
    usage: 'purchases [self-service|central]',
    scope: 'admin',
    pattern: /^(all\s+)?purchases(?:\s+(self-?service|central))?$/i,
    run: async ({ deps, ctx, match }) => {
      const origin = match[2] ? (/^central$/i.test(match[2]) ? 'Central' : 'SelfService') : undefined;
      const page = await listPurchases(deps, ctx, { origin, pageSize: 10 });
      if (page.total === 0) return 'No purchases yet.';
      return `**Purchases** (${page.items.length} of ${page.total})\n\n${bullets(
        page.items.map((r) => `${r.product.name} — ${r.purchaserName}, ${r.subscription.quantity} licenses (${r.assigned} assigned), ${r.subscription.origin === 'Central' ? 'central' : 'self-service'}, ${r.subscription.status.toLowerCase()}, expires ${day(r.subscription.expiresAt)}`),
      )}`;
    },
  },
  {
    name: 'policies',
    usage: 'policies',
    scope: 'admin',
    pattern: /^polic(y|ies)$/i,
    run: async ({ deps, ctx }) => {
      const rows = await listPolicies(deps, ctx);
      return `**AllowSelfServicePurchase**\n\n${bullets(rows.map((r) => `${r.product.name} (${r.product.id}): ${r.value}${r.isDefault ? ' (default)' : ''}`))}`;
    },
  },
  {
    name: 'approvals',
    usage: 'approvals',
    scope: 'admin',
    pattern: /^(approvals|requests|pending)$/i,
    run: async ({ deps, ctx }) => {
      const pending = await listPendingRequests(deps, ctx);
      if (pending.length === 0) return 'Nothing is waiting for approval.';
      return `**Waiting for approval**\n\n${bullets(pending.map((r) => `${r.kind === 'Trial' ? 'Trial' : `${r.quantity} ×`} ${r.productId} requested ${day(r.createdAt)}`))}`;
    },
  },
  {
    name: 'audit',
    usage: 'audit',
    scope: 'admin',
    pattern: /^(audit|audit log|history)$/i,
    run: async ({ deps, ctx }) => {
      const log = await listAudit(deps, ctx, { pageSize: 15 });
      if (log.total === 0) return 'The audit log is empty.';
      return `**Audit log** (latest ${log.items.length} of ${log.total})\n\n${bullets(log.items.map((e) => `${e.at.toISOString().slice(0, 16).replace('T', ' ')} ${e.summary} (${e.surface})`))}`;
    },
  },
];

export const helpText = (): string =>
  [
    '**I can help you buy and manage Microsoft 365 subscriptions.**',
    '',
    `For you: ${ROUTES.filter((r) => r.scope === 'personal').map((r) => `**${r.usage}**`).join(', ')}.`,
    `For admins: ${ROUTES.filter((r) => r.scope === 'admin').map((r) => `**${r.usage}**`).join(', ')}, and in a channel **use this channel** for admin notifications.`,
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
  return ROUTES.map((r) => ({ usage: r.usage, d: distance(typed, r.name) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(typed.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((x) => x.usage);
};
