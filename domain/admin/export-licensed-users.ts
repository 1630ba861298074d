import { requireAdminRead } from '../access';
import type { ActorContext, Deps, ExportCursor, ExportRow } from '../ports';
import { audit, getProduct } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseIdList } from '../shared/validation';

/** Every live subscription of a large tenant (×10 of today's benchmark: 50,000) fits in one export. */
export const MAX_EXPORT_SUBSCRIPTIONS = 100_000;
/**
 * Rows per read: one read holds at most this many rows (and their CSV) in memory. Small enough that a
 * page read ahead while the last one is written out dies young: with 2,000 rows, pages outlived two
 * scavenges and were promoted, and a 500,000-row export on PostgreSQL (its reads asynchronous) grew the
 * JS heap by 85–108 MB before a full collection; with 500, by 3–4 MB, at the same speed (bench/RESULTS.md).
 */
const BATCH = 500;
/** Subscriptions visited per read, so a list of many empty ones doesn't hold the event loop. */
const SUBSCRIPTIONS_PER_READ = 500;

/** RFC 4180 quoting, plus a leading apostrophe for cells a spreadsheet would run as a formula. */
export const csvCell = (value: string | null | undefined): string => {
  let v = value ?? '';
  // A spreadsheet runs a cell as a formula when it starts with = + - @ (also after leading spaces or a
  // line break, which some trim) or with a tab / carriage return / line feed: such cells are prefixed with '.
  // (Most cells start with a letter or digit: the pattern is tried only on the others.)
  if (v.length > 0 && !PLAIN_START.test(v) && /^\s*[=+\-@]|^[\t\r\n]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

/** A first character that can't start a formula, nor be space before one. */
const PLAIN_START = /^[\p{L}\p{N}]/u;

const line = (cells: Array<string | null>): string => `${cells.map(csvCell).join(',')}\r\n`;

const NOT_DESCRIBED = { product: '', purchaser: '' };

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
   * the current page are described (product, purchaser), so memory holds two pages whatever the total.
   */
  async function* rows(): AsyncGenerator<string> {
    yield line(['Display name', 'Email', 'User id', 'Product', 'Subscription id', 'Purchaser', 'Assigned at']);
    type Described = Map<string, { product: string; purchaser: string }>;
    /** A page, and its subscriptions described (those of the page before it are not read again). */
    type Page = { rows: ExportRow[]; next: ExportCursor | null; described: Described };
    const read = (from: ExportCursor, before: Described): Promise<Page> =>
      deps.uow.read(async (repos) => {
        const found = await repos.assignments.exportPage(ctx.tenantId, ids, from, BATCH, SUBSCRIPTIONS_PER_READ);
        const described: Described = new Map();
        const missing: string[] = [];
        for (const id of new Set(found.rows.map((r) => r.subscriptionId))) {
          const known = before.get(id);
          if (known) described.set(id, known);
          else missing.push(id);
        }
        if (missing.length) {
          const subs = await repos.subscriptions.getMany(ctx.tenantId, missing);
          const names = new Map((await repos.users.getMany(ctx.tenantId, [...new Set(subs.map((s) => s.purchaserId))])).map((u) => [u.id, u.displayName]));
          for (const s of subs) described.set(s.id, { product: products.get(s.productId) ?? s.productId, purchaser: names.get(s.purchaserId) ?? s.purchaserId });
        }
        return { ...found, described };
      });
    // The next page is read while this one is written out: the database's time overlaps ours and the
    // reader's (two pages in memory at most).
    let next: Promise<Page> | null = read({ index: 0, afterId: null }, new Map());
    try {
      while (next) {
        const page: Page = await next;
        next = page.next ? read(page.next, page.described) : null;
        let chunk = '';
        // Each line written straight into the chunk (no array of cells per row): an export of half a
        // million rows allocates about a third less, and its pages die young instead of being promoted.
        for (const r of page.rows) {
          const sub = page.described.get(r.subscriptionId) ?? NOT_DESCRIBED;
          chunk += `${csvCell(r.displayName)},${csvCell(r.email)},${csvCell(r.userId)},${csvCell(sub.product)},${csvCell(r.subscriptionId)},${csvCell(sub.purchaser)},${csvCell(r.assignedAt.toISOString())}\r\n`;
        }
        if (chunk) yield chunk;
      }
    } finally {
      // Stopped early (the download was cancelled): the read ahead is not wanted, nor its failure.
      next?.catch(() => undefined);
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
