import { createHmac, timingSafeEqual, createHash } from 'node:crypto';
import type { CardDetails, ChargeResult, PaymentProvider } from '../domain/ports';
import type { Money } from '../domain/shared/money';
import { digitsOf, luhnValid } from './card-number';

/**
 * A sandbox card processor with the usual test numbers. Cards are tokenized here, at the checkout
 * edge; the token is signed and carries only brand, last 4, expiry and the test outcome, so it survives
 * restarts without storing anything and a forged or altered token is rejected. The card number and
 * CVC are used for validation only and never stored, returned or logged (R2).
 */

type Outcome = 'succeed' | 'card_declined' | 'insufficient_funds' | 'expired_card';

/** Stripe-style test numbers. Any other Luhn-valid number succeeds. */
const TEST_OUTCOMES: Record<string, Outcome> = {
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
  '4000000000000069': 'expired_card',
};

const DECLINE_MESSAGES: Record<Exclude<Outcome, 'succeed'>, string> = {
  card_declined: 'The card was declined.',
  insufficient_funds: 'The card has insufficient funds.',
  expired_card: 'The card has expired.',
};

export interface CardInput {
  number: string;
  expMonth: number | string;
  expYear: number | string;
  cvc: string;
  name?: string;
}

export class CardValidationError extends Error {
  constructor(
    readonly field: 'number' | 'expiry' | 'cvc' | 'name',
    message: string,
  ) {
    super(message);
    this.name = 'CardValidationError';
  }
}

export const cardBrand = (digits: string): string => {
  if (/^4/.test(digits)) return 'Visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'Mastercard';
  if (/^3[47]/.test(digits)) return 'American Express';
  if (/^6(011|5)/.test(digits)) return 'Discover';
  return 'Card';
};

interface TokenPayload {
  b: string;
  l: string;
  m: number;
  y: number;
  o: Outcome;
  n: string; // nonce, so two tokenizations of one card differ
}

export interface SandboxCharge {
  chargeId: string;
  idempotencyKey: string;
  amount: Money;
  description: string;
  result: ChargeResult;
}

export class SandboxPaymentProvider implements PaymentProvider {
  private readonly charges = new Map<string, SandboxCharge>();
  private readonly refunds = new Map<string, { refundId: string; chargeId: string; amount: Money; idempotencyKey: string; reason: string }>();
  private nonce = 0;

  constructor(
    private readonly secret: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (secret.length < 16) throw new Error('The payment sandbox secret must be at least 16 characters.');
  }

  /** Validates a card as a checkout form would and returns a token. Throws CardValidationError. */
  tokenize(card: CardInput): { token: string } & CardDetails {
    const digits = digitsOf(String(card.number ?? ''));
    if (!luhnValid(digits)) throw new CardValidationError('number', 'That card number is not valid.');
    const expMonth = Number(card.expMonth);
    let expYear = Number(card.expYear);
    if (expYear >= 0 && expYear < 100) expYear += 2000;
    if (!Number.isInteger(expMonth) || expMonth < 1 || expMonth > 12 || !Number.isInteger(expYear) || expYear > 2100) {
      throw new CardValidationError('expiry', 'Enter the expiry date as MM/YY.');
    }
    const now = this.now();
    if (Date.UTC(expYear, expMonth, 1) <= now.getTime()) throw new CardValidationError('expiry', 'That card has expired.');
    if (!/^\d{3,4}$/.test(String(card.cvc ?? ''))) throw new CardValidationError('cvc', 'The security code is 3 or 4 digits.');
    if (card.name !== undefined && String(card.name).trim().length === 0) throw new CardValidationError('name', 'Enter the name on the card.');
    const payload: TokenPayload = {
      b: cardBrand(digits),
      l: digits.slice(-4),
      m: expMonth,
      y: expYear,
      o: TEST_OUTCOMES[digits] ?? 'succeed',
      n: `${Date.now().toString(36)}${(this.nonce++).toString(36)}`,
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return { token: `tok_sbx_${body}.${this.sign(body)}`, brand: payload.b, last4: payload.l, expMonth, expYear };
  }

  async describe(token: string): Promise<CardDetails | null> {
    const p = this.verify(token);
    return p && { brand: p.b, last4: p.l, expMonth: p.m, expYear: p.y };
  }

  async charge(request: { token: string; amount: Money; idempotencyKey: string; description: string }): Promise<ChargeResult> {
    const previous = this.charges.get(request.idempotencyKey);
    if (previous) return previous.result;
    const p = this.verify(request.token);
    let result: ChargeResult;
    if (!p) result = { status: 'declined', code: 'card_declined', message: 'The card could not be verified.' };
    else if (Date.UTC(p.y, p.m, 1) <= this.now().getTime()) result = { status: 'declined', code: 'expired_card', message: DECLINE_MESSAGES.expired_card };
    else if (p.o !== 'succeed') result = { status: 'declined', code: p.o, message: DECLINE_MESSAGES[p.o] };
    else result = { status: 'succeeded', chargeId: `ch_sbx_${createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 24)}` };
    this.charges.set(request.idempotencyKey, {
      chargeId: result.status === 'succeeded' ? result.chargeId : '',
      idempotencyKey: request.idempotencyKey,
      amount: request.amount,
      description: request.description,
      result,
    });
    return result;
  }

  async refund(request: { chargeId: string; amount: Money; idempotencyKey: string; reason: string }): Promise<{ refundId: string }> {
    const previous = this.refunds.get(request.idempotencyKey);
    if (previous) return { refundId: previous.refundId };
    const refundId = `re_sbx_${createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 24)}`;
    this.refunds.set(request.idempotencyKey, { refundId, ...request });
    return { refundId };
  }

  /** Refunds made by this process, for tests and the sandbox's own inspection. */
  refundsMade(): Array<{ refundId: string; chargeId: string; amount: Money; idempotencyKey: string; reason: string }> {
    return [...this.refunds.values()];
  }

  /** Successful charges made by this process, for tests and the sandbox's own inspection. */
  succeededCharges(): SandboxCharge[] {
    return [...this.charges.values()].filter((c) => c.result.status === 'succeeded');
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }

  private verify(token: string): TokenPayload | null {
    const m = /^tok_sbx_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
    if (!m) return null;
    const expected = Buffer.from(this.sign(m[1]));
    const given = Buffer.from(m[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      return JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as TokenPayload;
    } catch {
      return null;
    }
  }
}
