import { randomUUID } from 'node:crypto';
import { CardFactory, TeamsInfo, type Activity, type TurnContext } from 'botbuilder';
import type { ActorContext, Deps } from '../domain/ports';
import { DomainError } from '../domain/shared/errors';
import { setAdminChannel } from '../domain/admin/set-admin-channel';
import { getMySubscription } from '../domain/purchasing/get-my-subscription';
import { getMyPurchaseRequest } from '../domain/approvals/get-my-purchase-request';
import { MAX_QUANTITY, parseId } from '../domain/shared/validation';
import { subscriptionCard } from '../cards/purchaser-cards';
import { VERBS } from '../cards/verbs';
import type { AdaptiveCard } from '../cards/ui';
import type { Logger } from './logger';
import { actorContext, ensureInDirectory, identityOf, type TeamsIdentity } from './identity';
import { helpText, matchRoute, suggestions, type Reply, type RouteServices } from './routes';
import { runCardAction, type ActionServices } from './card-actions';
import { ADMIN_CHANNEL_KEY, proactiveReference, userKey, type ConversationStore } from './conversations';

export type TurnServices = RouteServices & ActionServices;

interface Mention {
  type: string;
  text?: string;
  mentioned?: { id?: string; name?: string; aadObjectId?: string };
}

const mentionsOf = (context: TurnContext): Mention[] => (context.activity.entities ?? []).filter((e) => e.type === 'mention') as Mention[];

/** Removes the bot's own @mention ("<at>Purchases</at> policies") from a channel message. */
const commandText = (context: TurnContext): string => {
  let text = context.activity.text ?? '';
  for (const m of mentionsOf(context)) {
    if (m.mentioned?.id === context.activity.recipient?.id) text = text.replace(m.text ?? '', '');
  }
  return text.replace(/<\/?at>/g, '').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ').trim();
};

/** Entra ids of the people @mentioned (other than the bot), from the entity or the roster. */
const mentionedUsers = async (context: TurnContext, logger: Logger): Promise<string[]> => {
  const ids: string[] = [];
  for (const m of mentionsOf(context)) {
    const who = m.mentioned;
    if (!who?.id || who.id === context.activity.recipient?.id) continue;
    if (who.aadObjectId) {
      ids.push(who.aadObjectId);
      continue;
    }
    try {
      const member = await TeamsInfo.getMember(context, who.id);
      if (member.aadObjectId) ids.push(member.aadObjectId);
    } catch (err) {
      logger.info({ err: (err as Error).message }, 'could not resolve a mention from the roster');
    }
  }
  return ids;
};

const cardActivity = (card: AdaptiveCard, text?: string): Partial<Activity> => ({ type: 'message', ...(text ? { text } : {}), attachments: [CardFactory.adaptiveCard(card)] });

const sendReply = async (context: TurnContext, reply: Reply): Promise<void> => {
  await context.sendActivity(typeof reply === 'string' ? reply : cardActivity(reply.card, reply.text));
};

/** The verb and data of a card action, from either an Action.Execute invoke or an Action.Submit message. */
const cardActionOf = (activity: Activity): { verb: unknown; data: Record<string, unknown> } | null => {
  if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
    const action = (activity.value as { action?: { verb?: unknown; data?: unknown } } | undefined)?.action;
    const data = action?.data && typeof action.data === 'object' && !Array.isArray(action.data) ? (action.data as Record<string, unknown>) : {};
    return { verb: action?.verb, data };
  }
  if (activity.type === 'message' && !activity.text && activity.value && typeof activity.value === 'object' && !Array.isArray(activity.value)) {
    const { verb, ...data } = activity.value as Record<string, unknown>;
    return { verb, data };
  }
  return null;
};

const invokeResponse = (body: unknown): Partial<Activity> => ({ type: 'invokeResponse', value: { status: 200, body } });

/**
 * One turn: parse, resolve the actor, run one use case, answer. Expected refusals are DomainErrors
 * whose message is written for the user; anything else goes to the adapter's error boundary.
 */
