import type { Actor } from '../access';
import type { DomainSettings } from '../ports';
import { allowed, refusedBy, requireAbility, type Ability } from '../shared/abilities';
import { CONTACT_IT_ADMIN, ErrorCodes } from '../shared/errors';

/**
 * R1: any active, non-guest user of an eligible tenant may buy. Government, nonprofit and
 * education tenants are not eligible, nor tenants outside the enabled markets.
 */
export const eligibilityAbility = (actor: Actor, settings: DomainSettings): Ability => {
  const { user, tenant } = actor;
  if (!user.active) return refusedBy(ErrorCodes.ELIGIBILITY_ACCOUNT_DISABLED, `Your account can't make purchases. ${CONTACT_IT_ADMIN}`);
  if (user.isGuest) return refusedBy(ErrorCodes.ELIGIBILITY_GUEST, `Guests can't buy in an organization where they are guests. ${CONTACT_IT_ADMIN}`);
  if (tenant.kind !== 'Commercial') {
    return refusedBy(ErrorCodes.ELIGIBILITY_TENANT_TYPE, `Self-service purchase isn't available to ${tenant.kind.toLowerCase()} organizations. ${CONTACT_IT_ADMIN}`, {
      kind: tenant.kind,
    });
  }
  if (!settings.enabledMarkets.includes(tenant.country.toUpperCase())) {
    return refusedBy(ErrorCodes.ELIGIBILITY_MARKET, `Self-service purchase isn't available in your market yet. ${CONTACT_IT_ADMIN}`, { country: tenant.country });
  }
  return allowed();
};

export const checkEligibility = (actor: Actor, settings: DomainSettings): void => requireAbility(eligibilityAbility(actor, settings));
