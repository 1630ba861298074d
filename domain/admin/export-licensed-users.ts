import { requireAdminRead } from '../access';
import { MAX_IDS_PER_QUERY, type ActorContext, type Deps } from '../ports';
import { audit, getProduct } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { parseIdList } from '../shared/validation';

export const MAX_EXPORT_SUBSCRIPTIONS = 10_000;
const BATCH = 2_000;

/** RFC 4180 quoting, plus a leading apostrophe for cells a spreadsheet would run as a formula. */
export const csvCell = (value: string | null | undefined): string => {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
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
  const context = await deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    const subs = await repos.subscriptions.getMany(ctx.tenantId, ids);
    if (subs.length !== ids.length) fail(ErrorCodes.SUBSCRIPTION_NOT_FOUND, "Some of those subscriptions aren't in your organization.");
    const products = new Map((await repos.products.list()).map((p) => [p.id, p.name]));
    const purchasers = new Map((await repos.users.getMany(ctx.tenantId, [...new Set(subs.map((s) => s.purchaserId))])).map((u) => [u.id, u.displayName]));
    return new Map(subs.map((s) => [s.id, { product: products.get(s.productId) ?? s.productId, purchaser: purchasers.get(s.purchaserId) ?? s.purchaserId }]));
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

  async function* rows(): AsyncGenerator<string> {
    yield line(['Display name', 'Email', 'User id', 'Product', 'Subscription id', 'Purchaser', 'Assigned at']);
    for (let g = 0; g < ids.length; g += MAX_IDS_PER_QUERY) {
      const group = ids.slice(g, g + MAX_IDS_PER_QUERY);
      let after: string | null = null;
      for (;;) {
        const batch = await deps.uow.read(async (repos) => {
          const assignments = await repos.assignments.pageBySubscriptions(ctx.tenantId, group, after, BATCH);
          const users = new Map(
            (
              await repos.users.getMany(
                ctx.tenantId,
                assignments.map((a) => a.userId),
              )
            ).map((u) => [u.id, u]),
          );
          return { assignments, users };
        });
        if (batch.assignments.length === 0) break;
        let chunk = '';
        for (const a of batch.assignments) {
          const u = batch.users.get(a.userId);
          const sub = context.get(a.subscriptionId)!;
          chunk += line([u?.displayName ?? '', u?.email ?? '', a.userId, sub.product, a.subscriptionId, sub.purchaser, a.assignedAt.toISOString()]);
        }
        yield chunk;
        after = batch.assignments[batch.assignments.length - 1].id;
        if (batch.assignments.length < BATCH) break;
      }
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
    for (const p of products) for (const s of await repos.subscriptions.listLiveByProduct(ctx.tenantId, p.id)) ids.push(s.id);
    return ids.slice(0, MAX_EXPORT_SUBSCRIPTIONS);
  });
