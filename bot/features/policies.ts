import type { ActorContext, Deps } from '../../domain/ports';
import type { PolicyValue } from '../../domain/model';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { listPolicies, viewPolicies } from '../../domain/policy/view-policies';
import { setAllPolicies, setPolicy, type PolicyChange } from '../../domain/policy/set-policy';
import { policiesCard } from '../../cards/admin-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { policyLabel } from '../../cards/format';
import { cardReply, command, done, type BannerInput, type Feature, type ParseContext } from './feature';
import { oneProduct, productWords } from './targets';
import { adminMris } from './admins';
import type { PoliciesDto, PolicyChangesDto } from '../../web/contracts/admin';
import { PolicyBody, actionsDto, changesDto, isoOrNull, namesOf } from '../web/admin-views';
import { route } from '../web/web-api';

/** R3: the AllowSelfServicePurchase policy per product — view, change one, change all. */

const policiesView = async (deps: Deps, ctx: ActorContext, banner?: BannerInput): Promise<AdaptiveCard> => {
  const rows = await listPolicies(deps, ctx);
  // Whether this reader may change policies is the domain's answer (the same for every row).
  return policiesCard({ rows, canWrite: rows.length > 0 && rows.every((r) => r.actions.change.ok), refreshUserIds: await adminMris(deps, ctx), ...banner });
};

const POLICY_WORDS: Array<[RegExp, PolicyValue]> = [
  [/^(enabled?|on|allow(ed)?)$/i, 'Enabled'],
  [/^(disabled?|off|block(ed)?)$/i, 'Disabled'],
  [/^((only )?trials?( only)?( without (a )?(card|payment method))?|onlytrialswithoutpaymentmethod)$/i, 'OnlyTrialsWithoutPaymentMethod'],
];
const policyValue = (word: string): PolicyValue => {
  const hit = POLICY_WORDS.find(([re]) => re.test(word.trim()));
  if (!hit) throw new DomainError(ErrorCodes.POLICY_VALUE_INVALID, 'The setting is **enabled**, **disabled** or **trials only**.');
  return hit[1];
};

const ALL = /^(all|all products|every product|everything)$/i;
const VALUE = '(enabled?|disabled?|on|off|allow(?:ed)?|block(?:ed)?|(?:only\\s+)?trials?(?:\\s+only)?(?:\\s+without\\s+(?:a\\s+)?(?:card|payment method))?)';

export const changeMessage = (c: PolicyChange): string =>
  c.from === c.to ? `${c.productName} was already ${policyLabel(c.to)}.` : `${c.productName}: ${policyLabel(c.from)} → ${policyLabel(c.to)}.`;
const allMessage = (changes: readonly PolicyChange[], value: PolicyValue): string => {
  const changed = changes.filter((c) => c.from !== c.to).length;
  return `Every product is now ${policyLabel(value)} (${changed === 0 ? 'none' : changed} changed).`;
};

const setByWords = async (deps: Deps, ctx: ActorContext, pc: ParseContext, words: string, value: PolicyValue): Promise<AdaptiveCard> => {
  if (ALL.test(words.trim())) return policiesView(deps, ctx, done(allMessage(await setAllPolicies(deps, ctx, { value }), value)));
  const product = oneProduct(productWords(pc, words), `Which product should be ${value === 'OnlyTrialsWithoutPaymentMethod' ? 'trials only' : value.toLowerCase()}?`, (p) => ({
    title: 'Set',
    verb: VERBS.setPolicy,
    data: { productId: p.id, value },
  }));
  return policiesView(deps, ctx, done(changeMessage(await setPolicy(deps, ctx, { productId: product.id, value }))));
};

