import type { CardSummary, ChargeIntent } from '../model';
import type { ActorContext, ChargeResult, Deps, Repositories } from '../ports';
import { DomainError, ErrorCodes, fail, isDomainError } from '../shared/errors';
import type { Money } from '../shared/money';

/**
 * Card charges outside the write transaction.
 *
 * A payment provider is a network call of unknown length. Made inside a transaction it would hold that
 * transaction (on SQLite the whole database's write lock) for as long as it takes, and a crash or a
 * timeout between a successful charge and the commit would leave money taken with nothing recorded.
 * So a charged change runs in three steps:
 *
 * 1. **prepare**, in a transaction: every check, then a ChargeIntent (the charge's idempotency key,
 *    amount, card token and the plan the change needs) is committed. Or, when nothing is to be
 *    charged (a central subscription, a refusal that must be recorded), the whole change, done there.
 * 2. **the charge**, outside any transaction, keyed by the intent's key: asking again with that key
 *    returns the first result and never charges twice.
 * 3. **commit**, in a transaction: the change is made on the state as it is now, and the intent is
 *    settled with the outcome, together. When the change can no longer be made (the subscription was
 *    cancelled meanwhile, the bill paid by another card, the request decided by another admin), the
 *    charge is refunded and the intent settled as Refunded.
 *
 * A crash or an error of the infrastructure at any point leaves either no intent (nothing happened) or
 * a Pending one, which the recovery sweep (settle-charges.ts) finishes from its plan: the same key,
 * so charged once, and the change with its notifications recorded once.
 */

export interface ChargeSpec {
  key: string;
  card: CardSummary;
  amount: Money;
  description: string;
}

export type Prepared<P, R> = { done: R } | { charge: ChargeSpec; plan: P };

export interface ChargedOperation<I, P, R> {
  /** Stored with each intent: which operation's commit finishes it (settle-charges.ts looks it up). */
  name: string;
  prepare(repos: Repositories, deps: Deps, ctx: ActorContext, input: I): Promise<Prepared<P, R>>;
  /**
   * Makes the change the charge paid for. Throws a DomainError when it can no longer be made (a
   * successful charge is then refunded). On a decline: throws the payment error (nothing changes), or
   * records the decline and returns (a renewal's unpaid bill, an approval that failed).
   */
  commit(repos: Repositories, deps: Deps, ctx: ActorContext, plan: P, outcome: ChargeResult): Promise<{ result: R; resultId: string | null }>;
  /** The result of an intent that was settled already (a retry, another instance or the sweep got there first). */
  replay(repos: Repositories, deps: Deps, ctx: ActorContext, plan: P, intent: ChargeIntent): Promise<R>;
}

/** The error a decline gives the person who pressed Buy or Pay: nothing was charged. */
export const declineError = (card: Pick<CardSummary, 'brand' | 'last4'>, outcome: Extract<ChargeResult, { status: 'declined' }>): DomainError =>
  new DomainError(
    outcome.code === 'expired_card' ? ErrorCodes.PAYMENT_CARD_EXPIRED : ErrorCodes.PAYMENT_DECLINED,
    `Your ${card.brand} card ending ${card.last4} was declined: ${outcome.message} Nothing was charged.`,
    { reason: outcome.code },
  );

/** A replay of an intent whose change was not made: the same answer the first caller got. */
export const replayRefusal = (intent: ChargeIntent): never =>
  fail(intent.outcome === 'Declined' ? ErrorCodes.PAYMENT_DECLINED : ErrorCodes.CONCURRENCY_CONFLICT, intent.note ?? 'That payment did not go through. Nothing was charged.');

const contextOf = (intent: ChargeIntent): ActorContext => ({ tenantId: intent.tenantId, actorId: intent.actorId, surface: intent.surface });

/** Another finisher settled (or forgot) the intent while this one made its change: the change is rolled back. */
class SettledMeanwhile extends Error {}

