import type { ActorContext, Deps } from '../../domain/ports';
import type { Product } from '../../domain/model';
import type { CardInput } from '../../payments/sandbox-payment-provider';
import type { AdaptiveCard } from '../../cards/ui';
import type { Dataset, Verb, View } from '../../cards/verbs';
import type { WebPage } from '../web/pages';
import type { WebRoute } from '../web/web-api';

/**
 * What a feature is made of (DESIGN §4): its text commands with parsed, named arguments, its card
 * verbs, the card views it can re-render on refresh, and its outcome messages — declared together in
 * one file under bot/features/, assembled by ./registry.ts.
 */

export type Reply = string | { card: AdaptiveCard; text?: string };

/** A short-lived signed link that opens one of the pages as the caller (outside Teams, and for Teams dialogs). */
export type PageLink = (ctx: ActorContext, page: WebPage, params?: Record<string, string>) => { url: string; minutes: number };

export interface FeatureServices {
  /** A short-lived signed link to download a CSV export (checked again on download). */
  exportLink(ctx: ActorContext, productId: string | null): { url: string; minutes: number };
  pageLink: PageLink;
  /** Turns typed card details into a payment token; only the token reaches the domain. */
  tokenize(card: CardInput): { token: string };
}

/** Where a command was said: personal data is answered only in a 1:1 chat (DESIGN §5.12). */
export type Where = 'personal' | 'groupChat' | 'channel';

export interface CommandInput {
  deps: Deps;
  ctx: ActorContext;
  services: FeatureServices;
  pc: ParseContext;
  /** The people @mentioned in the message (not the bot): the name as it appears in the text, and their Entra id. */
  mentions: ReadonlyArray<{ name: string; userId: string }>;
  where: Where;
  /** The channel the command was said in, for "use this channel". */
  channel: { name: string; remember(): Promise<void> } | null;
}

/** The catalog, for parsers that resolve product names (read once per turn, cached by the repository). */
export interface ParseContext {
  products: readonly Product[];
}

export interface Command<A> {
  name: string;
  /** How it is written, for help and "did you mean". */
  usage: string;
  example: string;
  /** Who it is for: everyone (said in a 1:1 chat) or admins (usually in a channel). */
  scope: 'personal' | 'admin';
  /** The answer holds the caller's own subscriptions, cards or bills: sent to their 1:1 chat when said elsewhere. */
  personalData?: boolean;
  /** The words it starts with, for suggestions when they are misspelled. */
  keywords: readonly string[];
  /**
   * The authority an admin command's change needs beyond seeing (help lists it only to those who have
   * it): `adminWrite` (not a Global reader), `manageRoles` (a Global admin). None: a view every admin may open.
   */
  needs?: 'adminWrite' | 'manageRoles';
  /** An admin command refused to someone who isn't one: where they go instead (default: help). */
  forOthers?: string;
  /** The command's named arguments, or null when the text is not this command. */
  parse(text: string, pc: ParseContext): A | null;
  run(args: A, input: CommandInput): Promise<Reply>;
  /** The command written back in its canonical words, for suggestions ("buy Power BI Pro 2"). */
  canonical?(args: A, pc: ParseContext): string[];
}

/** Keeps command lists typed per argument type while storing them side by side. */
export const command = <A>(c: Command<A>): Command<unknown> => c as unknown as Command<unknown>;

export interface ActionInput {
  deps: Deps;
  ctx: ActorContext;
  /** The action's data merged with the card's inputs: untrusted, re-checked by every use case. */
  data: Record<string, unknown>;
  services: FeatureServices;
}

export interface VerbHandler {
  run(a: ActionInput): Promise<AdaptiveCard>;
  /** The card to show, with the reason, when the use case refuses (stale card, double click, bad input). */
  recover?(a: ActionInput, banner: BannerInput): Promise<AdaptiveCard>;
}

export type ViewRenderer = (deps: Deps, ctx: ActorContext, data: Record<string, unknown>) => Promise<AdaptiveCard>;

/** A typeahead's search (Input.ChoiceSet `Data.Query`): one page of what matches, as the card's choices. */
export type SearchHandler = (deps: Deps, ctx: ActorContext, query: { text: string; skip: unknown; top: unknown }) => Promise<Array<{ title: string; value: string }>>;

export interface Feature {
  name: string;
  /** The typeahead datasets this capability answers (`application/search` invokes). */
  searches?: Partial<Record<Dataset, SearchHandler>>;
  commands?: ReadonlyArray<Command<unknown>>;
  verbs?: Partial<Record<Verb, VerbHandler>>;
  /** Cards of this feature that refresh themselves (Universal Actions `refresh`). */
  views?: Partial<Record<View, ViewRenderer>>;
  /** The pages' JSON API routes of this capability (under /api/web; authenticated and validated by bot/web/web-api.ts). */
  web?: readonly WebRoute[];
}

export type { Banner as BannerInput } from '../../cards/ui';
import type { Banner as BannerInput } from '../../cards/ui';

/** The status line on a card after an action: what was done, or why it wasn't. */
export const done = (banner: string): BannerInput => ({ banner, bannerIsError: false });
export const refused = (banner: string): BannerInput => ({ banner, bannerIsError: true });
/** Neither done nor refused: waiting (for an admin's approval, say). */
export const waiting = (banner: string): BannerInput => ({ banner, bannerIsError: false, bannerTone: 'accent' });

/** Card data as text: strings as sent, numbers and booleans written out, anything else (objects, arrays: forged data) nothing. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

export const cardReply = async (c: Promise<AdaptiveCard> | AdaptiveCard, text?: string): Promise<Reply> => ({ card: await c, ...(text ? { text } : {}) });
