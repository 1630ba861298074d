import type { Money } from '../domain/shared/money';

/** Formatting shared by chat text and cards (Teams renders a subset of Markdown in both). */
export const price = (m: Money): string =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency }).format(m.amountMinor / 100);

export const day = (d: Date): string => d.toISOString().slice(0, 10);

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export const STATUS_WORDS: Record<string, string> = {
  PendingApproval: 'waiting for approval',
  Active: 'active',
  Trial: 'trial',
  Expired: 'expired',
  Cancelled: 'cancelled',
  Deleted: 'cancelled by an admin',
};