/** Runs a charged operation: prepare, charge, commit (see above). */
export const runCharged = async <I, P, R>(deps: Deps, ctx: ActorContext, op: ChargedOperation<I, P, R>, input: I): Promise<R> => {
  const first = await deps.uow.run(async (repos): Promise<{ done: R } | { intent: ChargeIntent }> => {
    const prepared = await op.prepare(repos, deps, ctx, input);
    if ('done' in prepared) return prepared;
    // The same key again (a double click, a retried request): carry on with the intent already written.
    return {
      intent: await repos.charges.addOrGet({
        tenantId: ctx.tenantId,
        key: prepared.charge.key,
        operation: op.name,
        actorId: ctx.actorId,
        surface: ctx.surface,
        plan: JSON.stringify(prepared.plan),
        amount: prepared.charge.amount,
        cardToken: prepared.charge.card.token,
        description: prepared.charge.description,
        status: 'Pending',
        outcome: null,
        chargeId: null,
        resultId: null,
        note: null,
        createdAt: deps.clock.now(),
        settledAt: null,
      }),
    };
  });
  return 'done' in first ? first.done : finishCharge(deps, op, first.intent);
};

/**
 * Steps 2 and 3 for an intent: charge with its key, then commit and settle. Also what the recovery
 * sweep runs for an intent a crash left Pending. Errors of the infrastructure (the provider
 * unreachable, the database gone) leave the intent Pending for the sweep.
 */
export const finishCharge = async <P, R>(deps: Deps, op: ChargedOperation<unknown, P, R>, intent: ChargeIntent): Promise<R> => {
  const ctx = contextOf(intent);
  const plan = JSON.parse(intent.plan) as P;
  if (intent.status === 'Settled') return deps.uow.read((repos) => op.replay(repos, deps, ctx, plan, intent));
  const outcome = await deps.payments.charge({ token: intent.cardToken, amount: intent.amount, idempotencyKey: intent.key, description: intent.description });
  try {
    return await deps.uow.run(async (repos) => {
      const { result, resultId } = await op.commit(repos, deps, ctx, plan, outcome);
      // Only a Pending intent settles. On PostgreSQL this waits for a second finisher (a retry, another
      // instance, the sweep) holding the intent; when that one settled it first, this change is rolled back.
      const settled = await repos.charges.settle({
        ...intent,
        status: 'Settled',
        outcome: outcome.status === 'succeeded' ? 'Charged' : 'Declined',
        chargeId: outcome.status === 'succeeded' ? outcome.chargeId : null,
        resultId,
        note: outcome.status === 'declined' ? outcome.message : null,
        settledAt: deps.clock.now(),
      });
      if (!settled) throw new SettledMeanwhile();
      return result;
    });
  } catch (e) {
    // Lost a race: to another finisher of this intent (it settled first, or its change collided with
    // ours, say on the form's idempotency record), whose answer is this one's too; or to another writer.
    if (e instanceof SettledMeanwhile || isDomainError(e, ErrorCodes.CONCURRENCY_CONFLICT)) {
      const current = await deps.uow.read((repos) => repos.charges.get(intent.tenantId, intent.key));
      if (current?.status === 'Settled') return deps.uow.read((repos) => op.replay(repos, deps, ctx, plan, current));
      if (e instanceof SettledMeanwhile) return fail(ErrorCodes.CONCURRENCY_CONFLICT, 'That payment is no longer on record.');
      throw e; // Left Pending: the sweep finishes it.
    }
    // Not a refusal: the infrastructure failed. Left Pending.
    if (!isDomainError(e)) throw e;
    // The change can't be made now (or the decline fails the caller): unless another finisher settled
    // it with the change meanwhile, forget a declined attempt, or give a successful charge back and
    // keep its record as Refunded.
    const settled = await deps.uow.read((repos) => repos.charges.get(intent.tenantId, intent.key));
    if (settled?.status === 'Settled') {
      if (settled.outcome === 'Charged') return deps.uow.read((repos) => op.replay(repos, deps, ctx, plan, settled));
      throw e;
    }
    if (outcome.status === 'declined') {
      // Nothing was charged: the attempt leaves nothing behind, as any refusal (a retry asks the provider again, which answers the same).
      await deps.uow.run((repos) => repos.charges.removePending(intent.tenantId, intent.key));
      throw e;
    }
    await deps.payments.refund({ chargeId: outcome.chargeId, amount: intent.amount, idempotencyKey: `refund:${intent.key}`, reason: e.message });
    await deps.uow.run(async (repos) => {
      const current = await repos.charges.get(intent.tenantId, intent.key);
      if (current?.status !== 'Pending') return;
      await repos.charges.settle({ ...current, status: 'Settled', outcome: 'Refunded', chargeId: outcome.chargeId, note: e.message, settledAt: deps.clock.now() });
    });
    throw e;
  }
};
