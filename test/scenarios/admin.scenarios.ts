import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { startTrial } from '../../domain/purchasing/start-trial';
import { cancelSubscription } from '../../domain/purchasing/cancel-subscription';
import { listMyPurchases } from '../../domain/purchasing/list-my-purchases';
import { assignLicenses, unassignLicenses } from '../../domain/licenses/assign-licenses';
import { listPurchases } from '../../domain/admin/list-purchases';
import { getPurchaseDetail } from '../../domain/admin/get-purchase-detail';
import { licensesForProduct, licensesOverview } from '../../domain/admin/licenses-view';
import { exportLicensedUsers } from '../../domain/admin/export-licensed-users';
import { buyCentralSubscription } from '../../domain/admin/buy-central-subscription';
import { takeOverCancel } from '../../domain/takeover/take-over-cancel';
import { takeOverMoveUsers } from '../../domain/takeover/take-over-move-users';
import { centralizeLicenses } from '../../domain/takeover/centralize-licenses';
import { listPolicies, getPolicy, viewDefaultPolicy } from '../../domain/policy/view-policies';
import { setAllPolicies, setPolicy } from '../../domain/policy/set-policy';
import { listCatalog } from '../../domain/catalog/list-catalog';
import { approvePurchaseRequest, rejectPurchaseRequest } from '../../domain/approvals/decide-purchase-request';
import { listPendingRequests, setRequireApproval } from '../../domain/approvals/manage-approvals';
import { grantRole, listRoles, revokeRole } from '../../domain/roles/manage-roles';
import { listAudit } from '../../domain/audit/list-audit';
import { markUserLeft } from '../../domain/directory/sync-directory';
import type { Subscription } from '../../domain/model';
import { ErrorCodes } from '../../domain/shared/errors';
import { type Backend, type World, expectCode, expectRefusedUnchanged, makeWorld } from '../support/world';

const PBI = 'CFQ7TTC0H9MP';
const PBI_OLD = 'CFQ7TTC0L3PB';
const APPS = 'CFQ7TTC0LH2H';

const collect = async (it: AsyncIterable<string>): Promise<string> => {
  let out = '';
  for await (const chunk of it) out += chunk;
  return out;
};

