import { requireAdminRead } from '../access';
import type { ActorContext, Deps, ExportCursor } from '../ports';
import { audit, getProduct } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseIdList } from '../shared/validation';

/** Every live subscription of a large tenant (×10 of today's benchmark: 50,000) fits in one export. */
export const MAX_EXPORT_SUBSCRIPTIONS = 100_000;
/** Rows per read: one read holds at most this many rows (and their CSV) in memory. */
const BATCH = 2_000;
/** Subscriptions visited per read, so a list of many empty ones doesn't hold the event loop. */
const SUBSCRIPTIONS_PER_READ = 500;

/** RFC 4180 quoting, plus a leading apostrophe for cells a spreadsheet would run as a formula. */
export const csvCell = (value: string | null | undefined): string => {
  let v = value ?? '';
  // A spreadsheet runs a cell as a formula when it starts with = + - @ (also after leading spaces or a
  // line break, which some trim) or with a tab / carriage return / line feed: such cells are prefixed with '.
  if (/^\s*[=+\-@]|^[\t\r\n]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

const line = (cells: Array<string | null>): string => `${cells.map(csvCell).join(',')}\r\n`;

/**
 * R7: the licensed users of the chosen subscriptions as CSV, streamed in batches so memory stays flat
 * however many rows there are. Access and every id are checked before the first byte.
 */
export const exportLicensedUsers = async (deps: Deps, ctx: ActorContext, input: { subscriptionIds: unknown }): Promise<AsyncIterable<string>> => {
  const ids = parseIdList(input.subscriptionIds, 'subscription', MAX_EXPORT_SUBSCRIPTIONS);
  if (ids.length === 0) fail(ErrorCodes.INPUT_INVALID, 'Choose at least one subscription to export.');
  const products = await deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    if ((await repos.subscriptions.countExisting(ctx.tenantId, ids)) !== ids.length)
      fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "Some of those subscriptions aren't in your organization.");
    return new Map((await repos.products.list()).map((p) => [p.id, p.name]));
  });
  await deps.uow.run((repos) =>
    audit(
      repos,
      deps,
      ctx,
      'license.export',
      { type: 'subscriptions', id: ids.length === 1 ? ids[0] : `${ids.length}` },
      `Exported licensed users of ${ids.length} subscription(s)`,
    ),
  );

  /**
   * Subscription by subscription in the order chosen, each one's users by assignment id, a page of
   * rows per read (keyset: no page re-reads what an earlier one returned). Only the subscriptions of
   * the current page are described (product, purchaser), so memory holds one page whatever the total.
   */
  async function* rows(): AsyncGenerator<string> {
    yield line(['Display name', 'Email', 'User id', 'Product', 'Subscription id', 'Purchaser', 'Assigned at']);
    const described = new Map<string, { product: string; purchaser: string }>();
    for (let cursor: ExportCursor | null = { index: 0, afterId: null }; cursor;) {
      const from: ExportCursor = cursor;
      const page = await deps.uow.read(async (repos) => {
        const found = await repos.assignments.exportPage(ctx.tenantId, ids, from, BATCH, SUBSCRIPTIONS_PER_READ);
        const onPage = new Set(found.rows.map((r) => r.assignment.subscriptionId));
        for (const id of described.keys()) if (!onPage.has(id)) described.delete(id);
        const missing = [...onPage].filter((id) => !described.has(id));
        if (missing.length) {
          const subs = await repos.subscriptions.getMany(ctx.tenantId, missing);
          const names = new Map((await repos.users.getMany(ctx.tenantId, [...new Set(subs.map((s) => s.purchaserId))])).map((u) => [u.id, u.displayName]));
          for (const s of subs) described.set(s.id, { product: products.get(s.productId) ?? s.productId, purchaser: names.get(s.purchaserId) ?? s.purchaserId });
        }
        return found;
      });
      let chunk = '';
      for (const { assignment: a, displayName, email } of page.rows) {
        const sub = described.get(a.subscriptionId) ?? { product: '', purchaser: '' };
        chunk += line([displayName ?? '', email ?? '', a.userId, sub.product, a.subscriptionId, sub.purchaser, a.assignedAt.toISOString()]);
      }
      if (chunk) yield chunk;
      cursor = page.next;
    }
  }
  return rows();
};

/** The live subscriptions an export covers: one product's, or every product's. Admins only. */
export const exportableSubscriptionIds = async (deps: Deps, ctx: ActorContext, input: { productId?: unknown }): Promise<string[]> =>
  deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    const products = input.productId === undefined || input.productId === null || input.productId === '' ? await repos.products.list() : [await getProduct(repos, input.productId)];
    const ids: string[] = [];
    for (const p of products) ids.push(...(await repos.subscriptions.listLiveIds(ctx.tenantId, p.id)));
    return ids.slice(0, MAX_EXPORT_SUBSCRIPTIONS);
  });