export const policies: Feature = {
  name: 'policies',
  web: [
    route({
      method: 'get',
      path: '/admin/policies',
      run: async ({ deps, ctx }): Promise<PoliciesDto> => {
        const view = await viewPolicies(deps, ctx);
        const name = await namesOf(
          deps,
          ctx,
          view.rows.flatMap((r) => (r.updatedBy ? [r.updatedBy] : [])),
        );
        return {
          defaultValue: view.defaultValue,
          ...actionsDto(view.actions),
          rows: view.rows.map((r) => ({
            productId: r.product.id,
            productName: r.product.name,
            value: r.value,
            isDefault: r.isDefault,
            updatedAt: isoOrNull(r.updatedAt),
            updatedByName: r.updatedBy ? name(r.updatedBy) : null,
            ...actionsDto(r.actions),
          })),
        };
      },
    }),
    route({
      method: 'post',
      path: '/admin/policies',
      body: PolicyBody,
      run: async ({ deps, ctx, body }): Promise<PolicyChangesDto> => changesDto(await setAllPolicies(deps, ctx, { value: body.value })),
    }),
    route({
      method: 'post',
      path: '/admin/policies/:productId',
      body: PolicyBody,
      run: async ({ deps, ctx, params, body }): Promise<PolicyChangesDto> => changesDto([await setPolicy(deps, ctx, { productId: params.productId, value: body.value })]),
    }),
  ],
  commands: [
    command<object>({
      name: 'policies',
      usage: 'policies',
      example: 'policies',
      scope: 'admin',
      keywords: ['policies', 'policy'],
      parse: (text) => (/^(?:show\s+)?(?:the\s+)?polic(?:y|ies)$/i.test(text) ? {} : null),
      run: (_a, { deps, ctx }) => cardReply(policiesView(deps, ctx)),
    }),
    command<{ product: string; value: string }>({
      name: 'set policy',
      usage: 'set policy <product|all> enabled|disabled|trials only',
      example: 'set policy Power BI Pro disabled',
      scope: 'admin',
      needs: 'adminWrite',
      keywords: ['set policy', 'policy'],
      parse: (text) => {
        const m = new RegExp(`^(?:set\\s+)?polic(?:y|ies)\\s+(?:for\\s+|of\\s+)?(.+?)\\s+(?:to\\s+)?${VALUE}$`, 'i').exec(text);
        return m ? { product: m[1], value: m[2] } : null;
      },
      canonical: (a) => [`set policy ${a.product} ${a.value}`],
      run: (a, { deps, ctx, pc }) => cardReply(setByWords(deps, ctx, pc, a.product, policyValue(a.value))),
    }),
    command<{ product: string; value: PolicyValue }>({
      name: 'disable',
      usage: 'disable|enable <product|all>',
      example: 'disable Visio Plan 2',
      scope: 'admin',
      needs: 'adminWrite',
      keywords: ['disable', 'enable', 'block', 'allow'],
      parse: (text) => {
        const m = /^(disable|enable|allow|block)\s+(?:self-?service\s+(?:purchases?\s+)?(?:of|for)\s+)?(.+)$/i.exec(text);
        return m ? { product: m[2], value: /^(disable|block)$/i.test(m[1]) ? 'Disabled' : 'Enabled' } : null;
      },
      canonical: (a) => [`${a.value === 'Disabled' ? 'disable' : 'enable'} ${a.product}`],
      run: (a, { deps, ctx, pc }) => cardReply(setByWords(deps, ctx, pc, a.product, a.value)),
    }),
  ],
  verbs: {
    [VERBS.policies]: { run: ({ deps, ctx }) => policiesView(deps, ctx) },
    [VERBS.setPolicy]: {
      run: async ({ deps, ctx, data }) => policiesView(deps, ctx, done(changeMessage(await setPolicy(deps, ctx, { productId: data.productId, value: data.value })))),
      recover: (a, banner) => policiesView(a.deps, a.ctx, banner),
    },
    [VERBS.setAllPolicies]: {
      run: async ({ deps, ctx, data }) => {
        const changes = await setAllPolicies(deps, ctx, { value: data.allValue });
        return policiesView(deps, ctx, done(allMessage(changes, changes[0]?.to ?? 'Enabled')));
      },
      recover: (a, banner) => policiesView(a.deps, a.ctx, banner),
    },
  },
  views: {
    policies: (deps, ctx) => policiesView(deps, ctx),
  },
};
