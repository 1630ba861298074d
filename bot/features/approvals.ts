import type { ActorContext, Deps } from '../../domain/ports';
import { listProducts } from '../../domain/catalog/list-products';
import { displayNames } from '../../domain/directory/display-names';
import { approvePurchaseRequest, rejectPurchaseRequest } from '../../domain/approvals/decide-purchase-request';
import { getApprovalSetting, getPurchaseRequest, listPendingRequests, setRequireApproval } from '../../domain/approvals/manage-approvals';
import { approvalCard, approvalsCard } from '../../cards/admin-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { command, cardReply, done, refused, str, type BannerInput, type Feature } from './feature';
import { adminMris } from './admins';
import type { ApprovalDetailDto, ApprovalsDto, DecisionDto } from '../../web/contracts/admin';
import { DecisionBody, RequireApprovalBody, actionsDto, approvalDto, isoOrNull, namesOf } from '../web/admin-views';
import { route } from '../web/web-api';

/** The optional "require admin approval" setting and the requests waiting for an admin. */

const approvalsView = async (deps: Deps, ctx: ActorContext, banner?: BannerInput): Promise<AdaptiveCard> => {
  const pending = await listPendingRequests(deps, ctx);
  const [products, name] = await Promise.all([
    listProducts(deps),
    displayNames(
      deps,
      ctx,
      pending.map((p) => p.requesterId),
    ),
  ]);
  const productName = new Map(products.map((p) => [p.id, p.name]));
  return approvalsCard({
    items: pending.map((request) => ({ request, productName: productName.get(request.productId) ?? request.productId, requesterName: name.get(request.requesterId) ?? 'Someone' })),
    ...banner,
  });
};

const approvalView = async (deps: Deps, ctx: ActorContext, requestId: unknown, banner?: BannerInput): Promise<AdaptiveCard> =>
  approvalCard({ ...(await getPurchaseRequest(deps, ctx, { requestId })), refreshUserIds: await adminMris(deps, ctx), ...banner });

export const approvals: Feature = {
  name: 'approvals',
  web: [
    route({
      method: 'get',
      path: '/admin/approvals',
      run: async ({ deps, ctx }): Promise<ApprovalsDto> => {
        const [pending, setting] = await Promise.all([listPendingRequests(deps, ctx), getApprovalSetting(deps, ctx)]);
        const [products, name] = await Promise.all([
          listProducts(deps),
          namesOf(
            deps,
            ctx,
            pending.map((p) => p.requesterId),
          ),
        ]);
        const productOf = new Map(products.map((p) => [p.id, p]));
        return {
          requireApproval: setting.requireApproval,
          setting: actionsDto(setting.actions),
          items: pending.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map((r) => approvalDto(r, productOf.get(r.productId), name(r.requesterId), r.actions)),
        };
      },
    }),
    route({
      method: 'get',
      path: '/admin/approvals/:id',
      run: async ({ deps, ctx, params }): Promise<ApprovalDetailDto> => {
        const r = await getPurchaseRequest(deps, ctx, { requestId: params.id });
        return {
          ...approvalDto(r.request, r.product, r.requesterName, r.actions),
          status: r.request.status,
          decidedByName: r.deciderName,
          decidedAt: isoOrNull(r.request.decidedAt),
          note: r.request.decisionNote,
        };
      },
    }),
    route({
      method: 'post',
      path: '/admin/approvals/:id',
      body: DecisionBody,
      run: async ({ deps, ctx, params, body }): Promise<DecisionDto> => {
        const decided =
          body.decision === 'approve'
            ? await approvePurchaseRequest(deps, ctx, { requestId: params.id })
            : await rejectPurchaseRequest(deps, ctx, { requestId: params.id, note: body.reason });
        return { id: decided.id, status: decided.status, note: decided.decisionNote };
      },
    }),
    route({
      method: 'post',
      path: '/admin/settings/require-approval',
      body: RequireApprovalBody,
      run: async ({ deps, ctx, body }): Promise<{ requireApproval: boolean }> => ({
        requireApproval: (await setRequireApproval(deps, ctx, { enabled: body.enabled })).requireApproval,
      }),
    }),
  ],
  commands: [
    command<object>({
      name: 'approvals',
      usage: 'approvals',
      example: 'approvals',
      scope: 'admin',
      keywords: ['approvals', 'requests', 'pending'],
      parse: (text) => (/^(?:show\s+)?(?:pending\s+)?(approvals|requests|pending)$/i.test(text) ? {} : null),
      run: (_a, { deps, ctx }) => cardReply(approvalsView(deps, ctx)),
    }),
    command<{ on: boolean }>({
      name: 'require approval',
      usage: 'require approval on|off',
      example: 'require approval on',
      scope: 'admin',
      needs: 'adminWrite',
      keywords: ['require approval'],
      parse: (text) => {
        const m = /^require\s+(?:admin\s+)?approvals?\s+(on|off)$/i.exec(text);
        return m ? { on: m[1].toLowerCase() === 'on' } : null;
      },
      canonical: (a) => [`require approval ${a.on ? 'on' : 'off'}`],
      run: async (a, { deps, ctx }) => {
        const t = await setRequireApproval(deps, ctx, { enabled: a.on });
        return t.requireApproval
          ? 'Done: purchases by non-admins now wait for an admin’s approval in the admin channel.'
          : 'Done: people can buy without waiting for approval (within your policies).';
      },
    }),
  ],
  verbs: {
    [VERBS.approvals]: { run: ({ deps, ctx, data }) => (data.requestId ? approvalView(deps, ctx, data.requestId) : approvalsView(deps, ctx)) },
    [VERBS.approve]: {
      run: async ({ deps, ctx, data }) => {
        const r = await approvePurchaseRequest(deps, ctx, { requestId: data.requestId });
        return approvalView(
          deps,
          ctx,
          r.id,
          r.status === 'Approved'
            ? done('Approved; the requester has been told.')
            : refused(`Approved, but the purchase failed: ${r.decisionNote ?? 'the card was declined'}. The requester has been told.`),
        );
      },
      recover: (a, banner) => approvalView(a.deps, a.ctx, a.data.requestId, banner),
    },
    [VERBS.reject]: {
      run: async ({ deps, ctx, data }) => {
        const r = await rejectPurchaseRequest(deps, ctx, { requestId: data.requestId, note: str(data.note).trim() || undefined });
        return approvalView(deps, ctx, r.id, done('Rejected; the requester has been told.'));
      },
      recover: (a, banner) => approvalView(a.deps, a.ctx, a.data.requestId, banner),
    },
  },
  views: {
    approval: (deps, ctx, data) => approvalView(deps, ctx, data.requestId),
  },
};
