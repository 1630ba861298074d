import type { ActorContext, Deps } from '../../domain/ports';
import { displayNames } from '../../domain/directory/display-names';
import { listAudit } from '../../domain/audit/list-audit';
import { auditCard } from '../../cards/admin-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { cardReply, command, type Feature } from './feature';
import type { AuditEntryDto, PageDto } from '../../web/contracts/admin';
import { PageQuery, iso, namesOf, parseQuery } from '../web/admin-views';
import { route } from '../web/web-api';

/** The audit trail of every state change, newest first, for admins. */

const auditView = async (deps: Deps, ctx: ActorContext, page: unknown = 1): Promise<AdaptiveCard> => {
  const log = await listAudit(deps, ctx, { page: Number(page) || 1, pageSize: 10 });
  return auditCard({
    page: log,
    names: await displayNames(
      deps,
      ctx,
      log.items.map((e) => e.actorId),
    ),
  });
};

export const audit: Feature = {
  name: 'audit',
  web: [
    route({
      method: 'get',
      path: '/admin/audit',
      run: async ({ deps, ctx, query }): Promise<PageDto<AuditEntryDto>> => {
        const q = parseQuery(PageQuery, query);
        const log = await listAudit(deps, ctx, { page: q.page ?? 1, pageSize: 25 });
        const name = await namesOf(
          deps,
          ctx,
          log.items.map((e) => e.actorId),
        );
        return {
          ...log,
          items: log.items.map((e) => ({
            id: e.id,
            at: iso(e.at),
            actorId: e.actorId,
            actorName: name(e.actorId),
            action: e.action,
            summary: e.summary,
            surface: e.surface,
            targetType: e.targetType,
            targetId: e.targetId,
          })),
        };
      },
    }),
  ],
  commands: [
    command<object>({
      name: 'audit',
      usage: 'audit',
      example: 'audit',
      scope: 'admin',
      keywords: ['audit', 'history'],
      parse: (text) => (/^(?:show\s+)?(?:the\s+)?(audit|audit log|audit trail|history)$/i.test(text) ? {} : null),
      run: (_a, { deps, ctx }) => cardReply(auditView(deps, ctx)),
    }),
  ],
  verbs: {
    [VERBS.audit]: { run: ({ deps, ctx, data }) => auditView(deps, ctx, data.page) },
  },
};
