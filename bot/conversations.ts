import type { ConversationReference } from 'botbuilder';

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
}
