import { TurnContext, type Activity, type ConversationParameters, type ConversationReference } from 'botbuilder';

/** Keys under which the bot remembers where to reach people. */
export const userKey = (aadObjectId: string): string => `user:${aadObjectId}`;
export const ADMIN_CHANNEL_KEY = 'admins';

/**
 * Where the bot can send proactively, stored in the database so that any instance can send (not
 * only the one that received the message).
 */
export interface ConversationStore {
  save(tenantId: string, key: string, reference: Partial<ConversationReference>): Promise<void>;
  get(tenantId: string, key: string): Promise<Partial<ConversationReference> | null>;
  /** Several of one tenant's at once (the keys found; absent ones are missing from the map). */
  getMany?(tenantId: string, keys: readonly string[]): Promise<Map<string, Partial<ConversationReference>>>;
  /**
   * Records how Teams knows a person: from an activity they sent, or (`keepExisting`: only when none
   * is stored) from an @mention of them, which someone else's message carries.
   */
  saveAccount(tenantId: string, userId: string, account: TeamsAccount, opts?: { keepExisting?: boolean }): Promise<void>;
  /** Of these people (Entra object ids), the ones Teams has shown us (absent ones are missing from the map). */
  accounts(tenantId: string, userIds: readonly string[]): Promise<Map<string, TeamsAccount>>;
  /** The service URL this tenant's traffic came from most recently; null before any. */
  serviceUrlOf(tenantId: string): Promise<string | null>;
}

/**
 * A person as the Bot Connector knows them: their Teams user id (`29:…`, the activity's `from.id`,
 * unique to this bot) and the service URL of their tenant's traffic. What the create-conversation call
 * needs to open a 1:1 chat with someone who never opened one (DESIGN §5.12, issue 12).
 */
export interface TeamsAccount {
  teamsUserId: string;
  serviceUrl: string;
}

const ORG_ID = '8:orgid:';

/**
 * The people a card refreshes itself for (Universal Actions' `refresh.userIds`), as Microsoft's samples
 * list them: the id Teams gives each person in activities (`from.id`, 29:…), stored from their turns
 * and mentions; 8:orgid:<Entra id> (the other user MRI Teams accepts) for anyone Teams never showed the
 * bot. `entraIds` are Entra object ids, or ids already in either form.
 */
export const refreshUserIds = async (conversations: Pick<ConversationStore, 'accounts'>, tenantId: string, entraIds: readonly string[]): Promise<string[]> => {
  const ids = entraIds.map((id) => (id.startsWith(ORG_ID) ? id.slice(ORG_ID.length) : id));
  const now = Date.now();
  let cache = teamsIdCache.get(conversations);
  if (!cache) teamsIdCache.set(conversations, (cache = new Map()));
  const fresh = (id: string) => {
    const hit = cache!.get(`${tenantId}\u0000${id}`);
    return hit && (hit.teamsUserId !== null || now - hit.at < UNKNOWN_TEAMS_ID_MS) ? hit : undefined;
  };
  const ask = [...new Set(ids.filter((id) => !id.startsWith('29:') && !fresh(id)))];
  if (ask.length) {
    const known = await conversations.accounts(tenantId, ask);
    if (cache.size > 50_000) cache.clear();
    for (const id of ask) cache.set(`${tenantId}\u0000${id}`, { teamsUserId: known.get(id)?.teamsUserId ?? null, at: now });
  }
  return ids.map((id) => (id.startsWith('29:') ? id : (fresh(id)?.teamsUserId ?? `${ORG_ID}${id}`)));
};

/**
 * Per store: the Teams ids already read. Teams gives a person one id per bot, for good, so a known one
 * is kept; someone not known yet is asked again after a minute (until then, 8:orgid, also valid).
 */
const teamsIdCache = new WeakMap<object, Map<string, { teamsUserId: string | null; at: number }>>();
const UNKNOWN_TEAMS_ID_MS = 60_000;

/** A person's own activity showed their Teams id (stored by the turn): their cards list it from now on. */
export const noteTeamsId = (conversations: object, tenantId: string, userId: string, teamsUserId: string): void => {
  teamsIdCache.get(conversations)?.set(`${tenantId}\u0000${userId}`, { teamsUserId, at: Date.now() });
};

/** A card with its `refresh.userIds` in that form (cards list 8:orgid:<Entra id>, all the domain knows). */
export const withTeamsUserIds = async <C extends { refresh?: { userIds?: string[] } }>(
  card: C,
  tenantId: string,
  conversations: Pick<ConversationStore, 'accounts'>,
): Promise<C> => {
  const userIds = card.refresh?.userIds;
  if (!userIds?.length) return card;
  return { ...card, refresh: { ...card.refresh, userIds: await refreshUserIds(conversations, tenantId, userIds) } };
};

/**
 * The create-conversation parameters of a 1:1 chat with one person: Teams needs the tenant both as
 * `tenantId` and in `channelData` (botbuilder's CloudAdapter passes them on as they are).
 */
export const oneOnOneParameters = (tenantId: string, member: { id: string; name?: string }, bot?: { id: string; name?: string }): ConversationParameters =>
  ({ isGroup: false, ...(bot && { bot }), members: [member], tenantId, channelData: { tenant: { id: tenantId } } }) as ConversationParameters;

/**
 * The reference to keep for proactive messages: no activity id (a notification is a new message, not
 * a reply), and for a channel the channel itself rather than the thread the command was typed in.
 */
export const proactiveReference = (activity: Activity): Partial<ConversationReference> => {
  const { activityId: _reply, ...reference } = TurnContext.getConversationReference(activity);
  if (reference.conversation?.conversationType === 'channel') {
    reference.conversation = { ...reference.conversation, id: reference.conversation.id.split(';')[0] };
  }
  return reference;
};
