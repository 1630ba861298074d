import { requireAdminRead } from '../access';
import type { AuditEntry, Page } from '../model';
import type { ActorContext, Deps } from '../ports';
import { parsePaging } from '../shared/validation';

/** The audit trail of every state change in the tenant, newest first (admins and Global readers). */
export const listAudit = async (deps: Deps, ctx: ActorContext, input: { page?: unknown; pageSize?: unknown } = {}): Promise<Page<AuditEntry>> => {
  const { page, pageSize } = parsePaging(input.page, input.pageSize);
  return deps.uow.read(async (repos) => {
    await requireAdminRead(repos, ctx);
    return repos.audit.list(ctx.tenantId, page, pageSize);
  });
};
