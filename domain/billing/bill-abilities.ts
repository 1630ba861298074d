import type { Actor } from '../access';
import type { Invoice } from '../model';
import { allowed, refusedBy, type Ability } from '../shared/abilities';
import { ErrorCodes } from '../shared/errors';

/** R2: the purchaser pays their own unpaid bills (with the card on file or a new one). */
export const payAbility = (actor: Actor, invoice: Invoice): Ability => {
  if (invoice.purchaserId !== actor.user.id) return refusedBy(ErrorCodes.BILL_NOT_FOUND, "We couldn't find that bill among yours.");
  if (invoice.status === 'Paid') return refusedBy(ErrorCodes.BILL_ALREADY_PAID, 'That bill is already paid.');
  return allowed();
};

export const billAbilities = (actor: Actor, invoice: Invoice): { pay: Ability } => ({ pay: payAbility(actor, invoice) });
