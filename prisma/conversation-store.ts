import type { ConversationReference } from 'botbuilder';
import { systemClock, type Clock } from '../domain/shared/clock';
import type { Database } from './client';
import { Prisma } from './generated/client';
import { inGroups, insertInto, limitOffset, upsert } from './repositories/support';
import { wakeWaiting } from './outbox-queue';

/** bot/conversations.ts userKey's prefix: a person's 1:1 chat. */
const USER_KEY = 'user:';

/**
 * Conversation references and Teams accounts: written in transactions (Database.transaction), read
 * from committed state (Database.readSql).
 * It has the shape of bot/conversations.ts's ConversationStore, checked where bot/ wires it in:
 * prisma/ does not import the Teams edge (.dependency-cruiser.cjs).
 */
export class PrismaConversationStore {
  /** What this process last wrote per key: every message carries the reference, few change it. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly db: Pick<Database, 'transaction' | 'readSql'>,
    private readonly clock: Clock = systemClock,
  ) {}

  async save(tenantId: string, key: string, reference: Partial<ConversationReference>): Promise<void> {
    const json = JSON.stringify(reference);
    const memo = `${tenantId}\u0000${key}`;
    if (this.written.get(memo) === json) return;
    const row = {
      conversationId: reference.conversation?.id ?? '',
      serviceUrl: reference.serviceUrl ?? '',
      reference: json,
      updatedAt: this.clock.now(),
    };
    const person = key.startsWith(USER_KEY) ? key.slice(USER_KEY.length) : null;
    await this.db.transaction(async (tx) => {
      await upsert(tx, 'ConversationReference', [{ tenantId, key, ...row }], ['tenantId', 'key']);
      if (person) await wakeWaiting(tx, tenantId, person, row.updatedAt);
    });
    this.written.set(memo, json);
  }

  /** One statement per MAX_IDS_PER_QUERY keys: the outbox sender reads a batch's references this way. */
  async getMany(tenantId: string, keys: readonly string[]): Promise<Map<string, Partial<ConversationReference>>> {
    const rows = await inGroups([...new Set(keys)], (group) =>
      this.db.readSql.query<{ key: string; reference: string }>(
        Prisma.sql`SELECT "key", "reference" FROM "ConversationReference" WHERE "tenantId" = ${tenantId} AND "key" IN (${Prisma.join(group)})`,
      ),
    );
    return new Map(rows.map((row) => [row.key, JSON.parse(row.reference) as Partial<ConversationReference>]));
  }

  /** Written when it changed (or this process hasn't written it yet): every activity carries it, few change it. */
  async saveAccount(tenantId: string, userId: string, account: { teamsUserId: string; serviceUrl: string }, opts: { keepExisting?: boolean } = {}): Promise<void> {
    const memo = `account\u0000${tenantId}\u0000${userId}`;
    const json = JSON.stringify([account.teamsUserId, account.serviceUrl]);
    if (this.written.has(memo) && (opts.keepExisting || this.written.get(memo) === json)) return;
    const row = { teamsUserId: account.teamsUserId, serviceUrl: account.serviceUrl, updatedAt: this.clock.now() };
    const rows = [{ tenantId, userId, ...row }];
    await this.db.transaction(async (tx) => {
      if (opts.keepExisting) {
        for (const statement of insertInto('TeamsAccount', rows, Prisma.sql` ON CONFLICT ("tenantId", "userId") DO NOTHING`)) await tx.execute(statement);
      } else {
        await upsert(tx, 'TeamsAccount', rows, ['tenantId', 'userId']);
      }
      // Now a chat can be started with them (create-conversation): what waited for that goes now.
      await wakeWaiting(tx, tenantId, userId, row.updatedAt);
    });
    // What is stored now is unknown after a kept row: remembered as written only when this one was.
    if (!opts.keepExisting) this.written.set(memo, json);
    else this.written.set(memo, this.written.get(memo) ?? '');
  }

  async accounts(tenantId: string, userIds: readonly string[]): Promise<Map<string, { teamsUserId: string; serviceUrl: string }>> {
    const rows = await inGroups([...new Set(userIds)], (group) =>
      this.db.readSql.query<{ userId: string; teamsUserId: string; serviceUrl: string }>(
        Prisma.sql`SELECT "userId", "teamsUserId", "serviceUrl" FROM "TeamsAccount" WHERE "tenantId" = ${tenantId} AND "userId" IN (${Prisma.join(group)})`,
      ),
    );
    return new Map(rows.map((row) => [row.userId, { teamsUserId: row.teamsUserId, serviceUrl: row.serviceUrl }]));
  }

  /** On the (tenantId, updatedAt) index: the newest entry. */
  async serviceUrlOf(tenantId: string): Promise<string | null> {
    const [row] = await this.db.readSql.query<{ serviceUrl: string }>(
      Prisma.sql`SELECT "serviceUrl" FROM "TeamsAccount" WHERE "tenantId" = ${tenantId} ORDER BY "updatedAt" DESC ${limitOffset(1, 0)}`,
    );
    return row?.serviceUrl ?? null;
  }

  async get(tenantId: string, key: string): Promise<Partial<ConversationReference> | null> {
    const [row] = await this.db.readSql.query<{ reference: string }>(Prisma.sql`SELECT "reference" FROM "ConversationReference" WHERE "tenantId" = ${tenantId} AND "key" = ${key}`);
    return row ? (JSON.parse(row.reference) as Partial<ConversationReference>) : null;
  }
}