export const createTurnHandler = (deps: Deps, logger: Logger, conversations: ConversationStore, services: TurnServices) => async (context: TurnContext): Promise<void> => {
  const { activity } = context;
  const id = identityOf(context);
  if (activity.type === 'conversationUpdate' || activity.type === 'installationUpdate') {
    if (id) await ensureInDirectory(deps, context, id, logger);
    // Teams sends both an installationUpdate and a conversationUpdate on install: welcome once.
    const welcomed = activity.type === 'conversationUpdate' && activity.membersAdded?.some((m) => m.id === activity.recipient?.id);
    if (id && activity.type === 'installationUpdate' && activity.conversation?.conversationType === 'personal') {
      await conversations.save(id.tenantId, userKey(id.userId), proactiveReference(activity));
    }
    if (welcomed && activity.conversation?.conversationType === 'personal') {
      if (id) await conversations.save(id.tenantId, userKey(id.userId), proactiveReference(activity));
      await context.sendActivity(helpText());
    }
    return;
  }
  const action = cardActionOf(activity);
  const dialog = isDialogInvoke(activity);
  if (activity.type !== 'message' && !action && !dialog) {
    if (activity.type === 'invoke') await context.sendActivity(invokeResponse({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: "I don't handle that here." }));
    return;
  }
  if (!id) {
    const text = 'I work inside Microsoft Teams with a work account. Please message me from Teams.';
    await context.sendActivity(dialog ? invokeResponse(dialogMessage(text)) : activity.type === 'invoke' ? invokeResponse({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text }) : text);
    return;
  }
  await ensureInDirectory(deps, context, id, logger);
  const conversationType = activity.conversation?.conversationType;
  if (conversationType === 'personal') await conversations.save(id.tenantId, userKey(id.userId), proactiveReference(activity));
  if (action) return handleCardAction(context, deps, logger, services, actorContext(id, 'card'), action);
  if (dialog) return handleDialog(context, deps, logger, services, actorContext(id, 'card'));

  const text = commandText(context);
  if (/^use this channel( for admin notifications)?$/i.test(text)) return useThisChannel(context, deps, conversations, id);
  const found = matchRoute(text);
  if (!found) {
    const close = suggestions(text);
    await context.sendActivity(
      `${close.length ? `I didn't get "${text.slice(0, 80)}". Did you mean ${close.map((c) => `**${c}**`).join(' or ')}?` : `I didn't get "${text.slice(0, 80)}".`}\n\n${helpText()}`,
    );
    return;
  }
  try {
    const mentionedUserIds = await mentionedUsers(context, logger);
    await sendReply(context, await found.route.run({ deps, ctx: actorContext(id, 'chat'), text, match: found.match, mentionedUserIds, services }));
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    logger.info({ code: e.code, route: found.route.name }, 'command refused');
    await context.sendActivity(e.message);
  }
};

/**
 * A card button. Universal Actions (invoke) answer with the card's new state, which Teams puts in
 * place of the old one; the Action.Submit fallback edits the card message itself.
 */
const handleCardAction = async (
  context: TurnContext,
  deps: Deps,
  logger: Logger,
  services: ActionServices,
  ctx: ActorContext,
  action: { verb: unknown; data: Record<string, unknown> },
): Promise<void> => {
  const result = await runCardAction(action.verb, { deps, ctx, data: action.data, services });
  if (result.refused) logger.info({ verb: typeof action.verb === 'string' ? action.verb.slice(0, 40) : typeof action.verb, reason: result.refused }, 'card action refused');
  const { activity } = context;
  if (activity.type === 'invoke') {
    await context.sendActivity(
      invokeResponse('card' in result
        ? { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: result.card }
        : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: result.message }),
    );
    return;
  }
  if ('card' in result && activity.replyToId) {
    await context.updateActivity({ ...cardActivity(result.card), id: activity.replyToId });
    return;
  }
  await context.sendActivity('card' in result ? cardActivity(result.card) : result.message);
};

const useThisChannel = async (context: TurnContext, deps: Deps, conversations: ConversationStore, id: TeamsIdentity): Promise<void> => {
  const { activity } = context;
  if (activity.conversation?.conversationType !== 'channel') {
    await context.sendActivity('Say this in the Teams channel where admins should get notifications, with an @mention of me.');
    return;
  }
  const channelName = (activity.channelData as { channel?: { name?: string } } | undefined)?.channel?.name ?? 'this channel';
  try {
    await setAdminChannel(deps, actorContext(id, 'chat'), { channelName });
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    await context.sendActivity(e.message);
    return;
  }
  await conversations.save(id.tenantId, ADMIN_CHANNEL_KEY, proactiveReference(activity));
  await context.sendActivity(`Done: admin notifications for your organization will be posted in ${channelName}.`);
};

