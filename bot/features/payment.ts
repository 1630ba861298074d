import type { ActorContext, Deps } from '../../domain/ports';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { listMyPurchases, type MyPurchase } from '../../domain/purchasing/list-my-purchases';
import { isLive } from '../../domain/purchasing/purchase-support';
import type { SavedCard } from '../../cards/purchaser-cards';
import { str, type ActionInput } from './feature';

/** A card on file: one of the caller's own live subscriptions' cards, looked up here, never sent by a card or page. */
export const savedCardToken = async (deps: Deps, ctx: ActorContext, subscriptionId: string): Promise<string> => {
  const mine = await listMyPurchases(deps, ctx);
  const card = mine.find((m) => m.subscription.id === subscriptionId && isLive(m.subscription))?.subscription.card;
  if (!card) throw new DomainError(ErrorCodes.PAYMENT_METHOD_REQUIRED, "That card isn't on file any more. Enter a card.");
  return card.token;
};

/**
 * Cards on file the caller may pay with: those of their own live subscriptions, one per card. A card on
 * a subscription with an unpaid bill (its renewal was declined) comes last and is never the one offered
 * first, so paying that bill or buying again doesn't default to the card that just failed.
 */
export const savedCardsOf = async (deps: Deps, ctx: ActorContext): Promise<SavedCard[]> => savedCardsIn(await listMyPurchases(deps, ctx));

/** The cards on the caller's live subscriptions, once each, declined ones last. */
export const savedCardsIn = (items: readonly MyPurchase[]): SavedCard[] => {
  const byLabel = new Map<string, SavedCard>();
  for (const { subscription: s, unpaid } of items) {
    if (!s.card || !isLive(s)) continue;
    const label = `${s.card.brand} ending ${s.card.last4} (expires ${String(s.card.expMonth).padStart(2, '0')}/${String(s.card.expYear).slice(-2)})`;
    const seen = byLabel.get(label);
    if (!seen) byLabel.set(label, unpaid ? { subscriptionId: s.id, label, declined: true } : { subscriptionId: s.id, label });
    else if (unpaid) seen.declined = true;
  }
  const cards = [...byLabel.values()];
  return [...cards.filter((c) => !c.declined), ...cards.filter((c) => c.declined)];
};

/**
 * A newly typed card, or a card on file (one of the caller's own subscriptions, looked up here). A card
 * number typed on the form wins over the "Pay with" choice: the choice comes preselected, the digits
 * are what the person meant (Adaptive Cards can't hide the fields until "A new card" is picked).
 */
export const paymentToken = async (a: ActionInput, required: boolean): Promise<string | undefined> => {
  const saved = str(a.data.savedCard);
  const typed = str(a.data.cardNumber).trim() !== '';
  if (saved && saved !== 'new' && !typed) return savedCardToken(a.deps, a.ctx, saved);
  if (!typed) {
    if (!required) return undefined;
    throw new DomainError(ErrorCodes.PAYMENT_METHOD_REQUIRED, 'Enter a card to pay with.');
  }
  const [month, year] = str(a.data.cardExpiry)
    .split('/')
    .map((p) => p.trim());
  return a.services.tokenize({
    number: str(a.data.cardNumber),
    expMonth: month ?? '',
    expYear: year ?? '',
    cvc: str(a.data.cardCvc).trim(),
    name: str(a.data.cardName).trim() || undefined,
  }).token;
};
