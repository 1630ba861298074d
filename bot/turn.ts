import { randomUUID } from 'node:crypto';
import { CardFactory, TeamsInfo, type Activity, type ConversationParameters, type TurnContext } from 'botbuilder';
import type { ActorContext, Deps } from '../domain/ports';
import { DomainError, ErrorCodes } from '../domain/shared/errors';
import { listProducts } from '../domain/catalog/list-products';
import type { AdaptiveCard } from '../cards/ui';
import type { Logger } from './logger';
import { actorContext, ensureInDirectory, identityOf, type TeamsIdentity } from './identity';
import { ADMIN_CHANNEL_KEY, noteTeamsId, oneOnOneParameters, proactiveReference, userKey, withTeamsUserIds, type ConversationStore } from './conversations';
import type { CommandInput, FeatureServices, Reply, Where } from './features/feature';
import { catchAll, helpFor, helpText, isAdminCaller, matchCommand, runSearch, runVerb } from './features/registry';
import { NeedsChoice } from './features/targets';
import { checkoutDialog, checkoutResult, dialogMessage } from './features/buying';

export type TurnServices = FeatureServices & {
  appId: string;
  /** With Microsoft Graph: the person acting refreshed from their organization's directory before the turn acts. */
  directory?: { speaker(tenantId: string, userId: string): Promise<void> } | null;
};

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
  return text
    .replace(/<\/?at>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
};

