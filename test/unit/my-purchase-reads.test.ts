import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { assignLicenses } from '../../domain/licenses/assign-licenses';
import { buyCentralSubscription } from '../../domain/admin/buy-central-subscription';
import { setRequireApproval } from '../../domain/approvals/manage-approvals';
import { listMySubscriptions } from '../../domain/purchasing/list-my-subscriptions';
import { getMySubscription } from '../../domain/purchasing/get-my-subscription';
import { getMyPurchaseRequest } from '../../domain/approvals/get-my-purchase-request';
import { ErrorCodes } from '../../domain/shared/errors';
import { expectCode, makeWorld, memoryBackend, type Backend, type World } from '../support/world';

/** The reads behind the My purchases tab and the checkout dialog's confirmation (in-memory ports). */
const PBI = 'CFQ7TTC0H9MP';
const APPS = 'CFQ7TTC0LH2H';

let backend: Backend;
let w: World;
beforeAll(async () => {
  backend = await memoryBackend();
});
beforeEach(async () => {
  w = await makeWorld(backend);
});

const buy = async (who: string, productId = PBI, quantity = 3) => {
  const r = await buySubscription(w.deps, w.as(who), { productId, quantity, billingFrequency: 'Monthly', cardToken: w.card() });
  if (r.status !== 'created') throw new Error('expected a purchase');
  return r.subscription;
};

describe('listMySubscriptions', () => {
  test('R4: only what the caller bought themselves, each with the people holding its licenses, by name', async () => {
    const mine = await buy(w.u.alice);
    await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: mine.id, userIds: [w.u.carol, w.u.bob] });
    await buy(w.u.bob, APPS);
    await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 10 });

    const list = await listMySubscriptions(w.deps, w.as(w.u.alice));
    expect(list).toHaveLength(1);
    expect(list[0].subscription.id).toBe(mine.id);
    expect(list[0].product.name).toBe('Power BI Pro');
    expect(list[0].assignees.map((a) => a.displayName)).toEqual(['Bob', 'Carol']);
    expect(list[0].assignees[0]).toEqual({ id: w.u.bob, displayName: 'Bob', email: `${w.u.bob}@example.com` });
    // An admin's own list holds no central subscriptions: those are the organization's, seen in the admin view.
    expect(await listMySubscriptions(w.deps, w.as(w.u.admin))).toEqual([]);
  });

  test('someone unknown, or of another tenant, gets a refusal rather than an empty list', async () => {
    await expectCode(listMySubscriptions(w.deps, w.as('nobody')), ErrorCodes.USER_NOT_FOUND);
    await expectCode(listMySubscriptions(w.deps, w.as(w.u.alice, 'no-such-tenant')), ErrorCodes.TENANT_UNKNOWN);
  });
});

describe('getMySubscription', () => {
  test("the caller's own subscription, with its license holders", async () => {
    const mine = await buy(w.u.alice);
    await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: mine.id, userIds: [w.u.carol] });
    const got = await getMySubscription(w.deps, w.as(w.u.alice), { subscriptionId: mine.id });
    expect(got.subscription).toMatchObject({ id: mine.id, quantity: 3 });
    expect(got.assignees.map((a) => a.id)).toEqual([w.u.carol]);
  });

  test("anyone else's is not found: another purchaser, an admin, another tenant; a malformed id is invalid", async () => {
    const mine = await buy(w.u.alice);
    for (const ctx of [w.as(w.u.bob), w.as(w.u.admin), w.as(w.u.eve, w.otherTenantId)]) {
      await expectCode(getMySubscription(w.deps, ctx, { subscriptionId: mine.id }), ErrorCodes.SUBSCRIPTION_NOT_FOUND);
    }
    await expectCode(getMySubscription(w.deps, w.as(w.u.alice), { subscriptionId: { id: mine.id } }), ErrorCodes.INPUT_INVALID);
  });
});

describe('getMyPurchaseRequest', () => {
  test('the requester sees their own request; anyone else, admins included, gets not found', async () => {
    await setRequireApproval(w.deps, w.as(w.u.admin), { enabled: true });
    const r = await buySubscription(w.deps, w.as(w.u.alice), { productId: PBI, quantity: 2, billingFrequency: 'Monthly', cardToken: w.card() });
    if (r.status !== 'pending') throw new Error('expected a pending request');
    const got = await getMyPurchaseRequest(w.deps, w.as(w.u.alice), { requestId: r.request.id });
    expect(got.request).toMatchObject({ id: r.request.id, status: 'Pending', quantity: 2 });
    expect(got.product.id).toBe(PBI);
    for (const who of [w.u.bob, w.u.admin]) await expectCode(getMyPurchaseRequest(w.deps, w.as(who), { requestId: r.request.id }), ErrorCodes.REQUEST_NOT_FOUND);
    await expectCode(getMyPurchaseRequest(w.deps, w.as(w.u.alice), { requestId: 'no-such-request' }), ErrorCodes.REQUEST_NOT_FOUND);
  });
});
