import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { ActorContext, Deps } from '../domain/ports';
import type { Surface } from '../domain/model';
import type { Logger } from './logger';
import { isInDirectory, recordNewcomer } from '../domain/directory/sync-directory';

export interface TeamsIdentity {
  tenantId: string;
  userId: string; // Entra object id
  name: string;
}

/**
 * Who is acting: `from.aadObjectId` in the tenant of `channelData.tenant.id` (or
 * `conversation.tenantId`). These come from the authenticated activity, never from card data.
 */
export const identityOf = (context: TurnContext): TeamsIdentity | null => {
  const a = context.activity;
  const tenantId = (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? a.conversation?.tenantId;
  const userId = a.from?.aadObjectId;
  if (!tenantId || !userId) return null;
  return { tenantId, userId, name: a.from.name ?? 'Unknown user' };
};

export const actorContext = (id: TeamsIdentity, surface: Surface): ActorContext => ({ tenantId: id.tenantId, actorId: id.userId, surface });

/**
 * Keeps the directory current from what Teams tells us: a person we have not seen is added with the
 * guest flag from the roster (`userRole`), or as a member when the roster can't be read (outside a
 * team or chat the bot is in). Known people are left as stored.
 */
/** People already in the directory, per app: directory rows are never deleted, so once seen, always there. */
const seen = new WeakMap<Deps, Set<string>>();

export const ensureInDirectory = async (deps: Deps, context: TurnContext, id: TeamsIdentity, logger: Logger): Promise<'member' | 'external'> => {
  const key = `${id.tenantId}\0${id.userId}`;
  const known = seen.get(deps) ?? new Set<string>();
  seen.set(deps, known);
  if (known.has(key)) return 'member'; // saves a read on every turn after the first
  if (await isInDirectory(deps, id.tenantId, id.userId)) {
    if (known.size > 100_000) known.clear();
    known.add(key);
    return 'member';
  }
  let isGuest = false;
  let email: string | null = null;
  try {
    const member = await TeamsInfo.getMember(context, context.activity.from.id);
    // In a shared channel, people of other organizations take part from their own tenant (the roster
    // says which): they are not people of this one, and are neither recorded nor served as such.
    if (member.tenantId && member.tenantId !== id.tenantId) return 'external';
    isGuest = (member as { userRole?: string }).userRole === 'guest';
    email = member.email ?? member.userPrincipalName ?? null;
  } catch (err) {
    logger.info({ err: (err as Error).message }, 'roster lookup unavailable; recording the user as a member');
  }
  await recordNewcomer(deps, { tenantId: id.tenantId, userId: id.userId, displayName: id.name, email, isGuest });
  return 'member';
};
