import type { ActorContext, Deps } from '../../domain/ports';
import { adminAudience } from '../../domain/roles/manage-roles';
import { mri } from '../../cards/admin-cards';

/** Teams refreshes a card automatically for at most 60 listed users. */
const MAX_REFRESH_USERS = 60;

/** The admins of the caller's tenant, as the user ids a card's `refresh.userIds` lists (the caller is an admin). */
export const adminMris = async (deps: Deps, ctx: ActorContext): Promise<string[]> => (await adminAudience(deps, ctx)).slice(0, MAX_REFRESH_USERS).map(mri);
