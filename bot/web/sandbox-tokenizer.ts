import type { Request, Response, Server } from 'restify';
import { CardValidationError, type SandboxPaymentProvider } from '../../payments/sandbox-payment-provider';
import type { Logger } from '../logger';
import { jsonBody } from '../body';

export const SANDBOX_TOKENS_PATH = '/payments/sandbox/tokens';

const refuse = (res: Response, status: number, message: string) => {
  res.header('cache-control', 'no-store');
  res.status(status);
  res.json({ error: { code: 'INPUT.INVALID', field: null, message } });
};

/**
 * Stands in for a card processor's hosted tokenization endpoint (what Stripe.js or Adyen's
 * components call from the browser): the checkout page sends the card here, gets a token back, and
 * only the token goes to our purchase API. Nothing of the card is logged or stored (R2).
 */
export const registerSandboxTokenizer = (server: Server, deps: { payments: SandboxPaymentProvider; logger: Logger }): void => {
  const readBody = jsonBody({
    maxBytes: 4096,
    refuse: (res, status, code, message) => {
      deps.logger.info({ code, status, path: SANDBOX_TOKENS_PATH }, 'request body refused');
      refuse(res, status, message);
    },
  });
  server.post(SANDBOX_TOKENS_PATH, readBody, async (req: Request, res: Response) => {
    res.header('cache-control', 'no-store');
    const card = req.body as Record<string, unknown> | undefined;
    if (!card) return refuse(res, 400, 'Send the card as JSON.');
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
