import { BILLING_FREQUENCIES, type BillingFrequency } from '../model';
import { ErrorCodes, fail } from './errors';

export const MAX_QUANTITY = 10_000;
export const MAX_USERS_PER_OPERATION = 20;

/**
 * Accepts what a person or a form may send (number or text) and returns a whole number of licenses
 * in 1..MAX_QUANTITY, or throws one precise code: missing, fractional, not positive, too large.
 */
export const parseQuantity = (raw: unknown, field = 'quantity'): number => {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    fail(ErrorCodes.QUANTITY_MISSING, `Please give a ${field}.`, { field });
  }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[+-]?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (Number.isNaN(n)) fail(ErrorCodes.QUANTITY_NOT_INTEGER, `The ${field} must be a whole number.`, { field, value: String(raw) });
  if (!Number.isFinite(n)) fail(ErrorCodes.QUANTITY_TOO_LARGE, `The ${field} can be at most ${MAX_QUANTITY}.`, { field, max: MAX_QUANTITY });
  if (!Number.isInteger(n)) fail(ErrorCodes.QUANTITY_NOT_INTEGER, `The ${field} must be a whole number.`, { field, value: String(raw) });
  if (n <= 0) fail(ErrorCodes.QUANTITY_NOT_POSITIVE, `The ${field} must be at least 1.`, { field, value: n });
  if (n > MAX_QUANTITY) fail(ErrorCodes.QUANTITY_TOO_LARGE, `The ${field} can be at most ${MAX_QUANTITY}.`, { field, max: MAX_QUANTITY });
  return n;
};

export const parseBillingFrequency = (raw: unknown): BillingFrequency => {
  if (raw === undefined || raw === null || raw === '') return 'Monthly';
  const hit = BILLING_FREQUENCIES.find((f) => typeof raw === 'string' && f.toLowerCase() === raw.trim().toLowerCase());
  return hit ?? fail(ErrorCodes.BILLING_FREQUENCY_INVALID, 'Billing frequency must be Monthly or Annual.', { value: String(raw) });
};

/** Ids come from cards and forms: bounded, printable, no surprises. */
export const parseId = (raw: unknown, field: string): string => {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 128 || !/^[A-Za-z0-9._:@-]+$/.test(raw)) {
    fail(ErrorCodes.INPUT_INVALID, `That ${field} isn't valid.`, { field });
  }
  return raw as string;
};

export const parseIdList = (raw: unknown, field: string, max: number): string[] => {
  if (!Array.isArray(raw)) return fail(ErrorCodes.INPUT_INVALID, `Please choose at least one ${field}.`, { field });
  if (raw.length > max) return fail(ErrorCodes.INPUT_INVALID, `Choose at most ${max} ${field}s at a time.`, { field, max });
  return [...new Set(raw.map((x) => parseId(x, field)))];
};

export const parsePaging = (page: unknown, pageSize: unknown, maxPageSize = 100): { page: number; pageSize: number } => {
  const p = page === undefined ? 1 : Number(page);
  const s = pageSize === undefined ? 25 : Number(pageSize);
  if (!Number.isInteger(p) || p < 1 || p > 1_000_000) fail(ErrorCodes.INPUT_INVALID, 'Page must be a whole number from 1.', { field: 'page' });
  if (!Number.isInteger(s) || s < 1 || s > maxPageSize) fail(ErrorCodes.INPUT_INVALID, `Page size must be 1 to ${maxPageSize}.`, { field: 'pageSize' });
  return { page: p, pageSize: s };
};

/** Control characters and line or paragraph separators: none is kept in words shown on one line. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** The most characters of the person's own words that "Other" keeps. */
export const MAX_REASON_DETAILS = 200;

/**
 * One of the listed reasons. "Other" may carry the person's own words, kept as "Other: …" (one line,
 * control characters out); words with any other reason are not kept (the listed reason says it).
 */
export const parseReason = (raw: unknown, allowed: readonly string[], details?: unknown): string => {
  const hit = allowed.find((r) => typeof raw === 'string' && r.toLowerCase() === raw.trim().toLowerCase());
  if (!hit) return fail(ErrorCodes.REASON_INVALID, `Please pick a reason: ${allowed.join(', ')}.`, { allowed: [...allowed] });
  if (hit !== 'Other' || details === undefined || details === null) return hit;
  if (typeof details !== 'string') return fail(ErrorCodes.INPUT_INVALID, 'Say why in words.', { field: 'details' });
  const words = details.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
  if (words.length > MAX_REASON_DETAILS) return fail(ErrorCodes.REASON_INVALID, `Say why in at most ${MAX_REASON_DETAILS} characters.`, { max: MAX_REASON_DETAILS });
  return words ? `Other: ${words}` : hit;
};