export const adminScenarios = (makeBackend: () => Promise<Backend>): void => {
  let backend: Backend;
  let w: World;
  beforeAll(async () => {
    backend = await makeBackend();
  });
  afterAll(async () => {
    await backend.close();
  });
  beforeEach(async () => {
    w = await makeWorld(backend);
  });

  const buyAs = async (userId: string, quantity = 5, productId = PBI): Promise<Subscription> => {
    const r = await buySubscription(w.deps, w.as(userId), { productId, quantity, cardToken: w.card() });
    if (r.status !== 'created') throw new Error('expected created');
    return r.subscription;
  };

  describe('eligibility', () => {
    test('R1 any non-guest member of an eligible tenant may buy', async () => {
      await expect(buyAs(w.u.bob)).resolves.toMatchObject({ status: 'Active' });
    });

    test('R1 a guest cannot buy in a tenant where they are a guest, and is asked to contact IT', async () => {
      const e = await expectRefusedUnchanged(w, () => buySubscription(w.deps, w.as(w.u.guest), { productId: PBI, quantity: 1, cardToken: w.card() }), ErrorCodes.ELIGIBILITY_GUEST);
      expect(e.message).toMatch(/contact your IT admin/);
    });

    test.each(['Government', 'Nonprofit', 'Education'] as const)('R1 %s tenants are not eligible', async (kind) => {
      const gov = await makeWorld(backend, { kind });
      const e = await expectRefusedUnchanged(
        gov,
        () => buySubscription(gov.deps, gov.as(gov.u.alice), { productId: PBI, quantity: 1, cardToken: gov.card() }),
        ErrorCodes.ELIGIBILITY_TENANT_TYPE,
      );
      expect(e.message).toMatch(/contact your IT admin/);
    });

    test('R1 tenants outside the enabled markets are not eligible', async () => {
      const elsewhere = await makeWorld(backend, { country: 'KP' });
      await expectRefusedUnchanged(elsewhere, () => startTrial(elsewhere.deps, elsewhere.as(elsewhere.u.alice), { productId: 'CFQ7TTC0HD33' }), ErrorCodes.ELIGIBILITY_MARKET);
    });

    test('an actor of another tenant, or unknown, cannot act here', async () => {
      await expectCode(buySubscription(w.deps, w.as(w.u.eve), { productId: PBI, quantity: 1, cardToken: w.card() }), ErrorCodes.USER_NOT_FOUND);
      await expectCode(listPurchases(w.deps, w.as(w.u.admin, 'no-such-tenant')), ErrorCodes.TENANT_UNKNOWN);
    });
  });

  describe('policy', () => {
    test('R3 new products default to Enabled; admins list all, view one, change one and all', async () => {
      expect(viewDefaultPolicy()).toEqual({ policyId: 'AllowSelfServicePurchase', value: 'Enabled' });
      const all = await listPolicies(w.deps, w.as(w.u.reader));
      expect(all).toHaveLength(15);
      expect(all.every((p) => p.value === 'Enabled' && p.isDefault)).toBe(true);
      await setPolicy(w.deps, w.as(w.u.billing), { productId: APPS, value: 'disabled' });
      expect((await getPolicy(w.deps, w.as(w.u.reader), APPS)).value).toBe('Disabled');
      const changes = await setAllPolicies(w.deps, w.as(w.u.admin), { value: 'OnlyTrialsWithoutPaymentMethod' });
      expect(changes).toHaveLength(15);
      expect((await listPolicies(w.deps, w.as(w.u.admin))).every((p) => p.value === 'OnlyTrialsWithoutPaymentMethod')).toBe(true);
    });

    test('R3 a disabled product cannot be bought; existing subscriptions are untouched', async () => {
      const existing = await buyAs(w.u.alice);
      await setPolicy(w.deps, w.as(w.u.admin), { productId: PBI, value: 'Disabled' });
      await expectRefusedUnchanged(w, () => buySubscription(w.deps, w.as(w.u.bob), { productId: PBI, quantity: 1, cardToken: w.card() }), ErrorCodes.POLICY_DISABLED);
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: existing.id });
      expect(detail.subscription).toMatchObject({ status: 'Active', quantity: 5 });
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: existing.id, userIds: [w.u.bob] });
      const catalog = await listCatalog(w.deps, w.as(w.u.bob));
      expect(catalog.find((c) => c.product.id === PBI)).toMatchObject({ canBuy: false, canTrial: false });
    });

    test('R3 a product blocked under its old id is blocked under the new one', async () => {
      await setPolicy(w.deps, w.as(w.u.admin), { productId: PBI_OLD, value: 'Disabled' });
      expect((await getPolicy(w.deps, w.as(w.u.admin), PBI)).value).toBe('Disabled');
      await expectRefusedUnchanged(w, () => buySubscription(w.deps, w.as(w.u.bob), { productId: PBI, quantity: 1, cardToken: w.card() }), ErrorCodes.POLICY_DISABLED);
    });

    test('R3 only Global and Billing admins change policy; Global readers view only', async () => {
      await expectRefusedUnchanged(w, () => setPolicy(w.deps, w.as(w.u.reader), { productId: PBI, value: 'Disabled' }), ErrorCodes.AUTH_READ_ONLY);
      await expectRefusedUnchanged(w, () => setPolicy(w.deps, w.as(w.u.alice), { productId: PBI, value: 'Disabled' }), ErrorCodes.AUTH_NOT_ADMIN);
      await expectRefusedUnchanged(w, () => setPolicy(w.deps, w.as(w.u.admin), { productId: PBI, value: 'Maybe' }), ErrorCodes.POLICY_VALUE_INVALID);
      await expectRefusedUnchanged(w, () => setPolicy(w.deps, w.as(w.u.admin), { productId: 'XYZ', value: 'Disabled' }), ErrorCodes.PRODUCT_UNKNOWN);
      await expectCode(listPolicies(w.deps, w.as(w.u.alice)), ErrorCodes.AUTH_NOT_ADMIN);
    });
  });

  describe('licenses', () => {
    test('R4 the purchaser assigns only to users of the same tenant, at most 20 at a time, never beyond quantity', async () => {
      const s = await buyAs(w.u.alice, 3);
      await expectRefusedUnchanged(w, () => assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.eve] }), ErrorCodes.USER_NOT_FOUND);
      await expectRefusedUnchanged(
        w,
        () => assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: w.colleagues.slice(0, 21) }),
        ErrorCodes.LICENSE_TOO_MANY_USERS,
      );
      await expectRefusedUnchanged(w, () => assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: w.colleagues.slice(0, 4) }), ErrorCodes.LICENSE_NOT_ENOUGH);
      await expectRefusedUnchanged(w, () => assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [] }), ErrorCodes.LICENSE_NO_USERS);
      await expectRefusedUnchanged(w, () => assignLicenses(w.deps, w.as(w.u.bob), { subscriptionId: s.id, userIds: [w.u.bob] }), ErrorCodes.SUBSCRIPTION_NOT_OWNER);
      const r = await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob, w.u.carol] });
      expect(r).toEqual({ assigned: [w.u.bob, w.u.carol], alreadyAssigned: [], available: 1, names: expect.any(Object), told: [w.u.bob, w.u.carol] });
      expect(Object.keys(r.names).sort()).toEqual([w.u.bob, w.u.carol].sort());
      await expectRefusedUnchanged(w, () => assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob] }), ErrorCodes.LICENSE_ALREADY_ASSIGNED);
      await expectRefusedUnchanged(w, () => unassignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.colleagues[0]] }), ErrorCodes.LICENSE_NOT_ASSIGNED);
      expect(await unassignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob] })).toEqual({
        unassigned: [w.u.bob],
        available: 2,
        names: { [w.u.bob]: expect.any(String) },
        told: [w.u.bob],
      });
      expect(await w.snapshot()).toContain('LicenseRemoved');
    });

    test('R4 twenty users in one operation is allowed', async () => {
      const s = await buyAs(w.u.alice, 20);
      expect((await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: w.colleagues.slice(0, 20) })).assigned).toHaveLength(20);
    });

    test("another tenant's subscription id is simply not found", async () => {
      const theirs = await (async () => {
        const r = await buySubscription(w.deps, w.as(`${w.u.eve}`, w.otherTenantId), { productId: PBI, quantity: 2, cardToken: w.card() });
        return r.status === 'created' ? r.subscription : null;
      })();
      await expectRefusedUnchanged(w, () => assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: theirs!.id, userIds: [w.u.bob] }), ErrorCodes.SUBSCRIPTION_NOT_FOUND);
      await expectRefusedUnchanged(w, () => takeOverCancel(w.deps, w.as(w.u.admin), { subscriptionId: theirs!.id, reason: 'Other' }), ErrorCodes.SUBSCRIPTION_NOT_FOUND);
      await expectCode(getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: theirs!.id }), ErrorCodes.SUBSCRIPTION_NOT_FOUND);
      await expectCode(exportLicensedUsers(w.deps, w.as(w.u.admin), { subscriptionIds: [theirs!.id] }), ErrorCodes.SUBSCRIPTION_NOT_FOUND);
    });

    test("R6 an admin cannot assign or unassign on a purchaser's subscription without taking it over", async () => {
      const s = await buyAs(w.u.alice, 3);
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob] });
      await expectRefusedUnchanged(w, () => assignLicenses(w.deps, w.as(w.u.admin), { subscriptionId: s.id, userIds: [w.u.carol] }), ErrorCodes.LICENSE_ADMIN_MUST_TAKE_OVER);
      await expectRefusedUnchanged(w, () => unassignLicenses(w.deps, w.as(w.u.billing), { subscriptionId: s.id, userIds: [w.u.bob] }), ErrorCodes.LICENSE_ADMIN_MUST_TAKE_OVER);
    });

    test('concurrency: 20 parallel assigns on a 10-license subscription end with exactly 10', async () => {
      const s = await buyAs(w.u.alice, 10);
      const results = await Promise.allSettled(w.colleagues.slice(0, 20).map((id) => assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [id] })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused.every((r) => r.reason.code === ErrorCodes.LICENSE_NOT_ENOUGH)).toBe(true);
      expect((await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id })).assignedUsers).toHaveLength(10);
    });
  });

  describe('admin views', () => {
    test('R5 admins see every purchase with product, purchaser, quantity, expiry, price, history and users; filter self-service vs central', async () => {
      const a = await buyAs(w.u.alice, 4);
      const b = await buyAs(w.u.bob, 2, APPS);
      const central = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 50 });
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: a.id, userIds: [w.u.carol] });
      const all = await listPurchases(w.deps, w.as(w.u.reader));
      expect(all.total).toBe(3);
      const self = await listPurchases(w.deps, w.as(w.u.admin), { origin: 'SelfService' });
      expect(self.items.map((r) => r.subscription.id)).toEqual([b.id, a.id]);
      expect(self.items.every((r) => r.subscription.origin === 'SelfService')).toBe(true);
      expect((await listPurchases(w.deps, w.as(w.u.admin), { origin: 'central' })).items.map((r) => r.subscription.id)).toEqual([central.id]);
      const row = (await listPurchases(w.deps, w.as(w.u.admin), { purchaserId: w.u.alice })).items[0];
      expect(row).toMatchObject({
        purchaserName: 'Alice',
        assigned: 1,
        product: { name: 'Power BI Pro' },
        subscription: { quantity: 4, unitPrice: { amountMinor: 1680, currency: 'USD' } },
      });
      expect((await listPurchases(w.deps, w.as(w.u.admin), { productId: PBI_OLD })).total).toBe(2);
      expect((await listPurchases(w.deps, w.as(w.u.admin), { status: 'Deleted' })).total).toBe(0);
      const page2 = await listPurchases(w.deps, w.as(w.u.admin), { page: 2, pageSize: 2 });
      expect(page2.items).toHaveLength(1);
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.reader), { subscriptionId: a.id });
      expect(detail).toMatchObject({ purchaser: { displayName: 'Alice' }, assignedUsers: [{ id: w.u.carol }], orders: [{ kind: 'Purchase' }] });
      await expectCode(listPurchases(w.deps, w.as(w.u.alice)), ErrorCodes.AUTH_NOT_ADMIN);
      await expectCode(listPurchases(w.deps, w.as(w.u.admin), { origin: 'Stolen' }), ErrorCodes.INPUT_INVALID);
      await expectCode(listPurchases(w.deps, w.as(w.u.admin), { pageSize: 1000 }), ErrorCodes.INPUT_INVALID);
    });

    test('R7 licenses view lists a product once with the total quantity, users grouped by purchaser; export CSV of chosen subscriptions', async () => {
      const a = await buyAs(w.u.alice, 4);
      const b = await buyAs(w.u.bob, 6);
      await buyAs(w.u.carol, 2, APPS);
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: a.id, userIds: [w.colleagues[0], w.colleagues[1]] });
      await assignLicenses(w.deps, w.as(w.u.bob), { subscriptionId: b.id, userIds: [w.colleagues[2], '=cmd'].slice(0, 1) });
      const overview = await licensesOverview(w.deps, w.as(w.u.admin));
      expect(overview.filter((p) => p.product.id === PBI)).toHaveLength(1);
      expect(overview.find((p) => p.product.id === PBI)).toMatchObject({ subscriptions: 2, totalQuantity: 10, assigned: 3, available: 7 });
      const view = await licensesForProduct(w.deps, w.as(w.u.admin), { productId: PBI });
      expect(view.groups.map((g) => [g.purchaserName, g.users.map((u) => u.id)])).toEqual([
        ['Alice', [w.colleagues[0], w.colleagues[1]]],
        ['Bob', [w.colleagues[2]]],
      ]);
      const csv = await collect(await exportLicensedUsers(w.deps, w.as(w.u.reader), { subscriptionIds: [a.id] }));
      const lines = csv.trim().split('\r\n');
      expect(lines[0]).toBe('Display name,Email,User id,Product,Subscription id,Purchaser,Assigned at');
      expect(
        lines
          .slice(1)
          .map((l) => l.split(',')[2])
          .sort(),
      ).toEqual([w.colleagues[0], w.colleagues[1]]);
      await expectCode(exportLicensedUsers(w.deps, w.as(w.u.alice), { subscriptionIds: [a.id] }), ErrorCodes.AUTH_NOT_ADMIN);
    });

    test('R12 data from a self-service purchase belongs to the organization: it outlives the purchaser and admins keep full control', async () => {
      const s = await buyAs(w.u.leaver, 2);
      await assignLicenses(w.deps, w.as(w.u.leaver), { subscriptionId: s.id, userIds: [w.u.bob] });
      await markUserLeft(w.deps, w.tenantId, w.u.leaver);
      expect((await listPurchases(w.deps, w.as(w.u.admin), { purchaserId: w.u.leaver })).total).toBe(1);
      const csv = await collect(await exportLicensedUsers(w.deps, w.as(w.u.admin), { subscriptionIds: [s.id] }));
      expect(csv).toContain(w.u.bob);
      const central = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 5 });
      await takeOverMoveUsers(w.deps, w.as(w.u.admin), { subscriptionId: s.id, targetSubscriptionId: central.id });
      expect((await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: central.id })).assignedUsers.map((u) => u.id)).toEqual([w.u.bob]);
    });
  });

  describe('take over and centralize', () => {
    test('R8 centralize: central licenses for everyone licensed on the self-service subscription, then the purchaser is asked to cancel', async () => {
      const s = await buyAs(w.u.alice, 5);
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob, w.u.carol] });
      const { source, target, assigned } = await centralizeLicenses(w.deps, w.as(w.u.billing), { subscriptionId: s.id });
      expect(assigned).toBe(2);
      expect(target).toMatchObject({ origin: 'Central', card: null, quantity: 2, productId: PBI });
      expect(source).toMatchObject({ status: 'Active', centralizedInto: target.id });
      expect(await w.snapshot()).toContain('CancelRequested');
      // One click later the purchaser cancels; the users keep their central licenses.
      await cancelSubscription(w.deps, w.as(w.u.alice), { subscriptionId: s.id, reason: 'Licenses centralized' });
      expect((await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: target.id })).assignedUsers.map((u) => u.id).sort()).toEqual([w.u.bob, w.u.carol].sort());
    });

    test('R8 centralize into an existing central subscription needs enough licenses there', async () => {
      const s = await buyAs(w.u.alice, 5);
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob, w.u.carol] });
      const small = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 1 });
      await expectRefusedUnchanged(w, () => centralizeLicenses(w.deps, w.as(w.u.admin), { subscriptionId: s.id, targetSubscriptionId: small.id }), ErrorCodes.LICENSE_NOT_ENOUGH);
      await expectRefusedUnchanged(w, () => centralizeLicenses(w.deps, w.as(w.u.reader), { subscriptionId: s.id }), ErrorCodes.AUTH_READ_ONLY);
    });

    test('R9 move users: needs a license per user in the target; users move and the old subscription is Deleted, all at once', async () => {
      const s = await buyAs(w.u.alice, 5);
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob, w.u.carol, w.colleagues[0]] });
      const small = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 2 });
      await expectRefusedUnchanged(w, () => takeOverMoveUsers(w.deps, w.as(w.u.admin), { subscriptionId: s.id, targetSubscriptionId: small.id }), ErrorCodes.LICENSE_NOT_ENOUGH);
      await expectRefusedUnchanged(w, () => takeOverMoveUsers(w.deps, w.as(w.u.admin), { subscriptionId: s.id, targetSubscriptionId: s.id }), ErrorCodes.TAKEOVER_TARGET_INVALID);
      const big = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 10 });
      const r = await takeOverMoveUsers(w.deps, w.as(w.u.partner), { subscriptionId: s.id, targetSubscriptionId: big.id });
      expect(r.moved).toBe(3);
      expect(r.source.status).toBe('Deleted');
      const target = await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: big.id });
      expect(target.assignedUsers).toHaveLength(3);
      expect((await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: s.id })).assignedUsers).toHaveLength(0);
      expect(await w.snapshot()).toContain('SubscriptionTakenOver');
      await expectRefusedUnchanged(
        w,
        () => takeOverMoveUsers(w.deps, w.as(w.u.admin), { subscriptionId: big.id, targetSubscriptionId: s.id }),
        ErrorCodes.TAKEOVER_NOT_SELF_SERVICE,
      );
    });

    test('R10 cancel with a reason: licensed users lose access, status Deleted, the purchaser is told why', async () => {
      const s = await buyAs(w.u.alice, 5);
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob] });
      await expectRefusedUnchanged(w, () => takeOverCancel(w.deps, w.as(w.u.admin), { subscriptionId: s.id, reason: '' }), ErrorCodes.REASON_INVALID);
      await expectRefusedUnchanged(w, () => takeOverCancel(w.deps, w.as(w.u.reader), { subscriptionId: s.id, reason: 'Cost control' }), ErrorCodes.AUTH_READ_ONLY);
      await expectRefusedUnchanged(w, () => takeOverCancel(w.deps, w.as(w.u.bob), { subscriptionId: s.id, reason: 'Cost control' }), ErrorCodes.AUTH_NOT_ADMIN);
      const r = await takeOverCancel(w.deps, w.as(w.u.admin), { subscriptionId: s.id, reason: 'Cost control' });
      expect(r).toMatchObject({ status: 'Deleted', cancelReason: 'Cost control' });
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id });
      expect(detail.assignedUsers).toHaveLength(0);
      const snap = await w.snapshot();
      expect(snap).toContain('SubscriptionCancelledByAdmin');
      expect(snap).toContain('Cost control');
      await expectRefusedUnchanged(w, () => takeOverCancel(w.deps, w.as(w.u.admin), { subscriptionId: s.id, reason: 'Cost control' }), ErrorCodes.SUBSCRIPTION_NOT_ACTIVE);
    });

    test('R10 "Other" in the admin\'s own words: the purchaser is told them', async () => {
      const s = await buyAs(w.u.alice, 2);
      const r = await takeOverCancel(w.deps, w.as(w.u.admin), { subscriptionId: s.id, reason: 'Other', details: 'Bought under the wrong department' });
      expect(r.cancelReason).toBe('Other: Bought under the wrong department');
      // The notification's data (an object in memory, JSON text in a database row).
      expect(await w.snapshot()).toMatch(/\\?"reason\\?":\\?"Other: Bought under the wrong department/);
    });

    test('concurrency: two concurrent take-overs of one subscription leave exactly one winner', async () => {
      const s = await buyAs(w.u.alice, 5);
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob] });
      const central = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 5 });
      const results = await Promise.allSettled([
        takeOverCancel(w.deps, w.as(w.u.admin), { subscriptionId: s.id, reason: 'Cost control' }),
        takeOverMoveUsers(w.deps, w.as(w.u.billing), { subscriptionId: s.id, targetSubscriptionId: central.id }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
      expect(loser.reason.code).toBe(ErrorCodes.SUBSCRIPTION_NOT_ACTIVE);
      const snap = await w.snapshot();
      expect(snap.match(/SubscriptionCancelledByAdmin|SubscriptionTakenOver/g)).toHaveLength(1);
    });
  });

  describe('approvals, roles, audit and notifications', () => {
    test('require admin approval: a purchase waits for an admin; approve buys it for the requester, reject tells them', async () => {
      const ap = await makeWorld(backend, { requireApproval: true });
      const r = await buySubscription(ap.deps, ap.as(ap.u.alice), { productId: PBI, quantity: 3, cardToken: ap.card() });
      expect(r.status).toBe('pending');
      expect(ap.payments.succeededCharges()).toHaveLength(0);
      const pending = await listPendingRequests(ap.deps, ap.as(ap.u.reader));
      expect(pending).toHaveLength(1);
      await expectRefusedUnchanged(ap, () => approvePurchaseRequest(ap.deps, ap.as(ap.u.reader), { requestId: pending[0].id }), ErrorCodes.AUTH_READ_ONLY);
      await expectRefusedUnchanged(ap, () => approvePurchaseRequest(ap.deps, ap.as(ap.u.alice), { requestId: pending[0].id }), ErrorCodes.AUTH_NOT_ADMIN);
      const approved = await approvePurchaseRequest(ap.deps, ap.as(ap.u.admin), { requestId: pending[0].id });
      expect(approved.status).toBe('Approved');
      expect(ap.payments.succeededCharges()).toHaveLength(1);
      expect((await listMyPurchases(ap.deps, ap.as(ap.u.alice)))[0].subscription).toMatchObject({ id: approved.subscriptionId, purchaserId: ap.u.alice, quantity: 3 });
      await expectRefusedUnchanged(ap, () => rejectPurchaseRequest(ap.deps, ap.as(ap.u.admin), { requestId: pending[0].id }), ErrorCodes.REQUEST_ALREADY_DECIDED);

      const r2 = await buySubscription(ap.deps, ap.as(ap.u.bob), { productId: APPS, quantity: 1, cardToken: ap.card() });
      const rejected = await rejectPurchaseRequest(ap.deps, ap.as(ap.u.billing), { requestId: r2.status === 'pending' ? r2.request.id : '', note: 'Use the central one' });
      expect(rejected).toMatchObject({ status: 'Rejected', decisionNote: 'Use the central one', cardToken: null });
      const snap = await ap.snapshot();
      expect(snap).toContain('ApprovalRequested');
      expect(snap).toContain('RequestApproved');
      expect(snap).toContain('RequestRejected');
      await expectCode(approvePurchaseRequest(ap.deps, ap.as(ap.u.admin), { requestId: 'nope' }), ErrorCodes.REQUEST_NOT_FOUND);
      await setRequireApproval(ap.deps, ap.as(ap.u.admin), { enabled: false });
      expect((await buySubscription(ap.deps, ap.as(ap.u.carol), { productId: PBI, quantity: 1, cardToken: ap.card() })).status).toBe('created');
    });

    test('an approval that can no longer be honoured (product disabled meanwhile) fails cleanly and tells the requester', async () => {
      const ap = await makeWorld(backend, { requireApproval: true });
      const r = await buySubscription(ap.deps, ap.as(ap.u.alice), { productId: PBI, quantity: 2, cardToken: ap.card() });
      await setPolicy(ap.deps, ap.as(ap.u.admin), { productId: PBI, value: 'Disabled' });
      const decided = await approvePurchaseRequest(ap.deps, ap.as(ap.u.admin), { requestId: r.status === 'pending' ? r.request.id : '' });
      expect(decided).toMatchObject({ status: 'Failed', subscriptionId: null, cardToken: null });
      expect(ap.payments.succeededCharges()).toHaveLength(0);
      expect(await listMyPurchases(ap.deps, ap.as(ap.u.alice))).toHaveLength(0);
      expect(await ap.snapshot()).toContain('RequestFailed');
    });

    test('roles: a Global admin grants and revokes; nobody else can; the last Global admin stays', async () => {
      await expectRefusedUnchanged(w, () => grantRole(w.deps, w.as(w.u.billing), { userId: w.u.alice, role: 'BillingAdmin' }), ErrorCodes.AUTH_NOT_GLOBAL_ADMIN);
      await expectRefusedUnchanged(w, () => grantRole(w.deps, w.as(w.u.admin), { userId: w.u.eve, role: 'BillingAdmin' }), ErrorCodes.USER_NOT_FOUND);
      await expectRefusedUnchanged(w, () => grantRole(w.deps, w.as(w.u.admin), { userId: w.u.alice, role: 'Emperor' }), ErrorCodes.ROLE_UNKNOWN);
      await grantRole(w.deps, w.as(w.u.admin), { userId: w.u.alice, role: 'billing admin' });
      expect((await listPurchases(w.deps, w.as(w.u.alice))).total).toBe(0);
      await revokeRole(w.deps, w.as(w.u.admin), { userId: w.u.alice, role: 'BillingAdmin' });
      await expectCode(listPurchases(w.deps, w.as(w.u.alice)), ErrorCodes.AUTH_NOT_ADMIN);
      await expectRefusedUnchanged(w, () => revokeRole(w.deps, w.as(w.u.admin), { userId: w.u.admin, role: 'GlobalAdmin' }), ErrorCodes.ROLE_LAST_GLOBAL_ADMIN);
      expect((await listRoles(w.deps, w.as(w.u.reader))).map((r) => r.role).sort()).toEqual(['BillingAdmin', 'DelegatedAdmin', 'GlobalAdmin', 'GlobalReader']);
    });

    test('audit: every state change records actor, action, target, summary and surface', async () => {
      const s = await buyAs(w.u.alice, 2);
      await assignLicenses(w.deps, { ...w.as(w.u.alice), surface: 'card' }, { subscriptionId: s.id, userIds: [w.u.bob] });
      await setPolicy(w.deps, { ...w.as(w.u.admin), surface: 'web' }, { productId: APPS, value: 'Disabled' });
      const log = await listAudit(w.deps, w.as(w.u.reader));
      expect(log.items.map((e) => [e.action, e.actorId, e.surface])).toEqual(
        expect.arrayContaining([
          ['subscription.purchase', w.u.alice, 'chat'],
          ['license.assign', w.u.alice, 'card'],
          ['policy.set', w.u.admin, 'web'],
        ]),
      );
      expect(log.items.find((e) => e.action === 'license.assign')).toMatchObject({ targetType: 'subscription', targetId: s.id, summary: expect.stringContaining('Bob') });
      await expectCode(listAudit(w.deps, w.as(w.u.alice)), ErrorCodes.AUTH_NOT_ADMIN);
    });

    test('a change and the notifications it causes commit together: a purchase notifies admins in the same transaction', async () => {
      const s = await buyAs(w.u.alice, 2);
      const snap = await w.snapshot();
      expect(snap).toContain('PurchaseCreated');
      expect(snap).toContain(s.id);
      // A declined purchase leaves neither a subscription nor a notification.
      await expectRefusedUnchanged(
        w,
        () => buySubscription(w.deps, w.as(w.u.bob), { productId: PBI, quantity: 1, cardToken: w.card('4000000000000002') }),
        ErrorCodes.PAYMENT_DECLINED,
      );
    });
  });
};
