import type { TurnContext } from 'botbuilder';
import type { Deps } from '../domain/ports';
import { DomainError } from '../domain/shared/errors';
import type { Logger } from './logger';
import { actorContext, ensureInDirectory, identityOf } from './identity';
import { helpText, matchRoute, suggestions } from './routes';
import { ADMIN_CHANNEL_KEY, proactiveReference, userKey, type ConversationStore } from './conversations';
import { setAdminChannel } from '../domain/admin/set-admin-channel';

/** Removes the bot's own @mention ("<at>Purchases</at> policies") from a channel message. */
const commandText = (context: TurnContext): string => {
  let text = context.activity.text ?? '';
  for (const m of context.activity.entities ?? []) {
    if (m.type === 'mention' && (m as { mentioned?: { id?: string } }).mentioned?.id === context.activity.recipient?.id) {
      text = text.replace((m as { text?: string }).text ?? '', '');
    }
  }
  return text.replace(/<\/?at>/g, '').replace(/\s+/g, ' ').trim();
};

/**
 * One turn: parse, resolve the actor, run one use case, answer. Expected refusals are DomainErrors
 * whose message is written for the user; anything else goes to the adapter's error boundary.
 */
export const createTurnHandler = (deps: Deps, logger: Logger, conversations: ConversationStore) => async (context: TurnContext): Promise<void> => {
  const { activity } = context;
  const id = identityOf(context);
  if (activity.type === 'conversationUpdate' || activity.type === 'installationUpdate') {
    if (id) await ensureInDirectory(deps, context, id, logger);
    const welcomed = activity.membersAdded?.some((m) => m.id === activity.recipient?.id) || activity.action === 'add';
    if (welcomed && activity.conversation?.conversationType === 'personal') await context.sendActivity(helpText());
    return;
  }
  if (activity.type !== 'message') return;
  if (!id) {
    await context.sendActivity('I work inside Microsoft Teams with a work account. Please message me from Teams.');
    return;
  }
  await ensureInDirectory(deps, context, id, logger);
  const conversationType = activity.conversation?.conversationType;
  if (conversationType === 'personal') await conversations.save(id.tenantId, userKey(id.userId), proactiveReference(activity));
  const text = commandText(context);
  if (/^use this channel( for admin notifications)?$/i.test(text)) {
    if (conversationType !== 'channel') {
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
    return;
  }
  const found = matchRoute(text);
  if (!found) {
    const close = suggestions(text);
    await context.sendActivity(
      `${close.length ? `I didn't get "${text.slice(0, 80)}". Did you mean ${close.map((c) => `**${c}**`).join(' or ')}?` : `I didn't get "${text.slice(0, 80)}".`}\n\n${helpText()}`,
    );
    return;
  }
  try {
    await context.sendActivity(await found.route.run({ deps, ctx: actorContext(id, 'chat'), text, match: found.match }));
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    logger.info({ code: e.code, route: found.route.name }, 'command refused');
    await context.sendActivity(e.message);
  }
};
