import { loadActor } from '../access';
import { count } from '../shared/wording';
import type { CardSummary, Invoice, Subscription } from '../model';
import type { ActorContext, Deps, Repositories } from '../ports';
import { daysBetween } from '../shared/clock';
import { audit, getProduct, recordOrder } from '../shared/effects';
import { ErrorCodes, fail } from '../shared/errors';
import { prorate, type Money } from '../shared/money';
import { MAX_QUANTITY, parseId, parseQuantity } from '../shared/validation';
import { parseIdempotencyKey, remember, replay } from '../shared/idempotency';
import { loadForAction, newInvoice } from './purchase-support';
import { declineError, replayRefusal, runCharged, type ChargedOperation } from './charges';

const period = (s: Subscription): number => daysBetween(s.startedAt, s.expiresAt) || 1;

interface AddInput {
  subscriptionId: unknown;
  quantity: unknown;
  idempotencyKey?: unknown;
}

interface AddPlan {
  subscriptionId: string;
  more: number;
  amountMinor: number;
  currency: string;
  description: string;
  card: CardSummary;
  key: string | null;
  fingerprint: string;
}

type AddResult = { subscription: Subscription; invoice: Invoice | null };

/** Loads the subscription and refuses what the reads refuse: trials, strangers, readers, ended subscriptions, too many licenses. */
const loadForAdding = async (repos: Repositories, ctx: ActorContext, subscriptionId: string, more: number): Promise<Subscription> => {
  const actor = await loadActor(repos, ctx);
  const { subscription: s } = await loadForAction(repos, actor, subscriptionId, 'addLicenses');
  if (s.quantity + more > MAX_QUANTITY) fail(ErrorCodes.QUANTITY_TOO_LARGE, `A subscription can have at most ${MAX_QUANTITY} licenses.`, { max: MAX_QUANTITY });
  return s;
};

const applyAdd = async (
  repos: Repositories,
  deps: Deps,
  ctx: ActorContext,
  s: Subscription,
  more: number,
  amount: Money,
  invoice: Invoice | null,
  key: string | null,
  fingerprint: string,
): Promise<AddResult> => {
  const product = await getProduct(repos, s.productId);
  if (invoice) await repos.invoices.add(invoice);
  const subscription = await repos.subscriptions.update({ ...s, quantity: s.quantity + more });
  await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: s.id, kind: 'LicensesAdded', quantityDelta: more, amount, actorId: ctx.actorId });
  await audit(repos, deps, ctx, 'subscription.add-licenses', { type: 'subscription', id: s.id }, `${product.name}: ${s.quantity} → ${count(subscription.quantity, 'license')}`);
  await remember(repos, deps, ctx, key, 'add-licenses', fingerprint, s.id);
  return { subscription, invoice };
};

/**
 * Buy more licenses on a subscription. Self-service: the purchaser's card is charged for the rest of
 * the current term, prorated by day, outside the transaction (charges.ts). Central: billed to the
 * organization's agreement, no card.
 */
