import { SandboxPaymentProvider, CardValidationError } from '../../payments/sandbox-payment-provider';
import { luhnValid } from '../../payments/card-number';
import { money } from '../../domain/shared/money';

const now = () => new Date('2026-06-01T00:00:00Z');
const provider = () => new SandboxPaymentProvider('unit-test-secret-123456', now);
const card = (number: string) => ({ number, expMonth: 12, expYear: 2030, cvc: '123', name: 'Pat' });

describe('sandbox payment provider', () => {
  test('R2 tokenizes a card without keeping its number or CVC', async () => {
    const p = provider();
    const t = p.tokenize(card('4242 4242 4242 4242'));
    expect(t).toMatchObject({ brand: 'Visa', last4: '4242', expMonth: 12, expYear: 2030 });
    expect(t.token).not.toContain('4242424242424242');
    expect(Buffer.from(t.token.split('_')[2].split('.')[0], 'base64url').toString()).not.toMatch(/4242424242424242|"123"/);
    expect(await p.describe(t.token)).toEqual({ brand: 'Visa', last4: '4242', expMonth: 12, expYear: 2030 });
  });

  test('validates number (Luhn), expiry and CVC', () => {
    const p = provider();
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(() => p.tokenize(card('4242424242424241'))).toThrow(CardValidationError);
    expect(() => p.tokenize({ ...card('4242424242424242'), expMonth: 13 })).toThrow(/MM\/YY/);
    expect(() => p.tokenize({ ...card('4242424242424242'), expMonth: 5, expYear: 26 })).toThrow(/expired/);
    expect(() => p.tokenize({ ...card('4242424242424242'), cvc: '12' })).toThrow(/security code/);
  });

  test('declines the usual test cards and rejects forged or foreign tokens', async () => {
    const p = provider();
    const charge = (token: string, key: string) => p.charge({ token, amount: money(100, 'USD'), idempotencyKey: key, description: 'x' });
    expect(await charge(p.tokenize(card('4000000000000002')).token, 'a')).toMatchObject({ status: 'declined', code: 'card_declined' });
    expect(await charge(p.tokenize(card('4000000000009995')).token, 'b')).toMatchObject({ status: 'declined', code: 'insufficient_funds' });
    expect(await charge(p.tokenize(card('4000000000000069')).token, 'c')).toMatchObject({ status: 'declined', code: 'expired_card' });
    const other = new SandboxPaymentProvider('another-secret-9876543', now).tokenize(card('4242424242424242')).token;
    expect(await p.describe(other)).toBeNull();
    expect(await p.describe('tok_sbx_eyJ9.x')).toBeNull();
    expect(p.succeededCharges()).toHaveLength(0);
  });

  test('charges are idempotent by key', async () => {
    const p = provider();
    const token = p.tokenize(card('5555555555554444')).token;
    const a = await p.charge({ token, amount: money(500, 'USD'), idempotencyKey: 'k1', description: 'x' });
    const b = await p.charge({ token, amount: money(500, 'USD'), idempotencyKey: 'k1', description: 'x' });
    expect(a).toEqual(b);
    expect(p.succeededCharges()).toHaveLength(1);
  });
});
