import { whoAmI } from '../../domain/directory/who-am-i';
import { getMyStanding } from '../../domain/purchasing/list-my-purchases';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import type { ActorContext, Deps } from '../../domain/ports';
import { CardValidationError } from '../../payments/sandbox-payment-provider';
import { suggestionCard, textCard } from '../../cards/choice-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS, VIEWS, type Verb, type View } from '../../cards/verbs';
import { distance } from '../text';
import {
  refused,
  str,
  type ActionInput,
  type BannerInput,
  type Command,
  type CommandInput,
  type Feature,
  type ParseContext,
  type Reply,
  type SearchHandler,
  type VerbHandler,
  type ViewRenderer,
} from './feature';
import { NeedsChoice } from './targets';
import { buying } from './buying';
import { subscriptions, subscriptionView } from './subscriptions';
import { licenses } from './licenses';
import { cancel } from './cancel';
import { billing } from './billing';
import { pages } from './pages';
import { purchases, purchaseView } from './purchases';
import { licensesAdmin } from './licenses-admin';
import { policies } from './policies';
import { takeover } from './takeover';
import { approvals } from './approvals';
import { audit } from './audit';
import { roles } from './roles';
import { adminChannel } from './admin-channel';
import { spend } from './spend';
import { people } from './people';

/**
 * The one registry: every feature's commands (in order, first match wins; help and the "did you
 * mean" catch-all last), card verbs and refreshable views, assembled from the feature files.
 */

export const FEATURES: readonly Feature[] = [
  buying,
  subscriptions,
  licenses,
  cancel,
  billing,
  pages,
  purchases,
  licensesAdmin,
  policies,
  takeover,
  approvals,
  audit,
  roles,
  adminChannel,
  spend,
  people,
];

/** Every feature's web routes, for bot/web/web-server.ts. */
export const WEB_ROUTES = FEATURES.flatMap((f) => f.web ?? []);

const help: Command<unknown> = {
  name: 'help',
  usage: 'help',
  example: 'help',
  scope: 'personal',
  keywords: ['help'],
  parse: (text) => (/^(help|\?|hi|hello|hey|start|menu|what can you do\??|commands)$/i.test(text) ? {} : null),
  run: async (_a, input) => helpFor(input.deps, input.ctx, input.where),
};

export const COMMANDS: ReadonlyArray<Command<unknown>> = [...FEATURES.flatMap((f) => f.commands ?? []), help];

/** Which feature each verb and view belongs to, so its default recovery card can be found. */
const VERB_OWNER = new Map<string, { feature: Feature; handler: VerbHandler }>();
const VIEW_RENDERERS = new Map<string, ViewRenderer>();
for (const f of FEATURES) {
  for (const [verb, handler] of Object.entries(f.verbs ?? {})) {
    if (VERB_OWNER.has(verb)) throw new Error(`verb ${verb} is declared twice`);
    VERB_OWNER.set(verb, { feature: f, handler: handler as VerbHandler });
  }
  for (const [view, render] of Object.entries(f.views ?? {})) VIEW_RENDERERS.set(view, render as ViewRenderer);
}

const SEARCHES = new Map<string, SearchHandler>();
for (const f of FEATURES) {
  for (const [dataset, handler] of Object.entries(f.searches ?? {})) {
    if (SEARCHES.has(dataset)) throw new Error(`dataset ${dataset} is declared twice`);
    SEARCHES.set(dataset, handler as SearchHandler);
  }
}

/**
 * A typeahead's search (`application/search`): the dataset's matches for the caller, one page. An
 * unknown dataset, or a caller the domain refuses, gets no matches (Teams shows "no results").
 */
export const runSearch = async (deps: Deps, ctx: ActorContext, value: unknown): Promise<Array<{ title: string; value: string }>> => {
  const v = (value && typeof value === 'object' ? value : {}) as { queryText?: unknown; dataset?: unknown; queryOptions?: { skip?: unknown; top?: unknown } };
  const handler = typeof v.dataset === 'string' ? SEARCHES.get(v.dataset) : undefined;
  const text = typeof v.queryText === 'string' ? v.queryText : '';
  if (!handler || !text.trim()) return [];
  try {
    // skip and top as Teams sent them: the use case checks them (untrusted, like any card data).
    return await handler(deps, ctx, { text, skip: v.queryOptions?.skip, top: v.queryOptions?.top });
  } catch (e) {
    if (e instanceof DomainError) return [];
    throw e;
  }
};

