import restify, { type Request, type Response, type Server } from 'restify';
import { CardValidationError, type SandboxPaymentProvider } from '../../payments/sandbox-payment-provider';
import type { Logger } from '../logger';

export const SANDBOX_TOKENS_PATH = '/payments/sandbox/tokens';

/**
 * Stands in for a card processor's hosted tokenization endpoint (what Stripe.js or Adyen's
 * components call from the browser): the checkout page sends the card here, gets a token back, and
 * only the token goes to our purchase API. Nothing of the card is logged or stored (R2).
 */
export const registerSandboxTokenizer = (server: Server, deps: { payments: SandboxPaymentProvider; logger: Logger }): void => {
  server.post(SANDBOX_TOKENS_PATH, restify.plugins.bodyReader({ maxBodySize: 4096 }), async (req: Request, res: Response) => {
    res.header('cache-control', 'no-store');
    let card: Record<string, unknown>;
    try {
      card = JSON.parse(String(req.body ?? '')) as Record<string, unknown>;
      if (!card || typeof card !== 'object' || Array.isArray(card)) throw new Error('not an object');
    } catch {
      res.status(400);
      res.json({ error: { code: 'INPUT.INVALID', field: null, message: 'Send the card as JSON.' } });
      return;
    }
    try {
      const t = deps.payments.tokenize({
        number: String(card.number ?? ''),
        expMonth: String(card.expMonth ?? ''),
        expYear: String(card.expYear ?? ''),
        cvc: String(card.cvc ?? ''),
        name: card.name === undefined ? undefined : String(card.name),
      });
      res.status(200);
      res.json({ token: t.token, brand: t.brand, last4: t.last4, expMonth: t.expMonth, expYear: t.expYear });
      return;
    } catch (e) {
      if (!(e instanceof CardValidationError)) {
        deps.logger.error({ err: (e as Error).name }, 'sandbox tokenization failed');
        res.status(500);
        res.json({ error: { code: 'INTERNAL', field: null, message: 'The card could not be checked. Try again.' } });
        return;
      }
      res.status(422);
      res.json({ error: { code: 'CARD.INVALID', field: e.field, message: e.message } });
      return;
    }
  });
};
