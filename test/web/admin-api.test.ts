import { SignedLinks } from '../../bot/signed-links';
import { WEB_LINK_PURPOSE } from '../../bot/web/web-auth';
import { exportableSubscriptionIds } from '../../domain/admin/export-licensed-users';
import { spendSummary } from '../../domain/admin/spend-summary';
import { setRequireApproval } from '../../domain/approvals/manage-approvals';
import { rejectPurchaseRequest } from '../../domain/approvals/decide-purchase-request';
import { getPurchaseDetail } from '../../domain/admin/get-purchase-detail';
import { bootstrapAdmins } from '../../domain/roles/manage-roles';
import { upsertDirectoryUsers, upsertTenant } from '../../domain/directory/sync-directory';
import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { assignLicenses } from '../../domain/licenses/assign-licenses';
import type { ActorContext } from '../../domain/ports';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import type {
  ActionsDto,
  ApprovalDetailDto,
  ApprovalsDto,
  AuditEntryDto,
  LicensesOverviewDto,
  PageDto,
  PoliciesDto,
  ProductLicenseGroupsDto,
  PurchaseDetailDto,
  PurchaseFiltersDto,
  PurchaseRowDto,
  RolesDto,
  SpendDto,
} from '../../web/contracts/admin';
import { ADMIN_PURCHASE_ACTIONS } from '../../web/contracts/admin';
import { startBot, type BotHarness } from '../bot/harness';

/**
 * The Admin tab's API over real HTTP against the real server (fresh SQLite with the demo tenant):
 * who may call what, what malformed input gets, and that another tenant's ids reach nothing.
 */
const PBI = 'CFQ7TTC0H9MP';
const APPS = 'CFQ7TTC0LH2H';
const FABRIKAM = '00000000-0000-0000-0000-00000000f000';
const FAB_ADMIN = { id: '00000000-0000-0000-0000-00000000f001', tenantId: FABRIKAM, displayName: 'Fabrikam Admin', email: 'admin@fabrikam.test', isGuest: false, active: true };
const FAB_BUYER = { id: '00000000-0000-0000-0000-00000000f002', tenantId: FABRIKAM, displayName: 'Fabrikam Buyer', email: 'buyer@fabrikam.test', isGuest: false, active: true };

type Caller = keyof typeof DEMO_USERS | 'fabrikam' | null;

let bot: BotHarness;
let links: SignedLinks;
let meganSub: string;
let fabSub: string;
let fabRequest: string;

const credential = (who: Exclude<Caller, null>) =>
  who === 'fabrikam'
    ? links.sign({ tenantId: FABRIKAM, userId: FAB_ADMIN.id, purpose: WEB_LINK_PURPOSE, arg: null }, 30 * 60_000)
    : links.sign({ tenantId: DEMO_TENANT_ID, userId: DEMO_USERS[who].id, purpose: WEB_LINK_PURPOSE, arg: null }, 30 * 60_000);

