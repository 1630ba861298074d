import { DomainError, type ErrorCode } from './errors';

/**
 * Whether one action is possible for one actor now, and if not, why — in words a person can act on.
 * The same value is what a read reports (so a card shows only what is possible, and says why the
 * rest is not) and what a use case refuses with (same code, same message).
 */
export type Ability = { ok: true } | { ok: false; code: ErrorCode; reason: string; details?: Record<string, unknown> };

export type Abilities<K extends string> = Record<K, Ability>;

const ALLOWED: Ability = Object.freeze({ ok: true });

export const allowed = (): Ability => ALLOWED;

export const refusedBy = (code: ErrorCode, reason: string, details?: Record<string, unknown>): Ability =>
  details === undefined ? { ok: false, code, reason } : { ok: false, code, reason, details };

/** The first refusal among these checks, in order; allowed when none refuses. Later checks run only if needed. */
export const firstRefusal = (...checks: ReadonlyArray<Ability | (() => Ability)>): Ability => {
  for (const check of checks) {
    const a = typeof check === 'function' ? check() : check;
    if (!a.ok) return a;
  }
  return ALLOWED;
};

/** Throws the refusal as the DomainError a use case fails with (same code, message and details). */
export const requireAbility = (a: Ability): void => {
  if (!a.ok) throw new DomainError(a.code, a.reason, a.details ?? {});
};

/** One refusal for every key: a Global reader's or a stranger's view of a set of actions. */
export const allRefused = <K extends string>(keys: readonly K[], refusal: Ability): Abilities<K> => Object.fromEntries(keys.map((k) => [k, refusal])) as Abilities<K>;
