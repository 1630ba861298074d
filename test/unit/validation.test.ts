import { parseBillingFrequency, parseId, parseIdList, parsePaging, parseQuantity } from '../../domain/shared/validation';
import { addMonths } from '../../domain/shared/clock';
import { money, prorate } from '../../domain/shared/money';
import { csvCell } from '../../domain/admin/export-licensed-users';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return 'OK';
};

describe('quantity', () => {
  test.each([
    [undefined, ErrorCodes.QUANTITY_MISSING],
    ['', ErrorCodes.QUANTITY_MISSING],
    ['  ', ErrorCodes.QUANTITY_MISSING],
    [0, ErrorCodes.QUANTITY_NOT_POSITIVE],
    ['-1', ErrorCodes.QUANTITY_NOT_POSITIVE],
    [1.5, ErrorCodes.QUANTITY_NOT_INTEGER],
    ['1.5', ErrorCodes.QUANTITY_NOT_INTEGER],
    ['1e3', ErrorCodes.QUANTITY_NOT_INTEGER],
    ['ten', ErrorCodes.QUANTITY_NOT_INTEGER],
    [NaN, ErrorCodes.QUANTITY_NOT_INTEGER],
    [{}, ErrorCodes.QUANTITY_NOT_INTEGER],
    [10_001, ErrorCodes.QUANTITY_TOO_LARGE],
    ['99999999999999999999', ErrorCodes.QUANTITY_TOO_LARGE],
  ])('%p is refused with %s', (raw, code) => {
    expect(codeOf(() => parseQuantity(raw))).toBe(code);
  });

  test.each([
    [1, 1],
    ['7', 7],
    [' 25 ', 25],
    [10_000, 10_000],
  ])('%p is %p', (raw, n) => {
    expect(parseQuantity(raw)).toBe(n);
  });
});

test('billing frequency, ids, id lists and paging refuse what they should', () => {
  expect(parseBillingFrequency('annual')).toBe('Annual');
  expect(parseBillingFrequency(undefined)).toBe('Monthly');
  expect(codeOf(() => parseBillingFrequency('weekly'))).toBe(ErrorCodes.BILLING_FREQUENCY_INVALID);
  expect(codeOf(() => parseId('a b', 'subscription'))).toBe(ErrorCodes.INPUT_INVALID);
  expect(codeOf(() => parseId('x'.repeat(129), 'subscription'))).toBe(ErrorCodes.INPUT_INVALID);
  expect(codeOf(() => parseId({ $gt: '' }, 'subscription'))).toBe(ErrorCodes.INPUT_INVALID);
  expect(parseIdList(['a', 'a', 'b'], 'user', 5)).toEqual(['a', 'b']);
  expect(codeOf(() => parseIdList('a', 'user', 5))).toBe(ErrorCodes.INPUT_INVALID);
  expect(parsePaging(undefined, undefined)).toEqual({ page: 1, pageSize: 25 });
  expect(codeOf(() => parsePaging(0, 10))).toBe(ErrorCodes.INPUT_INVALID);
  expect(codeOf(() => parsePaging(1, 101))).toBe(ErrorCodes.INPUT_INVALID);
});

test('money is integer minor units; proration rounds to the cent', () => {
  expect(() => money(1.5, 'USD')).toThrow(RangeError);
  expect(prorate(money(1680, 'USD'), 2 * 16, 31)).toEqual({ amountMinor: 1734, currency: 'USD' });
});

test('calendar months clamp to the end of the month', () => {
  expect(addMonths(new Date('2026-01-31T10:00:00Z'), 1).toISOString()).toBe('2026-02-28T10:00:00.000Z');
  expect(addMonths(new Date('2026-01-15T09:00:00Z'), 12).toISOString()).toBe('2027-01-15T09:00:00.000Z');
});

test('CSV cells are quoted per RFC 4180 and never run as spreadsheet formulas', () => {
  expect(csvCell('plain')).toBe('plain');
  expect(csvCell('a,b')).toBe('"a,b"');
  expect(csvCell('say "hi"')).toBe('"say ""hi"""');
  expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  expect(csvCell('+1')).toBe("'+1");
  // Leading whitespace or a line break before = + - @ is neutralized too (spreadsheets trim it).
  expect(csvCell(' =1+1')).toBe("' =1+1");
  expect(csvCell('\u00a0@SUM(A1)')).toBe("'\u00a0@SUM(A1)");
  expect(csvCell('\n=cmd')).toBe(`"'\n=cmd"`);
  expect(csvCell('\r\n-2')).toBe(`"'\r\n-2"`);
  expect(csvCell('\tx')).toBe("'\tx");
  expect(csvCell('Lynne Robbins')).toBe('Lynne Robbins');
  expect(csvCell('a-b@c.com')).toBe('a-b@c.com');
  expect(csvCell(null)).toBe('');
});