const call = async (who: Caller, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${bot.url}/api/web${path}`, {
    method,
    headers: { ...(who ? { authorization: `Link ${credential(who)}` } : {}), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...headers },
    body: method === 'POST' ? (typeof body === 'string' ? body : JSON.stringify(body ?? {})) : undefined,
  });
  const type = res.headers.get('content-type') ?? '';
  const payload = type.includes('json') ? await res.json() : await res.text();
  return { status: res.status, type, disposition: res.headers.get('content-disposition'), body: payload as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const get = <T>(who: Caller, path: string) => call(who, 'GET', path) as Promise<{ status: number; body: T & { error?: { code: string; message: string } } }>;

const ctxOf = (who: keyof typeof DEMO_USERS): ActorContext => ({ tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS[who].id, surface: 'system' });

/** Every row of a tenant, to prove a refusal changed nothing. */
const snapshot = async (tenantId: string): Promise<string> => {
  const db = bot.app.db.reader;
  const dump: Record<string, unknown> = { Tenant: await db.$queryRawUnsafe('SELECT * FROM "Tenant" WHERE "id" = ?', tenantId) };
  for (const table of [
    'DirectoryUser',
    'RoleAssignment',
    'PolicySetting',
    'Subscription',
    'LicenseAssignment',
    'OrderEntry',
    'Invoice',
    'PurchaseRequest',
    'AuditEntry',
    'OutboxNotification',
  ]) {
    dump[table] = await db.$queryRawUnsafe(`SELECT * FROM "${table}" WHERE "tenantId" = ? ORDER BY rowid`, tenantId);
  }
  return JSON.stringify(dump, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
};

/**
 * Each admin route with a valid request, as an admin page would send it. Paths are functions: the
 * ids exist only once beforeAll has run, and every row has four entries (jest would take a missing
 * fourth argument for a done callback).
 */
const adminRequests = (): Array<[string, 'GET' | 'POST', () => string, unknown]> => [
  ['list purchases', 'GET', () => '/admin/purchases?origin=SelfService', undefined],
  ['purchase filters', 'GET', () => '/admin/purchase-filters', undefined],
  ['purchase detail', 'GET', () => `/admin/purchases/${meganSub}`, undefined],
  ['acknowledge', 'POST', () => `/admin/purchases/${meganSub}/acknowledge`, {}],
  ['licenses', 'GET', () => '/admin/licenses', undefined],
  ['licenses of a product', 'GET', () => `/admin/licenses/${PBI}`, undefined],
  ['export', 'POST', () => '/admin/export', () => ({ subscriptionIds: [meganSub] })],
  ['policies', 'GET', () => '/admin/policies', undefined],
  ['set all policies', 'POST', () => '/admin/policies', { value: 'Disabled' }],
  ['set one policy', 'POST', () => `/admin/policies/${PBI}`, { value: 'Disabled' }],
  ['approvals', 'GET', () => '/admin/approvals', undefined],
  ['decide', 'POST', () => '/admin/approvals/req-0001', { decision: 'approve' }],
  ['require approval', 'POST', () => '/admin/settings/require-approval', { enabled: true }],
  ['audit', 'GET', () => '/admin/audit?page=1', undefined],
  ['roles', 'GET', () => '/admin/roles', undefined],
  ['spend', 'GET', () => '/admin/spend', undefined],
];
const bodyOf = (body: unknown): unknown => (typeof body === 'function' ? body() : body);

beforeAll(async () => {
  // No background outbox sender: the "changes nothing" snapshots include the outbox, which a send would change.
  bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  links = new SignedLinks(bot.config.linkSecret);
  const deps = bot.app.deps;
  meganSub = (await exportableSubscriptionIds(deps, ctxOf('alex'), { productId: PBI }))[0];
  // A second organization on the same server, with a purchase and a pending request of its own.
  await upsertTenant(deps, { id: FABRIKAM, name: 'Fabrikam', kind: 'Commercial', country: 'US' });
  await upsertDirectoryUsers(deps, [FAB_ADMIN, FAB_BUYER]);
  await bootstrapAdmins(deps, [{ tenantId: FABRIKAM, userId: FAB_ADMIN.id }]);
  const fab = (id: string): ActorContext => ({ tenantId: FABRIKAM, actorId: id, surface: 'system' });
  const card = () => bot.app.payments.tokenize({ number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123', name: 'Fab' }).token;
  const bought = await buySubscription(deps, fab(FAB_BUYER.id), { productId: PBI, quantity: 2, cardToken: card() });
  if (bought.status !== 'created') throw new Error('expected a purchase');
  fabSub = bought.subscription.id;
  await assignLicenses(deps, fab(FAB_BUYER.id), { subscriptionId: fabSub, userIds: [FAB_BUYER.id] });
  await setRequireApproval(deps, fab(FAB_ADMIN.id), { enabled: true });
  const pending = await buySubscription(deps, fab(FAB_BUYER.id), { productId: APPS, quantity: 1, cardToken: card() });
  if (pending.status !== 'pending') throw new Error('expected a request');
  fabRequest = pending.request.id;
}, 60_000);

afterAll(async () => {
  await bot?.close();
});

describe('Admin API: who may call it', () => {
  it.each(adminRequests())('%s without a credential is 401, and with a forged one too', async (_name, method, path, body) => {
    for (const headers of [{}, { authorization: 'Link not-a-link' }, { authorization: 'Bearer abc.def.ghi' }] as Array<Record<string, string>>) {
      const res = await call(null, method, path(), bodyOf(body), headers);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH.REQUIRED');
    }
  });

  it.each(adminRequests())('%s by Megan (a purchaser, not an admin) is 403 and changes nothing', async (_name, method, path, body) => {
    const before = await snapshot(DEMO_TENANT_ID);
    const res = await call('megan', method, path(), bodyOf(body));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('AUTH.NOT_ADMIN');
    expect(await snapshot(DEMO_TENANT_ID)).toBe(before);
  });

  it('a Global reader reads everything but changes nothing (403 AUTH.READ_ONLY)', async () => {
    for (const [name, method, path] of adminRequests().filter(([, m]) => m === 'GET')) {
      expect([name, (await call('isaiah', method, path())).status]).toEqual([name, 200]);
    }
    const before = await snapshot(DEMO_TENANT_ID);
    for (const [, method, path, body] of adminRequests().filter(([n, m]) => m === 'POST' && n !== 'export')) {
      const res = await call('isaiah', method, path(), bodyOf(body));
      expect([path(), res.status, res.body.error.code]).toEqual([path(), 403, 'AUTH.READ_ONLY']);
    }
    expect(await snapshot(DEMO_TENANT_ID)).toBe(before);
    // Exporting is reading: a Global reader may download the CSV.
    expect((await call('isaiah', 'POST', '/admin/export', { subscriptionIds: [meganSub] })).status).toBe(200);
  });
});

describe('Admin API: another tenant’s ids reach nothing', () => {
  const foreign: Array<[string, 'GET' | 'POST', () => string, unknown]> = [
    ['see the detail of', 'GET', () => `/admin/purchases/${fabSub}`, undefined],
    ['acknowledge', 'POST', () => `/admin/purchases/${fabSub}/acknowledge`, {}],
    ['export', 'POST', () => '/admin/export', () => ({ subscriptionIds: [fabSub] })],
    ['export, mixed with our own,', 'POST', () => '/admin/export', () => ({ subscriptionIds: [meganSub, fabSub] })],
    ['approve', 'POST', () => `/admin/approvals/${fabRequest}`, { decision: 'approve' }],
    ['reject', 'POST', () => `/admin/approvals/${fabRequest}`, { decision: 'reject', reason: 'no' }],
  ];
  it.each(foreign)('Alex trying to %s a Fabrikam purchase or request gets 404: nothing downloaded, no row of either tenant changed', async (_name, method, path, body) => {
    const [ours, theirs] = [await snapshot(DEMO_TENANT_ID), await snapshot(FABRIKAM)];
    const res = await call('alex', method, path(), bodyOf(body));
    expect(res.status).toBe(404);
    expect(res.type).toContain('application/json');
    expect(res.disposition).toBeNull();
    expect([await snapshot(DEMO_TENANT_ID), await snapshot(FABRIKAM)]).toEqual([ours, theirs]);
  });

  it('each tenant’s admin sees only their own purchases, purchasers, approvals and spend', async () => {
    const fabPurchases = await get<PageDto<PurchaseRowDto>>('fabrikam', '/admin/purchases');
    expect(fabPurchases.body.items.map((r) => r.id)).toEqual([fabSub]);
    const ours = await get<PageDto<PurchaseRowDto>>('alex', '/admin/purchases');
    expect(ours.body.items.map((r) => r.id)).not.toContain(fabSub);
    expect((await get<PurchaseFiltersDto>('alex', '/admin/purchase-filters')).body.purchasers.map((p) => p.name)).not.toContain('Fabrikam Buyer');
    expect((await get<ApprovalsDto>('alex', '/admin/approvals')).body.items.map((r) => r.id)).not.toContain(fabRequest);
    expect((await get<ApprovalsDto>('fabrikam', '/admin/approvals')).body).toMatchObject({
      requireApproval: true,
      items: [{ id: fabRequest, requesterName: 'Fabrikam Buyer', productName: 'Power Apps per user' }],
    });
    expect((await get<SpendDto>('alex', '/admin/spend')).body.byPurchaser.map((p) => p.name)).not.toContain('Fabrikam Buyer');
  });
});

describe('Admin API: malformed input', () => {
  it.each([
    ['not JSON', '/admin/policies', '{"value": '],
    ['an unknown policy value', '/admin/policies', { value: 'Sometimes' }],
    ['an extra field', `/admin/policies/${PBI}`, { value: 'Enabled', tenantId: FABRIKAM }],
    ['no subscriptions to export', '/admin/export', { subscriptionIds: [] }],
    ['too many subscriptions to export', '/admin/export', { subscriptionIds: Array.from({ length: 501 }, (_, i) => `s-${i}`) }],
    ['a subscription id that is not an id', '/admin/export', { subscriptionIds: ['<script>'] }],
    ['ids as a string', '/admin/export', { subscriptionIds: 'all' }],
    ['no decision', '/admin/approvals/req-1', { reason: 'x' }],
    ['a decision word we do not know', '/admin/approvals/req-1', { decision: 'maybe' }],
    ['a reason too long', '/admin/approvals/req-1', { decision: 'reject', reason: 'x'.repeat(501) }],
    ['a body on acknowledge', `/admin/purchases/x/acknowledge`, { purchaserId: 'someone' }],
    ['a setting that is not a boolean', '/admin/settings/require-approval', { enabled: 'yes' }],
  ])('%s is a 400 and changes nothing', async (_name, path, body) => {
    const before = await snapshot(DEMO_TENANT_ID);
    const res = await call('alex', 'POST', path, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INPUT.INVALID');
    expect(await snapshot(DEMO_TENANT_ID)).toBe(before);
  });

  it('a form post (not JSON) is refused before anything runs', async () => {
    const res = await call('alex', 'POST', '/admin/policies', 'value=Disabled', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
  });

  it.each([
    ['/admin/purchases?origin=Everywhere'],
    ['/admin/purchases?status=Happy'],
    ['/admin/purchases?page=0'],
    ['/admin/purchases?page=abc'],
    ['/admin/purchases?sort=price'],
    ['/admin/audit?page=-1'],
    ['/admin/spend?months=99'],
    ['/admin/spend?months=0'],
  ])('a malformed query %s is refused with its reason (INPUT.INVALID)', async (path) => {
    const res = await call('alex', 'GET', path);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('INPUT.INVALID');
  });

  it('unknown ids are a 404', async () => {
    expect((await call('alex', 'GET', '/admin/purchases/no-such-subscription')).status).toBe(404);
    expect((await call('alex', 'GET', '/admin/licenses/NOPE')).status).toBe(404);
    expect((await call('alex', 'POST', '/admin/policies/NOPE', { value: 'Enabled' })).status).toBe(404);
    expect((await call('alex', 'POST', '/admin/approvals/no-such-request', { decision: 'reject' })).status).toBe(404);
  });
});

describe('Admin API: what an admin gets', () => {
  it('purchases: R5 rows and detail, never a card token', async () => {
    const list = await get<PageDto<PurchaseRowDto>>('alex', `/admin/purchases?origin=SelfService&productId=${PBI}&purchaserId=${DEMO_USERS.megan.id}&status=Active`);
    expect(list.status).toBe(200);
    expect(list.body.items).toMatchObject([
      { id: meganSub, productName: 'Power BI Pro', purchaserName: 'Megan Bowen', quantity: 5, assigned: 3, origin: 'SelfService', status: 'Active' },
    ]);
    const detail = await get<PurchaseDetailDto>('alex', `/admin/purchases/${meganSub}`);
    expect(detail.body.assignedUsers.map((u) => u.displayName).sort()).toEqual(['Lynne Robbins', 'Megan Bowen', 'Patti Fernandez']);
    expect(detail.body.orders.map((o) => o.kind)).toEqual(['Purchase']);
    expect(detail.body.invoices).toHaveLength(1);
    expect(JSON.stringify(detail.body)).not.toMatch(/token|last4|cardBrand/i);
    expect(JSON.stringify(list.body)).not.toMatch(/token|last4|cardBrand/i);
    expect((await get<PageDto<PurchaseRowDto>>('alex', '/admin/purchases?origin=Central')).body.items).toEqual([]);
  });

  it('licenses: each product once, users grouped by purchaser (R7)', async () => {
    const overview = await get<LicensesOverviewDto>('alex', '/admin/licenses');
    expect(overview.body.products.find((p) => p.productId === PBI)).toMatchObject({ productName: 'Power BI Pro', totalQuantity: 5, assigned: 3, available: 2 });
    const groups = await get<ProductLicenseGroupsDto>('alex', `/admin/licenses/${PBI}`);
    expect(groups.body.groups).toMatchObject([{ purchaserName: 'Megan Bowen', subscriptions: [{ id: meganSub, quantity: 5, assigned: 3 }] }]);
    expect(groups.body.groups[0].users).toHaveLength(3);
  });

  it('export: a CSV download of exactly the chosen subscriptions’ licensed users', async () => {
    const res = await call('alex', 'POST', '/admin/export', { subscriptionIds: [meganSub] });
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/csv');
    expect(res.disposition).toMatch(/^attachment; filename="licensed-users-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (res.body as string).trim().split(/\r\n/);
    expect(lines[0]).toBe('Display name,Email,User id,Product,Subscription id,Purchaser,Assigned at');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(['Lynne Robbins', 'Megan Bowen', 'Patti Fernandez']);
  });

  it('audit: newest first, paged, with names', async () => {
    const log = await get<PageDto<AuditEntryDto>>('alex', '/admin/audit');
    expect(log.body.total).toBeGreaterThan(0);
    const times = log.body.items.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(log.body.items.some((e) => e.actorName === 'Megan Bowen')).toBe(true);
  });

  it('spend: the domain’s numbers', async () => {
    const res = await get<SpendDto>('alex', '/admin/spend');
    const domain = await spendSummary(bot.app.deps, ctxOf('alex'));
    expect(res.body.byProduct).toEqual(domain.byProduct.map((l) => ({ id: l.id, name: l.name, billed: l.billed, paid: l.paid, invoices: l.invoices })));
    expect(res.body.byPurchaser.map((l) => [l.name, l.billed.amountMinor])).toEqual(domain.byPurchaser.map((l) => [l.name, l.billed.amountMinor]));
    expect(res.body.byProduct[0]).toMatchObject({ name: 'Power BI Pro', billed: { amountMinor: 5 * 1680, currency: 'USD' } });
  });

  it('policies: one product, then all, each change audited; approvals setting round-trips', async () => {
    const one = await call('alex', 'POST', `/admin/policies/${PBI}`, { value: 'OnlyTrialsWithoutPaymentMethod' });
    expect(one.body).toEqual({ changes: [{ productId: PBI, productName: 'Power BI Pro', from: 'Enabled', to: 'OnlyTrialsWithoutPaymentMethod' }] });
    const policies = await get<PoliciesDto>('alex', '/admin/policies');
    expect(policies.body.rows.find((r) => r.productId === PBI)).toMatchObject({ value: 'OnlyTrialsWithoutPaymentMethod', isDefault: false, updatedByName: 'Alex Wilber' });
    const all = await call('alex', 'POST', '/admin/policies', { value: 'Enabled' });
    expect(all.body.changes.filter((c: { from: string; to: string }) => c.from !== c.to)).toEqual([
      { productId: PBI, productName: 'Power BI Pro', from: 'OnlyTrialsWithoutPaymentMethod', to: 'Enabled' },
    ]);
    expect((await call('alex', 'POST', '/admin/settings/require-approval', { enabled: true })).body).toEqual({ requireApproval: true });
    expect((await get<ApprovalsDto>('alex', '/admin/approvals')).body.requireApproval).toBe(true);
    expect((await call('alex', 'POST', '/admin/settings/require-approval', { enabled: false })).body).toEqual({ requireApproval: false });
  });
});

/** An item's actions as codes: true where allowed, the refusal's code where not (what a test can compare at a glance). */
const codesOf = <K extends string>(a: ActionsDto<K>): Record<K, true | string> =>
  Object.fromEntries((Object.keys(a.can) as K[]).map((k) => [k, a.can[k] ? true : (a.reasons[k]?.code ?? 'no reason given')])) as Record<K, true | string>;

describe('Admin API: each item carries what the domain allows this caller now, and why not', () => {
  let pendingId: string;
  let decidedId: string;

  beforeAll(async () => {
    const deps = bot.app.deps;
    const card = () => bot.app.payments.tokenize({ number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123', name: 'Megan' }).token;
    await setRequireApproval(deps, ctxOf('alex'), { enabled: true });
    const requests: string[] = [];
    for (const productId of ['CFQ7TTC0HD32', 'CFQ7TTC0HDB0']) {
      const r = await buySubscription(deps, ctxOf('megan'), { productId, quantity: 2, cardToken: card() });
      if (r.status !== 'pending') throw new Error('expected a request');
      requests.push(r.request.id);
    }
    [pendingId, decidedId] = requests;
    await rejectPurchaseRequest(deps, ctxOf('alex'), { requestId: decidedId, note: 'Use the central licenses' });
    await setRequireApproval(deps, ctxOf('alex'), { enabled: false });
  });

  it('approvals: an admin may approve and reject a pending request and change the setting; a Global reader may do none of it', async () => {
    const admin = (await get<ApprovalsDto>('alex', '/admin/approvals')).body;
    expect(codesOf(admin.setting)).toEqual({ change: true });
    expect(admin.items.map((r) => r.id)).toEqual([pendingId]);
    expect(admin.items[0]).toMatchObject({ can: { approve: true, reject: true }, reasons: {} });

    const reader = (await get<ApprovalsDto>('isaiah', '/admin/approvals')).body;
    expect(codesOf(reader.setting)).toEqual({ change: 'AUTH.READ_ONLY' });
    expect(reader.items.map((r) => [r.id, codesOf(r)])).toEqual([[pendingId, { approve: 'AUTH.READ_ONLY', reject: 'AUTH.READ_ONLY' }]]);
    expect(reader.items[0].reasons.approve?.message).toMatch(/Global readers can view but not change/);
  });

  it('approvals: a decided request can no longer be approved or rejected, for anyone, and says it was decided', async () => {
    const decided = await get<ApprovalDetailDto>('alex', `/admin/approvals/${decidedId}`);
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ id: decidedId, status: 'Rejected', decidedByName: 'Alex Wilber', note: 'Use the central licenses', productName: 'Project Plan 3' });
    expect(codesOf(decided.body)).toEqual({ approve: 'REQUEST.ALREADY_DECIDED', reject: 'REQUEST.ALREADY_DECIDED' });
    expect(decided.body.reasons.approve?.message).toBe('That request was already rejected.');
    // A Global reader is refused first for who they are.
    expect(codesOf((await get<ApprovalDetailDto>('isaiah', `/admin/approvals/${decidedId}`)).body)).toEqual({ approve: 'AUTH.READ_ONLY', reject: 'AUTH.READ_ONLY' });
    expect(codesOf((await get<ApprovalDetailDto>('alex', `/admin/approvals/${pendingId}`)).body)).toEqual({ approve: true, reject: true });
    // And the server refuses exactly what the item said.
    const again = await call('alex', 'POST', `/admin/approvals/${decidedId}`, { decision: 'approve' });
    expect([again.status, again.body.error.code]).toEqual([409, 'REQUEST.ALREADY_DECIDED']);
    expect((await get('megan', `/admin/approvals/${decidedId}`)).status).toBe(403);
    expect((await get('fabrikam', `/admin/approvals/${decidedId}`)).status).toBe(404);
  });

  it('policies: an admin may change every row and all at once; a Global reader none, with the reason', async () => {
    const admin = (await get<PoliciesDto>('alex', '/admin/policies')).body;
    expect(codesOf(admin)).toEqual({ changeAll: true });
    expect(admin.rows).toHaveLength(15);
    expect(new Set(admin.rows.map((r) => JSON.stringify(codesOf(r))))).toEqual(new Set([JSON.stringify({ change: true })]));
    const reader = (await get<PoliciesDto>('isaiah', '/admin/policies')).body;
    expect(codesOf(reader)).toEqual({ changeAll: 'AUTH.READ_ONLY' });
    expect(new Set(reader.rows.map((r) => JSON.stringify(codesOf(r))))).toEqual(new Set([JSON.stringify({ change: 'AUTH.READ_ONLY' })]));
  });

  it('purchase detail: the admin actions are the domain’s, per caller (no central subscription to move users to; a reader is refused each)', async () => {
    const admin = (await get<PurchaseDetailDto>('alex', `/admin/purchases/${meganSub}`)).body;
    const domain = (await getPurchaseDetail(bot.app.deps, ctxOf('alex'), { subscriptionId: meganSub })).adminActions!;
    expect(codesOf(admin)).toEqual(Object.fromEntries(ADMIN_PURCHASE_ACTIONS.map((a) => [a, domain[a].ok ? true : domain[a].code])));
    expect(codesOf(admin)).toMatchObject({ takeOverCancel: true, centralize: true, moveUsers: 'TAKEOVER.TARGET_INVALID', disableProduct: true });
    expect(admin.reasons.moveUsers?.message).toMatch(/no central Power BI Pro subscription/);

    const reader = (await get<PurchaseDetailDto>('isaiah', `/admin/purchases/${meganSub}`)).body;
    expect(codesOf(reader)).toEqual(Object.fromEntries(ADMIN_PURCHASE_ACTIONS.map((a) => [a, 'AUTH.READ_ONLY'])));

    // Once acknowledged, acknowledging again is refused, with who did it.
    if (admin.can.acknowledge) expect((await call('alex', 'POST', `/admin/purchases/${meganSub}/acknowledge`, {})).status).toBe(200);
    const after = (await get<PurchaseDetailDto>('alex', `/admin/purchases/${meganSub}`)).body;
    expect(codesOf(after).acknowledge).toBe('PURCHASE.ALREADY_ACKNOWLEDGED');
    expect(after.reasons.acknowledge?.message).toBe('Alex Wilber already acknowledged this purchase.');
  });

  it('roles: a Global admin may grant, and revoke every role but the last Global admin; a Global reader may do neither', async () => {
    const admin = (await get<RolesDto>('alex', '/admin/roles')).body;
    expect(codesOf(admin)).toEqual({ grant: true });
    expect(admin.items.map((r) => [r.displayName, r.role, codesOf(r)]).sort()).toEqual([
      ['Alex Wilber', 'GlobalAdmin', { revoke: 'ROLE.LAST_GLOBAL_ADMIN' }],
      ['Isaiah Langer', 'GlobalReader', { revoke: true }],
    ]);
    expect(admin.items.find((r) => r.role === 'GlobalReader')).toMatchObject({ grantedByName: 'Alex Wilber' });
    const reader = (await get<RolesDto>('isaiah', '/admin/roles')).body;
    expect(codesOf(reader)).toEqual({ grant: 'AUTH.NOT_GLOBAL_ADMIN' });
    expect(reader.items.map((r) => codesOf(r))).toEqual([{ revoke: 'AUTH.NOT_GLOBAL_ADMIN' }, { revoke: 'AUTH.NOT_GLOBAL_ADMIN' }]);
    expect((await get<RolesDto>('fabrikam', '/admin/roles')).body.items.map((r) => r.displayName)).toEqual(['Fabrikam Admin']);
  });

  it('roles: granting and revoking are refused exactly where the list said so, and work where it said they would', async () => {
    const adele = { userId: DEMO_USERS.adele.id, role: 'BillingAdmin' };
    const before = await snapshot(DEMO_TENANT_ID);
    for (const who of ['isaiah', 'megan'] as const) {
      for (const verb of ['grant', 'revoke']) {
        const res = await call(who, 'POST', `/admin/roles/${verb}`, adele);
        expect([who, verb, res.status, res.body.error.code]).toEqual([who, verb, 403, 'AUTH.NOT_GLOBAL_ADMIN']);
      }
    }
    const last = await call('alex', 'POST', '/admin/roles/revoke', { userId: DEMO_USERS.alex.id, role: 'GlobalAdmin' });
    expect([last.status, last.body.error.code]).toEqual([422, 'ROLE.LAST_GLOBAL_ADMIN']);
    expect((await call('alex', 'POST', '/admin/roles/grant', { ...adele, role: 'Boss' })).status).toBe(400);
    expect((await call('fabrikam', 'POST', '/admin/roles/grant', adele)).body.error.code).toBe('USER.NOT_FOUND'); // not a Fabrikam person
    expect(await snapshot(DEMO_TENANT_ID)).toBe(before);

    expect((await call('alex', 'POST', '/admin/roles/grant', adele)).body).toEqual({ ...adele, displayName: 'Adele Vance', changed: true });
    const granted = (await get<RolesDto>('alex', '/admin/roles')).body.items.find((r) => r.userId === adele.userId);
    expect(granted && [granted.role, granted.grantedByName, codesOf(granted)]).toEqual(['BillingAdmin', 'Alex Wilber', { revoke: true }]);
    expect((await call('alex', 'POST', '/admin/roles/revoke', adele)).body).toEqual({ ...adele, displayName: 'Adele Vance', changed: true });
    expect((await get<RolesDto>('alex', '/admin/roles')).body.items.map((r) => r.userId)).not.toContain(adele.userId);
  });
});