// ---------------------------------------------------------------------------------------------- dialogs

/** Teams dialogs (task modules) opened from a card's `msteams: { type: 'task/fetch' }` button. */
const isDialogInvoke = (activity: Activity): boolean => activity.type === 'invoke' && (activity.name === 'task/fetch' || activity.name === 'task/submit');

const dialogMessage = (value: string) => ({ task: { type: 'message', value } });

const CHECKOUT_DIALOG_SIZE = { height: 760, width: 600 };

/**
 * task/fetch answers with the checkout page, signed in as the caller by a link in its fragment (the
 * dialog may not have SSO). task/submit carries only the id the page got back: it is re-read from
 * stored state as the caller's own (anyone else's is refused) before anything is posted in chat.
 */
const handleDialog = async (context: TurnContext, deps: Deps, logger: Logger, services: TurnServices, ctx: ActorContext): Promise<void> => {
  const value = context.activity.value as { data?: unknown } | undefined;
  const data = value?.data && typeof value.data === 'object' && !Array.isArray(value.data) ? (value.data as Record<string, unknown>) : {};
  let body: unknown;
  try {
    body = context.activity.name === 'task/fetch' ? checkoutDialog(ctx, data, services) : await dialogResult(context, deps, ctx, data);
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    logger.info({ code: e.code, invoke: context.activity.name }, 'dialog refused');
    body = dialogMessage(e.message);
  }
  await context.sendActivity(invokeResponse(body));
};

const checkoutDialog = (ctx: ActorContext, data: Record<string, unknown>, services: TurnServices) => {
  if (data.verb !== VERBS.checkoutOpen) return dialogMessage("That button doesn't open anything any more. Say **catalog** to start again.");
  // Only well-formed values go into the URL; the page asks the server what this product is and whether the caller may buy it.
  const productId = parseId(data.productId, 'product');
  const mode = data.mode === 'trial' ? 'trial' : 'buy';
  const quantity = Number(data.quantity);
  const params: Record<string, string> = { productId, mode, ...(Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_QUANTITY ? { quantity: String(quantity) } : {}) };
  const { url } = services.pageLink(ctx, 'checkout', params);
  return { task: { type: 'continue', value: { title: mode === 'buy' ? 'Secure checkout' : 'Start a trial', url, fallbackUrl: url, ...CHECKOUT_DIALOG_SIZE } } };
};

const dialogResult = async (context: TurnContext, deps: Deps, ctx: ActorContext, data: Record<string, unknown>): Promise<unknown> => {
  if (data.subscriptionId !== undefined) {
    const mine = await getMySubscription(deps, ctx, { subscriptionId: data.subscriptionId });
    const s = mine.subscription;
    const banner = s.isTrial ? 'Your trial has started. Assign its licenses below.' : `Done: you bought ${s.quantity} ${s.quantity === 1 ? 'license' : 'licenses'}. Assign them below.`;
    await context.sendActivity(cardActivity(subscriptionCard({
      subscription: s, product: mine.product, assignees: mine.assignees.map((a) => ({ id: a.id, name: a.displayName })), formId: randomUUID(), canManage: true, banner,
    })));
    return dialogMessage(`${s.isTrial ? `Your trial of ${mine.product.name} has started` : `You bought ${s.quantity} ${s.quantity === 1 ? 'license' : 'licenses'} of ${mine.product.name}`}. The details are in the chat.`);
  }
  if (data.requestId !== undefined) {
    const { request, product } = await getMyPurchaseRequest(deps, ctx, { requestId: data.requestId });
    const text = request.status === 'Pending'
      ? `Your request for ${request.kind === 'Trial' ? `a trial of ${product.name}` : `${request.quantity} × ${product.name}`} is waiting for an admin's approval. You will hear back here; nothing is charged until then.`
      : `Your request for ${product.name} was ${request.status.toLowerCase()}.`;
    await context.sendActivity(text);
    return dialogMessage(text);
  }
  // Closed without a result (Cancel): nothing to say.
  return undefined;
};
