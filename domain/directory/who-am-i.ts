import { canAdminWrite, isAdmin, loadActor } from '../access';
import type { Role } from '../model';
import type { ActorContext, Deps } from '../ports';

export interface Me {
  userId: string;
  displayName: string;
  email: string | null;
  tenantId: string;
  tenantName: string;
  roles: Role[];
  /** May see every self-service purchase (R5). */
  isAdmin: boolean;
  /** May change policies, take over and centralize (a Global reader may not). */
  canAdminWrite: boolean;
}

/** The caller as stored: name, organization and roles, for a page to decide what to offer (the server still checks each action). */
export const whoAmI = async (deps: Deps, ctx: ActorContext): Promise<Me> =>
  deps.uow.read(async (repos) => {
    const actor = await loadActor(repos, ctx);
    return {
      userId: actor.user.id,
      displayName: actor.user.displayName,
      email: actor.user.email,
      tenantId: actor.tenant.id,
      tenantName: actor.tenant.name,
      roles: actor.roles,
      isAdmin: isAdmin(actor.roles),
      canAdminWrite: canAdminWrite(actor.roles),
    };
  });