/** The card a refused verb falls back to, by what it was about: the subscription, the purchase, or the feature's own list. */
const RECOVER_BY_FEATURE: Record<string, (a: ActionInput, banner: BannerInput) => Promise<AdaptiveCard>> = {
  subscriptions: (a, b) => subscriptionView(a.deps, a.ctx, a.data.subscriptionId, b),
  licenses: (a, b) => subscriptionView(a.deps, a.ctx, a.data.subscriptionId, b),
  cancel: (a, b) => subscriptionView(a.deps, a.ctx, a.data.subscriptionId, b),
  purchases: (a, b) => purchaseView(a.deps, a.ctx, a.data.subscriptionId, b),
  takeover: (a, b) => purchaseView(a.deps, a.ctx, a.data.subscriptionId, b),
};

export const isAdminCaller = async (deps: Deps, ctx: ActorContext): Promise<boolean> => {
  try {
    return (await whoAmI(deps, ctx)).isAdmin;
  } catch (e) {
    if (e instanceof DomainError) return false;
    throw e;
  }
};

// ---------------------------------------------------------------------------------------------- commands

export const matchCommand = (text: string, pc: ParseContext): { command: Command<unknown>; args: unknown } | null => {
  for (const c of COMMANDS) {
    const args = c.parse(text, pc);
    if (args !== null) return { command: c, args };
  }
  return null;
};

/** What an admin may do beyond seeing, as the domain says (getMyStanding): all of it unless told. */
export type AdminAuthority = { adminWrite: boolean; manageRoles: boolean };
const FULL_AUTHORITY: AdminAuthority = { adminWrite: true, manageRoles: true };

const usages = (scope: 'personal' | 'admin', authority: AdminAuthority = FULL_AUTHORITY): string =>
  COMMANDS.filter((c) => c.scope === scope && c.name !== 'help' && (c.needs === undefined || authority[c.needs]))
    .map((c) => `**${c.usage}**`)
    .join(', ');

/**
 * What the caller can do, by role: purchasers never see admin commands, a Global reader only the
 * views, roles only a Global admin. `owned`: a product the caller has a live subscription of, so that
 * the example of assigning works as they type it.
 */
export const helpText = (isAdmin: boolean, where: CommandInput['where'] = 'personal', owned?: string | null, authority: AdminAuthority = FULL_AUTHORITY): string => {
  const mine = `For your own purchases${where === 'personal' ? '' : ' (in our 1:1 chat)'}: ${usages('personal')}.`;
  if (!isAdmin)
    return [
      '**I can help you buy and manage Microsoft 365 subscriptions.**',
      '',
      mine,
      '',
      `Products and people can be named in words: **buy Power BI Pro 5**, **assign ${owned ?? 'Power BI Pro'} to** a colleague's name or email.`,
    ].join('\n');
  const admin = `For admins (in a channel, @mention me): ${usages('admin', authority)}.${authority.adminWrite ? '' : ' As a Global reader you can look at all of it; changes need a Global or Billing admin.'}`;
  return ['**I can help you buy, manage and govern Microsoft 365 self-service purchases.**', '', ...(where === 'channel' ? [admin, '', mine] : [mine, '', admin])].join('\n');
};

/** helpText for this caller, with an example in words from their own subscriptions. */
export const helpFor = async (deps: Deps, ctx: ActorContext, where: CommandInput['where'] = 'personal'): Promise<string> => {
  const { isAdmin, adminWrite, manageRoles, live } = await getMyStanding(deps, ctx);
  // The example assigns a product of theirs with a license free, if one has (it then works as written).
  const owned = (live.find((m) => m.assigned < m.subscription.quantity) ?? live[0])?.product.name;
  return helpText(isAdmin, where, owned, { adminWrite, manageRoles });
};

/**
 * "Did you mean": commands for the caller's role whose first words are close to what was typed,
 * re-read with the right word so the suggestion carries what was understood ("by power bi 2" →
 * **buy Power BI Pro 2**). Short: no help text repeated.
 */
