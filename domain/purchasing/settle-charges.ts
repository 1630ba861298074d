import type { Deps } from '../ports';
import { ErrorCodes, isDomainError } from '../shared/errors';
import { APPROVE_REQUEST } from '../approvals/decide-purchase-request';
import { BILLING_STEP } from '../billing/run-billing-cycle';
import { PAY_BILL } from '../billing/pay-bill';
import { BUY } from './buy-subscription';
import { ADD_LICENSES } from './change-license-count';
import { finishCharge, type ChargedOperation } from './charges';

/** Every charged operation by the name its intents carry. */
export const CHARGED_OPERATIONS: ReadonlyMap<string, ChargedOperation<never, unknown, unknown>> = new Map(
  [BUY, ADD_LICENSES, PAY_BILL, APPROVE_REQUEST, BILLING_STEP].map((op) => [op.name, op as unknown as ChargedOperation<never, unknown, unknown>]),
);

/** How old a Pending intent must be before the sweep takes it for cut short: longer than any charge and commit take. */
export const STALLED_AFTER_MS = 2 * 60_000;

export interface SettleReport {
  /** Intents finished: charged (again, with the same key: once) and recorded, or refunded, or forgotten on a decline. */
  settled: string[];
  /** Left for the next sweep: the provider or the database did not answer. */
  failed: string[];
}

/**
 * The recovery sweep: finishes the charges a crash, a timeout or a lost connection left Pending,
 * from each intent's plan, on any instance (run at start and periodically). Asking the provider again
 * with the intent's key returns the first result, so a charge that went through before the crash is
 * not made twice, and one that never reached the provider is made now; then the change and its
 * notifications are recorded once, or the charge refunded when the change can no longer be made.
 */
export const settleStalledCharges = async (deps: Deps, opts: { olderThanMs?: number; limit?: number } = {}): Promise<SettleReport> => {
  const before = new Date(deps.clock.now().getTime() - (opts.olderThanMs ?? STALLED_AFTER_MS));
  const stalled = await deps.uow.read((repos) => repos.charges.listPending(before, opts.limit ?? 100));
  const report: SettleReport = { settled: [], failed: [] };
  for (const intent of stalled) {
    const op = CHARGED_OPERATIONS.get(intent.operation);
    if (!op) {
      report.failed.push(intent.key); // written by a newer version of this code: left for it
      continue;
    }
    try {
      await finishCharge(deps, op, intent);
      report.settled.push(intent.key);
    } catch (e) {
      // A refusal is an outcome (settled or forgotten by finishCharge); anything else is tried again next time.
      (isDomainError(e) && e.code !== ErrorCodes.CONCURRENCY_CONFLICT ? report.settled : report.failed).push(intent.key);
    }
  }
  return report;
};
