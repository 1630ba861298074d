import type { ActorContext, Deps } from '../../domain/ports';
import { ROLES, roleName, type Role } from '../../domain/model';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { displayNames } from '../../domain/directory/display-names';
import { getRoleActions, grantRole, listRoles, revokeRole } from '../../domain/roles/manage-roles';
import { rolesCard } from '../../cards/admin-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { cardReply, command, done, str, type BannerInput, type CommandInput, type Feature } from './feature';
import { resolvePeople } from './targets';
import type { RoleChangeDto, RolesDto } from '../../web/contracts/admin';
import { RoleBody, actionsDto, iso, namesOf } from '../web/admin-views';
import { route } from '../web/web-api';

/** Admin roles of the organization: who holds which, and (Global admins only) granting and revoking them. */

const rolesView = async (deps: Deps, ctx: ActorContext, banner?: BannerInput): Promise<AdaptiveCard> => {
  const assignments = await listRoles(deps, ctx);
  const names = await displayNames(
    deps,
    ctx,
    assignments.map((a) => a.userId),
  );
  const can = await getRoleActions(deps, ctx);
  return rolesCard({
    assignments,
    names,
    canGrant: can.grant.ok,
    canRevoke: new Set(assignments.filter((a) => a.actions.revoke.ok).map((a) => `${a.userId}\u0000${a.role}`)),
    ...banner,
  });
};

const grantMessage = (g: { changed: boolean; displayName: string }, role: string): string =>
  g.changed ? `Granted ${roleName(role)} to ${g.displayName}.` : `${g.displayName} is already a ${roleName(role)}.`;
const revokeMessage = (r: { changed: boolean; displayName: string }, role: string): string =>
  r.changed ? `Revoked ${roleName(role)} from ${r.displayName}.` : `${r.displayName} isn't a ${roleName(role)} (any more).`;

const roleFromWords = (words: string): Role => {
  const w = words.toLowerCase().replace(/[^a-z]/g, '');
  const hit = ROLES.find(
    (r) =>
      r.toLowerCase() === w ||
      roleName(r)
        .toLowerCase()
        .replace(/[^a-z]/g, '') === w ||
      `${r.toLowerCase()}role` === w ||
      `${roleName(r)
        .toLowerCase()
        .replace(/[^a-z]/g, '')}role` === w,
  );
  if (!hit) throw new DomainError(ErrorCodes.ROLE_UNKNOWN, `The roles are ${ROLES.map((r) => `**${roleName(r)}**`).join(', ')}.`);
  return hit;
};

/** Exactly one person: the @mention, or the name typed (several matches → a choice card that grants/revokes). */
const onePerson = async (input: CommandInput, typed: string, role: Role, verb: typeof VERBS.grantRole | typeof VERBS.revokeRole): Promise<string> => {
  if (input.mentions.length === 1) return input.mentions[0].userId;
  const [userId, ...more] = await resolvePeople(input.deps, input.ctx, { typed }, (chosen) => ({
    title: verb === VERBS.grantRole ? 'Grant' : 'Revoke',
    verb,
    data: { userId: chosen[chosen.length - 1], role },
  }));
  if (more.length) throw new DomainError(ErrorCodes.INPUT_INVALID, 'One person at a time, please.');
  return userId;
};

