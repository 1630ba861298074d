import { DomainError, ERROR_CATEGORIES, ErrorCodes, categoryOf, type ErrorCode } from '../../domain/shared/errors';
import { allowed, firstRefusal, refusedBy, requireAbility } from '../../domain/shared/abilities';
import { statusForCode } from '../../bot/web/web-api';

/** The web API's mapping before codes had categories, kept here to prove the statuses did not move. */
const statusBeforeCategories = (code: string): number => {
  if (code.startsWith('AUTH.')) return 403;
  if (code === 'SUBSCRIPTION.NOT_OWNER' || code === 'TAKEOVER.NOT_SELF_SERVICE' || code === 'LICENSE.ADMIN_MUST_TAKE_OVER') return 403;
  if (code === 'TENANT.UNKNOWN' || code === 'USER.NOT_FOUND') return 403;
  if (code.endsWith('NOT_FOUND') || code === 'PRODUCT.UNKNOWN') return 404;
  if (code.startsWith('PAYMENT.')) return 402;
  if (code === 'CONCURRENCY.CONFLICT' || code.includes('ALREADY') || code === 'IDEMPOTENCY.KEY_REUSED') return 409;
  return 422;
};

const ALL_CODES = Object.values(ErrorCodes) as ErrorCode[];

describe('error categories', () => {
  test('every code has exactly one category, and nothing else does', () => {
    expect(Object.keys(ERROR_CATEGORIES).sort()).toEqual([...ALL_CODES].sort());
    for (const code of ALL_CODES) expect(['invalid', 'not_found', 'forbidden', 'conflict', 'payment']).toContain(categoryOf(code));
  });

  test.each(ALL_CODES)('%s keeps its HTTP status', (code) => {
    expect(statusForCode(code)).toBe(statusBeforeCategories(code));
  });

  test('a DomainError tells its category', () => {
    expect(new DomainError(ErrorCodes.BILL_ALREADY_PAID, 'paid').category).toBe('conflict');
    expect(new DomainError(ErrorCodes.USER_NOT_FOUND, 'who?').category).toBe('forbidden');
    expect(new DomainError(ErrorCodes.PAYMENT_DECLINED, 'no').category).toBe('payment');
  });
});

describe('abilities', () => {
  test('requireAbility throws the refusal as the DomainError, with its code, reason and details', () => {
    expect(() => requireAbility(allowed())).not.toThrow();
    try {
      requireAbility(refusedBy(ErrorCodes.LICENSE_NOT_ENOUGH, 'The central subscription has 1 free license; 2 are needed.', { needed: 2 }));
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect(e).toMatchObject({ code: 'LICENSE.NOT_ENOUGH', message: 'The central subscription has 1 free license; 2 are needed.', details: { needed: 2 } });
    }
  });

  test('firstRefusal reports the first refusal and runs later checks only when needed', () => {
    const later = jest.fn(() => refusedBy(ErrorCodes.INPUT_INVALID, 'later'));
    expect(firstRefusal(refusedBy(ErrorCodes.AUTH_READ_ONLY, 'first'), later)).toMatchObject({ code: 'AUTH.READ_ONLY' });
    expect(later).not.toHaveBeenCalled();
    expect(firstRefusal(allowed(), later)).toMatchObject({ code: 'INPUT.INVALID' });
    expect(firstRefusal(allowed(), () => allowed())).toEqual({ ok: true });
  });
});