export const ADD_LICENSES: ChargedOperation<AddInput, AddPlan, AddResult> = {
  name: 'add-licenses',
  prepare: async (repos, deps, ctx, input) => {
    const subscriptionId = parseId(input.subscriptionId, 'subscription');
    const more = parseQuantity(input.quantity);
    const key = parseIdempotencyKey(input.idempotencyKey);
    const fingerprint = JSON.stringify(['add', subscriptionId, more]);
    // A double-clicked "Add" adds once: the second click finds the first one's result.
    if (await replay(repos, ctx, key, 'add-licenses', fingerprint)) {
      return { done: { subscription: (await repos.subscriptions.get(ctx.tenantId, subscriptionId))!, invoice: null } };
    }
    const s = await loadForAdding(repos, ctx, subscriptionId, more);
    const product = await getProduct(repos, s.productId);
    const amount = prorate(s.unitPrice, more * daysBetween(deps.clock.now(), s.expiresAt), period(s));
    if (s.origin !== 'SelfService' || amount.amountMinor <= 0) return { done: await applyAdd(repos, deps, ctx, s, more, amount, null, key, fingerprint) };
    const card = s.card ?? fail(ErrorCodes.PAYMENT_METHOD_REQUIRED, 'Add a card to this subscription first.');
    const description = `${product.name}: ${more} more license${more === 1 ? '' : 's'} until ${s.expiresAt.toISOString().slice(0, 10)}`;
    return {
      charge: { key: `add:${s.id}:${key ?? deps.ids.next()}`, card, amount, description },
      plan: { subscriptionId, more, amountMinor: amount.amountMinor, currency: amount.currency, description, card, key, fingerprint },
    };
  },
  commit: async (repos, deps, ctx, plan, outcome) => {
    if (outcome.status === 'declined') throw declineError(plan.card, outcome);
    // Checked again on the state as it is now: cancelled or taken over meanwhile, the charge is refunded.
    const s = await loadForAdding(repos, ctx, plan.subscriptionId, plan.more);
    const amount = { amountMinor: plan.amountMinor, currency: plan.currency };
    const invoice = newInvoice(deps, s, amount, plan.description, { chargeId: outcome.chargeId });
    const result = await applyAdd(repos, deps, ctx, s, plan.more, amount, invoice, plan.key, plan.fingerprint);
    return { result, resultId: invoice.id };
  },
  replay: async (repos, _deps, ctx, plan, intent) => {
    if (intent.outcome !== 'Charged') return replayRefusal(intent);
    return {
      subscription: (await repos.subscriptions.get(ctx.tenantId, plan.subscriptionId))!,
      invoice: intent.resultId ? await repos.invoices.get(ctx.tenantId, intent.resultId) : null,
    };
  },
};

export const addLicenses = (deps: Deps, ctx: ActorContext, input: AddInput): Promise<AddResult> => runCharged(deps, ctx, ADD_LICENSES, input);

/** Remove licenses; never below the number assigned (unassign people first) and never to zero (cancel instead). */
export const removeLicenses = async (deps: Deps, ctx: ActorContext, input: { subscriptionId: unknown; quantity: unknown; idempotencyKey?: unknown }): Promise<Subscription> => {
  const subscriptionId = parseId(input.subscriptionId, 'subscription');
  const fewer = parseQuantity(input.quantity);
  const key = parseIdempotencyKey(input.idempotencyKey);
  const fingerprint = JSON.stringify(['remove', subscriptionId, fewer]);
  return deps.uow.run(async (repos) => {
    if (await replay(repos, ctx, key, 'remove-licenses', fingerprint)) return (await repos.subscriptions.get(ctx.tenantId, subscriptionId))!;
    const actor = await loadActor(repos, ctx);
    const { subscription: s, assigned } = await loadForAction(repos, actor, subscriptionId, 'removeLicenses');
    const target = s.quantity - fewer;
    if (target < 1)
      fail(ErrorCodes.QUANTITY_TOO_LARGE, `This subscription has ${count(s.quantity, 'license')}; to remove ${s.quantity === 1 ? 'it' : 'them all'}, cancel it.`, {
        quantity: s.quantity,
      });
    if (target < assigned) {
      fail(
        ErrorCodes.LICENSE_BELOW_ASSIGNED,
        `${count(assigned, 'license')} ${assigned === 1 ? 'is' : 'are'} assigned, so it can't go below ${assigned}: ${s.quantity > assigned ? `remove at most ${s.quantity - assigned}, or unassign people first` : 'unassign people first'}.`,
        { assigned, quantity: s.quantity },
      );
    }
    const product = await getProduct(repos, s.productId);
    const subscription = await repos.subscriptions.update({ ...s, quantity: target });
    await recordOrder(repos, deps, { tenantId: ctx.tenantId, subscriptionId: s.id, kind: 'LicensesRemoved', quantityDelta: -fewer, actorId: ctx.actorId });
    await audit(repos, deps, ctx, 'subscription.remove-licenses', { type: 'subscription', id: s.id }, `${product.name}: ${s.quantity} → ${count(target, 'license')}`);
    await remember(repos, deps, ctx, key, 'remove-licenses', fingerprint, s.id);
    return subscription;
  });
};
