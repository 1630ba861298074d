import { Prisma, type DirectoryUser as UserRow } from '../generated/client';
import type { DirectoryUser } from '../../domain/model';
import type { UserRepository } from '../../domain/ports';
import { searchKey, searchTermsOf } from '../../domain/directory/find-people';
import { columns, inGroups, insert, limitOffset, upsert, type SqlSession } from './support';

const USER_FIELDS = ['tenantId', 'id', 'displayName', 'email', 'isGuest', 'active'] satisfies (keyof UserRow)[];
const USER_COLUMNS = columns(USER_FIELDS);
const USER_COLUMNS_OF_U = columns(USER_FIELDS, 'u');

const toUser = (r: UserRow): DirectoryUser => ({
  id: r.id,
  tenantId: r.tenantId,
  displayName: r.displayName,
  email: r.email,
  isGuest: r.isGuest,
  active: r.active,
});

export class PrismaUserRepository implements UserRepository {
  constructor(private readonly sql: SqlSession) {}

  async get(tenantId: string, id: string): Promise<DirectoryUser | null> {
    const [row] = await this.sql.query<UserRow>(Prisma.sql`SELECT ${USER_COLUMNS} FROM "DirectoryUser" WHERE "tenantId" = ${tenantId} AND "id" = ${id}`);
    return row ? toUser(row) : null;
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<DirectoryUser[]> {
    if (ids.length === 0) return [];
    const rows = await inGroups(ids, (group) =>
      this.sql.query<UserRow>(Prisma.sql`SELECT ${USER_COLUMNS} FROM "DirectoryUser" WHERE "tenantId" = ${tenantId} AND "id" IN (${Prisma.join(group)}) ORDER BY "id"`),
    );
    return rows.map(toUser);
  }

  async activeIdsAfter(tenantId: string, after: string, limit: number): Promise<string[]> {
    // On the (tenantId, id) key, in its order: a keyset page of any tenant's size.
    const rows = await this.sql.query<{ id: string }>(
      Prisma.sql`SELECT "id" FROM "DirectoryUser" WHERE "tenantId" = ${tenantId} AND "id" > ${after} AND "active" = ${true} ORDER BY "id" ${limitOffset(Math.max(0, Math.floor(limit)), 0)}`,
    );
    return rows.map((r) => r.id);
  }

  /** The person, and their search terms when their name or email changed (a roster sync rewrites
   *  everyone, mostly unchanged: then it is one read and one write). */
  async upsert(user: DirectoryUser): Promise<void> {
    const { tenantId, id, displayName, email, isGuest, active } = user;
    const [before] = await this.sql.query<{ displayName: string; email: string | null }>(
      Prisma.sql`SELECT "displayName", "email" FROM "DirectoryUser" WHERE "tenantId" = ${tenantId} AND "id" = ${id}`,
    );
    await upsert(this.sql, 'DirectoryUser', [{ tenantId, id, displayName, email, isGuest, active }], ['tenantId', 'id']);
    if (before && before.displayName === displayName && before.email === email) return;
    await this.sql.execute(Prisma.sql`DELETE FROM "DirectorySearchTerm" WHERE "tenantId" = ${tenantId} AND "userId" = ${id}`);
    await insert(
      this.sql,
      'DirectorySearchTerm',
      searchTermsOf(user).map((term) => ({ tenantId, term, userId: id })),
    );
  }

  /**
   * A prefix is a range of the terms' primary key (tenantId, term, userId): the people are read in
   * that order, each by its key, and the search stops at `limit` of them, so its cost is the same
   * for a directory of a hundred or of a hundred thousand, even for a one-letter prefix (the card's
   * typeahead). A person found through two terms (name and email) counts once; the few found are then
   * put in name order. The range's end is the prefix followed by the highest code point.
   */
  async search(tenantId: string, query: string, limit: number): Promise<DirectoryUser[]> {
    const key = searchKey(query);
    if (key === '' || limit <= 0) return [];
    const found = new Map<string, DirectoryUser>();
    const batch = limit * 4;
    for (let after: { term: string; userId: string } | null = null; found.size < limit;) {
      const rows: Array<UserRow & { term: string }> = await this.sql.query<UserRow & { term: string }>(Prisma.sql`
        SELECT t."term", ${USER_COLUMNS_OF_U} FROM "DirectorySearchTerm" t
        JOIN "DirectoryUser" u ON u."tenantId" = t."tenantId" AND u."id" = t."userId"
        WHERE t."tenantId" = ${tenantId} AND t."term" >= ${key} AND t."term" < ${`${key}\u{10FFFF}`} AND u."active" = ${true}${
          after ? Prisma.sql` AND (t."term" > ${after.term} OR (t."term" = ${after.term} AND t."userId" > ${after.userId}))` : Prisma.empty
        }
        ORDER BY t."term", t."userId" ${limitOffset(batch, 0)}`);
      for (const r of rows) if (found.size < limit && !found.has(r.id)) found.set(r.id, toUser(r));
      if (rows.length < batch) break;
      after = { term: rows[rows.length - 1].term, userId: rows[rows.length - 1].id };
    }
    return [...found.values()].sort((a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : a.id < b.id ? -1 : 1));
  }
}
