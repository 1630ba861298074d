import type { Notification, NotificationData, NotificationKind, NotificationOf, OrderEntry, Product } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { ErrorCodes, fail } from './errors';

/** Side effects every state change writes in its own transaction: audit trail, order history,
 *  notification intents. Kept here so use cases read as the rule they implement. */
/** The audit action of a notification given up because its person could not be reached (written by the outbox). */
export const UNDELIVERED_ACTION = 'notification.undelivered';

export const audit = (repos: Repositories, deps: Deps, ctx: ActorContext, action: string, target: { type: string; id: string }, summary: string): Promise<void> =>
  repos.audit.add({
    id: deps.ids.next(),
    tenantId: ctx.tenantId,
    actorId: ctx.actorId,
    action,
    targetType: target.type,
    targetId: target.id,
    summary,
    surface: ctx.surface,
    at: deps.clock.now(),
  });

export const recordOrder = (
  repos: Repositories,
  deps: Deps,
  order: Omit<OrderEntry, 'id' | 'at' | 'note' | 'amount' | 'quantityDelta'> & Partial<Pick<OrderEntry, 'note' | 'amount' | 'quantityDelta'>>,
): Promise<void> => repos.orders.add({ note: null, amount: null, quantityDelta: 0, ...order, id: deps.ids.next(), at: deps.clock.now() });

export const notify = (repos: Repositories, deps: Deps, tenantId: string, items: readonly Notification[]): Promise<void> =>
  items.length === 0 ? Promise.resolve() : repos.outbox.add(items.map((n) => ({ ...n, id: deps.ids.next(), tenantId, createdAt: deps.clock.now() })));

export const getProduct = async (repos: Repositories, productId: unknown): Promise<Product> => {
  const product = typeof productId === 'string' && productId.length <= 64 ? await repos.products.get(productId) : null;
  return product ?? fail(ErrorCodes.PRODUCT_UNKNOWN, "We don't sell that product here. Say 'catalog' to see what's available.", { productId: String(productId ?? '') });
};

/** The same notification to each of these users. */
export const toEachUser = <K extends NotificationKind>(userIds: readonly string[], kind: K, data: NotificationData[K]): Notification[] =>
  userIds.map((userId) => ({ recipient: { kind: 'user', userId }, kind, data }) as NotificationOf<K> as Notification);
