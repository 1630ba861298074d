import type { ActorContext, Deps } from '../../domain/ports';
import { displayNames } from '../../domain/directory/display-names';
import { listAudit } from '../../domain/audit/list-audit';
import { auditCard } from '../../cards/admin-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { cardReply, command, type Feature } from './feature';

/** The audit trail of every state change, newest first, for admins. */

const auditView = async (deps: Deps, ctx: ActorContext, page: unknown = 1): Promise<AdaptiveCard> => {
  const log = await listAudit(deps, ctx, { page: Number(page) || 1, pageSize: 10 });
  return auditCard({ page: log, names: await displayNames(deps, ctx, log.items.map((e) => e.actorId)) });
};

export const audit: Feature = {
  name: 'audit',
  commands: [
    command<object>({
      name: 'audit', usage: 'audit', example: 'audit', scope: 'admin', keywords: ['audit', 'history'],
      parse: (text) => (/^(?:show\s+)?(?:the\s+)?(audit|audit log|audit trail|history)$/i.test(text) ? {} : null),
      run: (_a, { deps, ctx }) => cardReply(auditView(deps, ctx)),
    }),
  ],
  verbs: {
    [VERBS.audit]: { run: ({ deps, ctx, data }) => auditView(deps, ctx, data.page) },
  },
};