/** The people @mentioned (other than the bot): their name as written and Entra id, from the entity or the roster. */
const mentionedUsers = async (context: TurnContext, logger: Logger): Promise<Array<{ name: string; userId: string; teamsUserId: string }>> => {
  const found: Array<{ name: string; userId: string; teamsUserId: string }> = [];
  for (const m of mentionsOf(context)) {
    const who = m.mentioned;
    if (!who?.id || who.id === context.activity.recipient?.id) continue;
    const name = (m.text ?? who.name ?? '').replace(/<\/?at>/g, '').trim();
    if (who.aadObjectId) {
      found.push({ name, userId: who.aadObjectId, teamsUserId: who.id });
      continue;
    }
    try {
      const member = await TeamsInfo.getMember(context, who.id);
      if (member.aadObjectId) found.push({ name, userId: member.aadObjectId, teamsUserId: member.id ?? who.id });
    } catch (err) {
      logger.info({ err: (err as Error).message }, 'could not resolve a mention from the roster');
    }
  }
  return found;
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

const whereOf = (activity: Activity): Where => {
  const t = activity.conversation?.conversationType;
  return t === 'channel' ? 'channel' : t === 'groupChat' ? 'groupChat' : 'personal';
};

/**
 * Personal data said in a shared conversation goes to the person's 1:1 chat (DESIGN §5.12): the
 * stored reference, or a new 1:1 conversation (the Bot Connector's create-conversation, with the
 * service URL this tenant's traffic came from). Returns false when neither works.
 */
const sendPrivately = async (context: TurnContext, conversations: ConversationStore, services: TurnServices, id: TeamsIdentity, reply: Reply, logger: Logger): Promise<boolean> => {
  // A new turn context of its own: the refresh ids this turn's hooks would have set, set here.
  const activity = typeof reply === 'string' ? { type: 'message', text: reply } : cardActivity(await withTeamsUserIds(reply.card, id.tenantId, conversations), reply.text);
  const adapter = context.adapter as unknown as {
    continueConversationAsync(appId: string, ref: object, logic: (c: TurnContext) => Promise<void>): Promise<void>;
    createConversationAsync(
      appId: string,
      channelId: string,
      serviceUrl: string,
      audience: string,
      params: ConversationParameters,
      logic: (c: TurnContext) => Promise<void>,
    ): Promise<void>;
  };
  try {
    const ref = await conversations.get(id.tenantId, userKey(id.userId));
    if (ref) {
      await adapter.continueConversationAsync(services.appId, ref, async (c) => {
        await c.sendActivity(activity);
      });
      return true;
    }
    const params = oneOnOneParameters(id.tenantId, { id: context.activity.from.id, name: context.activity.from.name }, context.activity.recipient);
    await adapter.createConversationAsync(services.appId, context.activity.channelId, context.activity.serviceUrl, '', params, async (c) => {
      await conversations.save(id.tenantId, userKey(id.userId), proactiveReference(c.activity));
      await c.sendActivity(activity);
    });
    return true;
  } catch (err) {
    logger.info({ err: (err as Error).message }, 'could not reach the person in a 1:1 chat');
    return false;
  }
};

const PRIVATE_NOTE = "That's personal, so I've answered in our 1:1 chat.";
const PRIVATE_FAILED = "That's personal, so I answer it only in our 1:1 chat: open a chat with me and say it there.";

/**
 * One turn: parse, resolve the actor, run one use case, answer. Expected refusals are DomainErrors
 * whose message is written for the user; anything else goes to the adapter's error boundary, except
 * in a dialog (see below).
 */
export const createTurnHandler = (deps: Deps, logger: Logger, conversations: ConversationStore, services: TurnServices) => {
  const turn = runTurn(deps, logger, conversations, services);
  return async (context: TurnContext): Promise<void> => {
    if (!isDialogInvoke(context.activity)) return turn(context);
    try {
      await turn(context);
    } catch (err) {
      // The adapter's boundary answers card actions and messages; a dialog it leaves unanswered, which
      // Teams shows as a broken dialog (botbuilder answers 501). Say what happened, with a reference.
      const correlationId = randomUUID();
      logger.error({ err, correlationId, activityType: 'invoke', invoke: context.activity.name, conversationId: context.activity.conversation?.id }, 'turn failed');
      await context.sendActivity(invokeResponse(dialogMessage(`Sorry, something went wrong on our side. If it keeps happening, give your admin this reference: ${correlationId}`)));
    }
  };
};

/**
 * Every card this turn sends, updates or answers with refreshes itself for the user ids Teams uses in
 * activities (bot/conversations.ts withTeamsUserIds): the cards list Entra ids, all the domain knows.
 * Done here, through the turn's own send and update hooks, so that no card leaves without it.
 */
const refreshesForTeamsIds = (context: TurnContext, tenantId: string, conversations: ConversationStore): void => {
  const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
  const rewrite = async (a: Partial<Activity>): Promise<void> => {
    for (const attachment of a.attachments ?? []) {
      if (attachment.contentType === ADAPTIVE && attachment.content) attachment.content = await withTeamsUserIds(attachment.content as AdaptiveCard, tenantId, conversations);
    }
    const body = (a.type === 'invokeResponse' ? (a.value as { body?: { type?: string; value?: unknown } } | undefined)?.body : undefined) ?? undefined;
    if (body?.type === ADAPTIVE && body.value && typeof body.value === 'object') body.value = await withTeamsUserIds(body.value as AdaptiveCard, tenantId, conversations);
  };
  context.onSendActivities(async (_c, activities, next) => {
    for (const a of activities) await rewrite(a);
    return next();
  });
  context.onUpdateActivity(async (_c, a, next) => {
    await rewrite(a);
    return next();
  });
};

const runTurn =
  (deps: Deps, logger: Logger, conversations: ConversationStore, services: TurnServices) =>
  async (context: TurnContext): Promise<void> => {
    const { activity } = context;
    const id = identityOf(context);
    if (id) refreshesForTeamsIds(context, id.tenantId, conversations);
    if (activity.type === 'conversationUpdate' || activity.type === 'installationUpdate') {
      if (id) await ensureInDirectory(deps, context, id, logger);
      // Teams sends both an installationUpdate and a conversationUpdate on install: welcome once.
      const welcomed = activity.type === 'conversationUpdate' && activity.membersAdded?.some((m) => m.id === activity.recipient?.id);
      const personal = activity.conversation?.conversationType === 'personal';
      // Their chat before their account, as for a message (below).
      if (id && personal && (activity.type === 'installationUpdate' || welcomed)) await conversations.save(id.tenantId, userKey(id.userId), proactiveReference(activity));
      if (id) await rememberAccount(conversations, id.tenantId, id.userId, activity.from?.id, activity.serviceUrl);
      if (welcomed && personal) await context.sendActivity(id ? await helpFor(deps, actorContext(id, 'chat')) : helpText(false));
      return;
    }
    const action = cardActionOf(activity);
    const dialog = isDialogInvoke(activity);
    const search = activity.type === 'invoke' && activity.name === 'application/search';
    if (activity.type !== 'message' && !action && !dialog && !search) {
      if (activity.type === 'invoke')
        await context.sendActivity(invokeResponse({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: "I don't handle that here." }));
      return;
    }
    if (search) {
      // A card's people picker as the person types: matches from their own organization only.
      const results = id ? await runSearch(deps, actorContext(id, 'chat'), activity.value) : [];
      await context.sendActivity(invokeResponse({ statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results } }));
      return;
    }
    if (!id) {
      const text = 'I work inside Microsoft Teams with a work account. Please message me from Teams.';
      await context.sendActivity(
        dialog
          ? invokeResponse(dialogMessage(text))
          : activity.type === 'invoke'
            ? invokeResponse({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text })
            : text,
      );
      return;
    }
    if ((await ensureInDirectory(deps, context, id, logger)) === 'external') {
      const text = 'This app works for the people of the organization that added it here. From your own organization, ask your IT admin about self-service purchases.';
      await context.sendActivity(
        activity.type === 'invoke'
          ? dialog
            ? invokeResponse(dialogMessage(text))
            : invokeResponse({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text })
          : text,
      );
      return;
    }
    await services.directory?.speaker(id.tenantId, id.userId);
    // Their chat first, then their account: storing either makes what waited for them due, and a sender
    // that found the account but not yet the chat would start a chat of its own (create-conversation).
    const where = whereOf(activity);
    if (where === 'personal') await conversations.save(id.tenantId, userKey(id.userId), proactiveReference(activity));
    await rememberAccount(conversations, id.tenantId, id.userId, activity.from?.id, activity.serviceUrl);

    /** Runs a text command (typed, or from a suggestion's button) and returns what to answer here. */
    const runText = async (text: string, mentions: CommandInput['mentions']): Promise<Reply> => {
      const ctx = actorContext(id, 'chat');
      const pc = { products: await listProducts(deps) };
      const found = matchCommand(text, pc);
      if (!found) return catchAll(text, pc, await isAdminCaller(deps, ctx));
      const channelName = (activity.channelData as { channel?: { name?: string } } | undefined)?.channel?.name ?? 'this channel';
      const input: CommandInput = {
        deps,
        ctx,
        services,
        pc,
        mentions,
        where,
        channel: where === 'channel' ? { name: channelName, remember: () => conversations.save(id.tenantId, ADMIN_CHANNEL_KEY, proactiveReference(activity)) } : null,
      };
      let reply: Reply;
      try {
        reply = await found.command.run(found.args, input);
      } catch (e) {
        if (e instanceof NeedsChoice) reply = e.reply;
        else if (e instanceof DomainError) {
          logger.info({ code: e.code, command: found.command.name }, 'command refused');
          reply =
            e.code === ErrorCodes.AUTH_NOT_ADMIN && found.command.scope === 'admin'
              ? `${e.message} ${found.command.forOthers ?? 'Say **help** to see what you can do.'}`
              : e.message;
        } else throw e;
      }
      if (found.command.personalData && where !== 'personal') {
        return (await sendPrivately(context, conversations, services, id, reply, logger)) ? PRIVATE_NOTE : PRIVATE_FAILED;
      }
      return reply;
    };

    if (action) return handleCardAction(context, logger, { deps, ctx: actorContext(id, 'card'), data: action.data, services }, action.verb, (text) => runText(text, []));
    if (dialog) return handleDialog(context, deps, logger, services, actorContext(id, 'card'));
    const mentions = await mentionedUsers(context, logger);
    // Whoever is @mentioned can be reached later even if they never write to the bot (a license assigned to them).
    // Only where nothing is stored: a person's own activities say how Teams knows them, not someone else's message.
    for (const m of mentions) await rememberAccount(conversations, id.tenantId, m.userId, m.teamsUserId, activity.serviceUrl, { keepExisting: true });
    await sendReply(context, await runText(commandText(context), mentions));
  };