export const roles: Feature = {
  name: 'roles',
  web: [
    route({
      method: 'get',
      path: '/admin/roles',
      run: async ({ deps, ctx }): Promise<RolesDto> => {
        const [rows, can] = await Promise.all([listRoles(deps, ctx), getRoleActions(deps, ctx)]);
        const name = await namesOf(
          deps,
          ctx,
          rows.flatMap((r) => [r.userId, ...(r.grantedBy ? [r.grantedBy] : [])]),
        );
        return {
          ...actionsDto({ grant: can.grant }),
          items: rows.map((r) => ({
            userId: r.userId,
            displayName: name(r.userId),
            role: r.role,
            grantedAt: iso(r.grantedAt),
            grantedByName: r.grantedBy ? name(r.grantedBy) : null,
            ...actionsDto(r.actions),
          })),
        };
      },
    }),
    route({
      method: 'post',
      path: '/admin/roles/grant',
      body: RoleBody,
      run: async ({ deps, ctx, body }): Promise<RoleChangeDto> => {
        const g = await grantRole(deps, ctx, { userId: body.userId, role: body.role });
        return { userId: body.userId, displayName: g.displayName, role: body.role, changed: g.changed };
      },
    }),
    route({
      method: 'post',
      path: '/admin/roles/revoke',
      body: RoleBody,
      run: async ({ deps, ctx, body }): Promise<RoleChangeDto> => {
        const r = await revokeRole(deps, ctx, { userId: body.userId, role: body.role });
        return { userId: body.userId, displayName: r.displayName, role: body.role, changed: r.changed };
      },
    }),
  ],
  commands: [
    command<object>({
      name: 'roles',
      usage: 'roles',
      example: 'roles',
      scope: 'admin',
      keywords: ['roles', 'admins'],
      parse: (text) => (/^(?:show\s+)?(?:the\s+)?(roles|admins|admin roles)$/i.test(text) ? {} : null),
      run: (_a, { deps, ctx }) => cardReply(rolesView(deps, ctx)),
    }),
    command<{ role: string; person: string }>({
      name: 'grant',
      usage: 'grant <role> to <person>',
      example: 'grant billing admin to Adele Vance',
      scope: 'admin',
      needs: 'manageRoles',
      keywords: ['grant'],
      parse: (text) => {
        const m = /^grant\s+(?:the\s+)?(.+?)\s+(?:role\s+)?to\s+(.+)$/i.exec(text);
        return m ? { role: m[1], person: m[2] } : null;
      },
      canonical: (a) => [`grant ${a.role} to ${a.person}`],
      run: async (a, input) => {
        const role = roleFromWords(a.role);
        const userId = await onePerson(input, a.person, role, VERBS.grantRole);
        const g = await grantRole(input.deps, input.ctx, { userId, role });
        return cardReply(rolesView(input.deps, input.ctx, done(grantMessage(g, role))));
      },
    }),
    command<{ role: string; person: string }>({
      name: 'revoke',
      usage: 'revoke <role> from <person>',
      example: 'revoke billing admin from Adele Vance',
      scope: 'admin',
      needs: 'manageRoles',
      keywords: ['revoke'],
      parse: (text) => {
        const m = /^revoke\s+(?:the\s+)?(.+?)\s+(?:role\s+)?from\s+(.+)$/i.exec(text);
        return m ? { role: m[1], person: m[2] } : null;
      },
      canonical: (a) => [`revoke ${a.role} from ${a.person}`],
      run: async (a, input) => {
        const role = roleFromWords(a.role);
        const userId = await onePerson(input, a.person, role, VERBS.revokeRole);
        const r = await revokeRole(input.deps, input.ctx, { userId, role });
        return cardReply(rolesView(input.deps, input.ctx, done(revokeMessage(r, role))));
      },
    }),
  ],
  verbs: {
    [VERBS.roles]: { run: ({ deps, ctx }) => rolesView(deps, ctx) },
    [VERBS.grantRole]: {
      run: async ({ deps, ctx, data }) => {
        // From a "which person?" card or the roles card's people picker (an id, re-checked by the use
        // case), or the roles card's typed name.
        const picked = [data.userId, data.grantUserId].find((v) => typeof v === 'string' && v.trim() !== '');
        const userId =
          picked !== undefined
            ? picked
            : (
                await resolvePeople(
                  deps,
                  ctx,
                  { typed: str(data.person).split(/[,;]/)[0] ?? '', nobody: 'Pick the person (start typing a name), or type their name or email.' },
                  (chosen) => ({
                    title: 'Grant',
                    verb: VERBS.grantRole,
                    data: { userId: chosen[chosen.length - 1], role: str(data.role) },
                  }),
                )
              )[0];
        const a = await grantRole(deps, ctx, { userId, role: data.role });
        return rolesView(deps, ctx, done(grantMessage(a, a.role)));
      },
      recover: (a, banner) => rolesView(a.deps, a.ctx, banner),
    },
    [VERBS.revokeRole]: {
      run: async ({ deps, ctx, data }) => {
        const r = await revokeRole(deps, ctx, { userId: data.userId, role: data.role });
        return rolesView(deps, ctx, done(revokeMessage(r, str(data.role))));
      },
      recover: (a, banner) => rolesView(a.deps, a.ctx, banner),
    },
  },
};
