import { adminWriteAbility, type Actor } from '../access';
import type { PurchaseRequest } from '../model';
import { allowed, firstRefusal, refusedBy, type Abilities, type Ability } from '../shared/abilities';
import { ErrorCodes } from '../shared/errors';

export type RequestAction = 'approve' | 'reject';
export type ApprovalSettingAction = 'change';

/** The organization's "require admin approval" setting: Global readers see it, admins who may write change it. */
export const approvalSettingAbility = (actor: Actor): Ability => adminWriteAbility(actor.roles);

/** A request is decided once, by an admin who may write. */
export const decideAbility = (actor: Actor, request: PurchaseRequest): Ability =>
  firstRefusal(adminWriteAbility(actor.roles), () =>
    request.status === 'Pending'
      ? allowed()
      : refusedBy(ErrorCodes.REQUEST_ALREADY_DECIDED, `That request was already ${request.status.toLowerCase()}.`, { status: request.status }),
  );

/** Approving may still end as Failed (card declined, product since disabled): that is the decision's outcome, not a refusal. */
export const requestAbilities = (actor: Actor, request: PurchaseRequest): Abilities<RequestAction> => {
  const decide = decideAbility(actor, request);
  return { approve: decide, reject: decide };
};