/** How Teams knows this person (their `29:` id and the service URL), kept for a first 1:1 chat with them. */
const rememberAccount = async (
  conversations: ConversationStore,
  tenantId: string,
  userId: string,
  teamsUserId: string | undefined,
  serviceUrl: string | undefined,
  opts: { keepExisting?: boolean } = {},
) => {
  if (!teamsUserId || !serviceUrl) return;
  await conversations.saveAccount(tenantId, userId, { teamsUserId, serviceUrl }, opts);
  if (!opts.keepExisting) noteTeamsId(conversations, tenantId, userId, teamsUserId);
};

/**
 * A card button. Universal Actions (invoke) answer with the card's new state, which Teams puts in
 * place of the old one; the Action.Submit fallback edits the card message itself.
 */
const handleCardAction = async (
  context: TurnContext,
  logger: Logger,
  input: Parameters<typeof runVerb>[1],
  verb: unknown,
  runText: (text: string) => Promise<Reply>,
): Promise<void> => {
  const result = await runVerb(verb, input, runText);
  if (result.refused)
    logger.info({ verb: typeof verb === 'string' ? verb.slice(0, 40) : typeof verb, code: result.refused.code, reason: result.refused.message }, 'card action refused');
  const { activity } = context;
  if (activity.type === 'invoke') {
    await context.sendActivity(
      invokeResponse(
        'card' in result
          ? { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: result.card }
          : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: result.message },
      ),
    );
    return;
  }
  if ('card' in result && activity.replyToId) {
    await context.updateActivity({ ...cardActivity(result.card), id: activity.replyToId });
    return;
  }
  await context.sendActivity('card' in result ? cardActivity(result.card) : result.message);
};

// ---------------------------------------------------------------------------------------------- dialogs

/** Teams dialogs (task modules) opened from a card's `msteams: { type: 'task/fetch' }` button. */
const isDialogInvoke = (activity: Activity): boolean => activity.type === 'invoke' && (activity.name === 'task/fetch' || activity.name === 'task/submit');

const handleDialog = async (context: TurnContext, deps: Deps, logger: Logger, services: TurnServices, ctx: ActorContext): Promise<void> => {
  const value = context.activity.value as { data?: unknown } | undefined;
  const data = value?.data && typeof value.data === 'object' && !Array.isArray(value.data) ? (value.data as Record<string, unknown>) : {};
  let body: unknown;
  try {
    body =
      context.activity.name === 'task/fetch'
        ? checkoutDialog(ctx, data, services)
        : await checkoutResult(deps, ctx, data, async (c) => {
            await context.sendActivity(typeof c === 'string' ? c : cardActivity(c));
          });
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    logger.info({ code: e.code, invoke: context.activity.name }, 'dialog refused');
    body = dialogMessage(e.message);
  }
  await context.sendActivity(invokeResponse(body));
};