export const suggestCommands = (text: string, pc: ParseContext, isAdmin: boolean): string[] => {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 12);
  const out: string[] = [];
  for (const c of COMMANDS) {
    if (c.scope === 'admin' && !isAdmin) continue;
    for (const k of c.keywords) {
      const n = k.split(' ').length;
      const head = words.slice(0, n).join(' ');
      if (!head || head === k) continue;
      const d = distance(head, k);
      if (d > (k.length <= 4 ? 1 : 2) || d >= head.length) continue;
      const rest = words.slice(n).join(' ');
      const rewritten = `${k}${rest ? ` ${rest}` : ''}`;
      let args = c.parse(rewritten, pc);
      let said = rewritten;
      if (args === null && !rest) {
        // Only a command without arguments is suggested whole ("my purchases"); others need what was meant.
        const plain = c.parse(c.example, pc);
        if (plain && typeof plain === 'object' && Object.keys(plain).length === 0) {
          args = plain;
          said = c.example;
        }
      }
      if (args === null) continue;
      let written: string[];
      try {
        written = c.canonical ? c.canonical(args, pc) : [said];
      } catch {
        written = [said];
      }
      // A command whose words name nothing it can act on (canonical: none) is no suggestion at all.
      for (const w of c.canonical ? written : [said]) if (!out.includes(w)) out.push(w);
    }
  }
  return out.slice(0, 3);
};

export const catchAll = (text: string, pc: ParseContext, isAdmin: boolean): Reply => ({
  card: suggestionCard({ said: text.slice(0, 80), commands: suggestCommands(text, pc, isAdmin) }),
});

// ---------------------------------------------------------------------------------------------- card actions

export type ActionResult = { card: AdaptiveCard } | { message: string };

/** Why a card action changed nothing: the domain's code (or the edge's, for unknown verbs and views) and what the person reads. */
export interface Refusal {
  code: string;
  message: string;
}

const refusalOf = (e: unknown): Refusal | null =>
  e instanceof DomainError ? { code: e.code, message: e.message } : e instanceof CardValidationError ? { code: ErrorCodes.INPUT_INVALID, message: e.message } : null;

/**
 * Runs one card action for the caller. Unknown verbs and refusals never throw: the caller gets the
 * card as it now is with the reason on it, or, when even that can't be shown (someone else's ids,
 * another tenant's, forged data), a short message and no change. A choice to make is a card.
 */
export const runVerb = async (verb: unknown, a: ActionInput, runText: (text: string) => Promise<Reply>): Promise<ActionResult & { refused?: Refusal }> => {
  if (verb === VERBS.runCommand) {
    const reply = await runText(str(a.data.text).slice(0, 300));
    // A text answer becomes a card in place of the suggestion (a bare message would only flash by in Teams).
    return typeof reply === 'string' ? { card: textCard(reply) } : { card: reply.card };
  }
  if (verb === VERBS.refresh) {
    const view = VIEWS.find((v) => v === a.data.view) as View | undefined;
    const render = view ? VIEW_RENDERERS.get(view) : undefined;
    const unknownView = "That card can't be refreshed.";
    if (!render) return { message: unknownView, refused: { code: 'VIEW.UNKNOWN', message: unknownView } };
    try {
      return { card: await render(a.deps, a.ctx, a.data) };
    } catch (e) {
      const refusal = refusalOf(e);
      if (refusal === null) throw e;
      return { message: refusal.message, refused: refusal };
    }
  }
  const owner = typeof verb === 'string' ? VERB_OWNER.get(verb as Verb) : undefined;
  if (!owner) {
    const message = "That button doesn't do anything any more. Say **help** to see what I can do.";
    return { message, refused: { code: 'VERB.UNKNOWN', message } };
  }
  try {
    return { card: await owner.handler.run(a) };
  } catch (e) {
    if (e instanceof NeedsChoice) return typeof e.reply === 'string' ? { message: e.reply } : { card: e.reply.card };
    const refusal = refusalOf(e);
    if (refusal === null) throw e;
    const banner = refused(refusal.message);
    try {
      const recover = owner.handler.recover ?? RECOVER_BY_FEATURE[owner.feature.name];
      if (recover) return { card: await recover(a, banner), refused: refusal };
    } catch (again) {
      if (refusalOf(again) === null) throw again;
    }
    return { message: refusal.message, refused: refusal };
  }
};
