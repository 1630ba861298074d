/**
 * The domain decides what is possible: for every reader and state, the actions the reads report are
 * exactly what the use cases do — an allowed action succeeds, a refused one fails with the same code
 * (and changes nothing).
 */
import { loadActor } from '../../domain/access';
import { acknowledgePurchase } from '../../domain/admin/acknowledge-purchase';
import { buyCentralSubscription } from '../../domain/admin/buy-central-subscription';
import { getPurchaseActions, getPurchaseDetail, getSubscriptionSummary } from '../../domain/admin/get-purchase-detail';
import { approvePurchaseRequest, rejectPurchaseRequest } from '../../domain/approvals/decide-purchase-request';
import { getPurchaseRequest, listPendingRequests } from '../../domain/approvals/manage-approvals';
import { listBills } from '../../domain/billing/list-bills';
import { payBill } from '../../domain/billing/pay-bill';
import { runBillingCycle } from '../../domain/billing/run-billing-cycle';
import { listCatalog } from '../../domain/catalog/list-catalog';
import { assignLicenses, unassignLicenses } from '../../domain/licenses/assign-licenses';
import type { Subscription } from '../../domain/model';
import { setAllPolicies, setPolicy } from '../../domain/policy/set-policy';
import { getPolicyActions, listPolicies } from '../../domain/policy/view-policies';
import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { cancelSubscription } from '../../domain/purchasing/cancel-subscription';
import { addLicenses, removeLicenses } from '../../domain/purchasing/change-license-count';
import { getMySubscription } from '../../domain/purchasing/get-my-subscription';
import { listMyPurchases } from '../../domain/purchasing/list-my-purchases';
import { listMySubscriptions } from '../../domain/purchasing/list-my-subscriptions';
import { setRecurringBilling } from '../../domain/purchasing/set-recurring-billing';
import { startTrial } from '../../domain/purchasing/start-trial';
import { SUBSCRIPTION_ACTIONS, subscriptionAbilities, type SubscriptionAction } from '../../domain/purchasing/subscription-abilities';
import { updatePaymentMethod } from '../../domain/purchasing/update-payment-method';
import { getRoleActions, grantRole, listRoles, revokeRole } from '../../domain/roles/manage-roles';
import type { Abilities, Ability } from '../../domain/shared/abilities';
import { ErrorCodes, type ErrorCode } from '../../domain/shared/errors';
import { centralizeLicenses } from '../../domain/takeover/centralize-licenses';
import { listCentralTargets } from '../../domain/takeover/list-central-targets';
import { MOVE_TARGETS_READ, PURCHASE_ACTIONS } from '../../domain/takeover/purchase-abilities';
import { takeOverCancel } from '../../domain/takeover/take-over-cancel';
import { takeOverMoveUsers } from '../../domain/takeover/take-over-move-users';
import { type Backend, type World, expectCode, expectRefusedUnchanged, makeWorld } from '../support/world';

const PBI = 'CFQ7TTC0H9MP';
const VISIO1 = 'CFQ7TTC0HD33'; // trial without a card
const COPILOT = 'CFQ7TTC0MM8R'; // no trial

type Who = 'alice' | 'bob' | 'admin' | 'billing' | 'partner' | 'reader';
type State = 'active' | 'full' | 'single' | 'cardlessTrial' | 'cardTrial' | 'cancelled' | 'central';
type Expected = Partial<Record<SubscriptionAction, ErrorCode>>;

const ALL = (code: ErrorCode): Expected => Object.fromEntries(SUBSCRIPTION_ACTIONS.map((a) => [a, code]));

/** What the purchaser (alice) may do in each state; the central subscription is the admins'. */
const PURCHASER: Record<Exclude<State, 'central'>, Expected> = {
  active: {},
  full: { removeLicenses: ErrorCodes.LICENSE_BELOW_ASSIGNED, assign: ErrorCodes.LICENSE_NOT_ENOUGH },
  single: { removeLicenses: ErrorCodes.QUANTITY_TOO_LARGE, unassign: ErrorCodes.LICENSE_NOT_ASSIGNED },
  cardlessTrial: {
    addLicenses: ErrorCodes.TRIAL_CANNOT_CHANGE,
    removeLicenses: ErrorCodes.TRIAL_CANNOT_CHANGE,
    unassign: ErrorCodes.LICENSE_NOT_ASSIGNED,
    setRecurring: ErrorCodes.TRIAL_CANNOT_CHANGE,
    updateCard: ErrorCodes.TRIAL_CANNOT_CHANGE,
  },
  cardTrial: { addLicenses: ErrorCodes.TRIAL_CANNOT_CHANGE, removeLicenses: ErrorCodes.TRIAL_CANNOT_CHANGE },
  cancelled: ALL(ErrorCodes.SUBSCRIPTION_NOT_ACTIVE),
};

/** Every reader × state: the refused actions and their codes (an action not listed is allowed). */
const expected = (who: Who, state: State): Expected => {
  if (state === 'central') {
    if (who === 'reader') return ALL(ErrorCodes.AUTH_READ_ONLY);
    if (who === 'alice' || who === 'bob') return ALL(ErrorCodes.SUBSCRIPTION_NOT_OWNER);
    return { updateCard: ErrorCodes.INPUT_INVALID };
  }
  if (who === 'alice') return PURCHASER[state];
  if (who === 'bob') return ALL(ErrorCodes.SUBSCRIPTION_NOT_OWNER);
  if (who === 'reader') return ALL(ErrorCodes.AUTH_READ_ONLY);
  return ALL(ErrorCodes.LICENSE_ADMIN_MUST_TAKE_OVER); // R6, even on an ended one: never without taking it over
};

const codes = (abilities: Abilities<string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(abilities)
      .filter(([, a]) => !a.ok)
      .map(([k, a]) => [k, (a as Extract<Ability, { ok: false }>).code]),
  );

export const abilitiesScenarios = (makeBackend: () => Promise<Backend>): void => {
  let backend: Backend;
  let w: World;
  beforeAll(async () => {
    backend = await makeBackend();
  });
  afterAll(async () => {
    await backend.close();
  });
  beforeEach(async () => {
    // In memory every transaction copies the whole store: a store per test keeps these many worlds fast.
    if (backend.name === 'memory') backend = await makeBackend();
    w = await makeWorld(backend);
  });

  const created = <T extends { status: string }>(r: T): Extract<T, { status: 'created' }> => {
    if (r.status !== 'created') throw new Error('expected created');
    return r as Extract<T, { status: 'created' }>;
  };
  const buyAs = async (userId: string, quantity: number, productId = PBI): Promise<Subscription> =>
    created(await buySubscription(w.deps, w.as(userId), { productId, quantity, cardToken: w.card() })).subscription;

  /** A subscription in `state`, with its current holders. */
  const make = async (state: State): Promise<{ s: Subscription; holders: string[] }> => {
    const alice = w.as(w.u.alice);
    const withHolders = async (s: Subscription, holders: string[], by = alice) => {
      if (holders.length) await assignLicenses(w.deps, by, { subscriptionId: s.id, userIds: holders });
      return { s: (await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: s.id })).subscription, holders };
    };
    switch (state) {
      case 'active':
        return withHolders(await buyAs(w.u.alice, 3), [w.u.bob]);
      case 'full':
        return withHolders(await buyAs(w.u.alice, 2), [w.u.bob, w.u.carol]);
      case 'single':
        return withHolders(await buyAs(w.u.alice, 1), []);
      case 'cardlessTrial':
        return withHolders(created(await startTrial(w.deps, alice, { productId: VISIO1 })).subscription, []);
      case 'cardTrial':
        return withHolders(created(await startTrial(w.deps, alice, { productId: PBI, cardToken: w.card() })).subscription, [w.u.bob]);
      case 'cancelled': {
        const s = await buyAs(w.u.alice, 3);
        await cancelSubscription(w.deps, alice, { subscriptionId: s.id, reason: 'Too expensive' });
        return withHolders(s, []);
      }
      case 'central':
        return withHolders(await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 3 }), [w.u.bob], w.as(w.u.admin));
    }
  };

  /** Runs one action with input that is valid for it, as `userId`. */
  const run = (userId: string, action: SubscriptionAction, s: Subscription, holders: string[]): Promise<unknown> => {
    const ctx = w.as(userId);
    const subscriptionId = s.id;
    switch (action) {
      case 'addLicenses':
        return addLicenses(w.deps, ctx, { subscriptionId, quantity: 1 });
      case 'removeLicenses':
        return removeLicenses(w.deps, ctx, { subscriptionId, quantity: 1 });
      case 'assign':
        return assignLicenses(w.deps, ctx, { subscriptionId, userIds: [w.colleagues[5]] });
      case 'unassign':
        return unassignLicenses(w.deps, ctx, { subscriptionId, userIds: [holders[0] ?? w.colleagues[5]] });
      case 'setRecurring':
        return setRecurringBilling(w.deps, ctx, { subscriptionId, enabled: !s.recurring });
      case 'updateCard':
        return updatePaymentMethod(w.deps, ctx, { subscriptionId, cardToken: w.card('5555555555554444') });
      case 'cancel':
        return cancelSubscription(w.deps, ctx, { subscriptionId, reason: 'No longer needed' });
    }
  };

  /** What the reads report for this reader (the pure rule for someone who can't read it at all). */
  const reported = async (userId: string, s: Subscription): Promise<Abilities<SubscriptionAction>> => {
    const isAdminOrOwner = userId !== w.u.bob && !(s.origin === 'Central' && userId === w.u.alice);
    if (isAdminOrOwner) return (await getPurchaseDetail(w.deps, w.as(userId), { subscriptionId: s.id })).actions;
    return w.deps.uow.read(async (repos) =>
      subscriptionAbilities(await loadActor(repos, w.as(userId)), s, (await repos.assignments.countBySubscriptions(w.tenantId, [s.id])).get(s.id) ?? 0),
    );
  };

  describe('subscription actions: every reader × state × action', () => {
    const WHO: Who[] = ['alice', 'bob', 'admin', 'billing', 'partner', 'reader'];
    const STATES: State[] = ['active', 'full', 'single', 'cardlessTrial', 'cardTrial', 'cancelled', 'central'];

    test.each(STATES.flatMap((state) => WHO.map((who) => [state, who] as const)))('%s subscription, read by %s', async (state, who) => {
      const { s } = await make(state);
      const actions = await reported(w.u[who], s);
      expect(codes(actions)).toEqual(expected(who, state));
      for (const a of Object.values(actions)) if (!a.ok) expect(a.reason).toMatch(/\w.*[.!]$/);
    });

    test.each(STATES.flatMap((state) => SUBSCRIPTION_ACTIONS.map((action) => [state, action] as const)))('%s: %s by each reader does what the read said', async (state, action) => {
      for (const who of WHO) {
        // One trial per person and product: a fresh tenant for each reader.
        if (state === 'cardlessTrial' || state === 'cardTrial') w = await makeWorld(backend);
        const { s, holders } = await make(state);
        const ability = (await reported(w.u[who], s))[action];
        if (ability.ok) {
          await expect(run(w.u[who], action, s, holders)).resolves.toBeDefined();
        } else {
          const e = await expectRefusedUnchanged(w, () => run(w.u[who], action, s, holders), ability.code);
          expect(e.message).toBe(ability.reason);
        }
      }
    });

    test.each(STATES)("%s: a subscription's card summary shows what the detail shows, to the same readers", async (state) => {
      const { s } = await make(state);
      for (const who of WHO) {
        const ctx = w.as(w.u[who]);
        const detail = await getPurchaseDetail(w.deps, ctx, { subscriptionId: s.id }).catch((e: Error) => e);
        const summary = await getSubscriptionSummary(w.deps, ctx, { subscriptionId: s.id, assigneeLimit: 2 }).catch((e: Error) => e);
        if (detail instanceof Error || summary instanceof Error) {
          expect([who, (summary as { code?: string }).code ?? 'shown']).toEqual([who, (detail as { code?: string }).code ?? 'shown']);
          continue;
        }
        expect(summary.actions).toEqual(detail.actions);
        expect(summary.subscription).toEqual(detail.subscription);
        expect(summary.assignedTotal).toBe(detail.assignedTotal);
        expect(summary.assignedUsers).toEqual(detail.assignedUsers.slice(0, 2).map((u) => ({ id: u.id, displayName: u.displayName })));
        expect((await getSubscriptionSummary(w.deps, ctx, { subscriptionId: s.id, assigneeLimit: 0 })).assignedUsers).toEqual([]);
      }
      await expectCode(getSubscriptionSummary(w.deps, w.as(w.u.eve, w.otherTenantId), { subscriptionId: s.id, assigneeLimit: 5 }), ErrorCodes.SUBSCRIPTION_NOT_FOUND);
    });

    test("the purchaser's lists carry the same actions as the detail", async () => {
      const { s } = await make('full');
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id });
      expect((await listMyPurchases(w.deps, w.as(w.u.alice))).find((m) => m.subscription.id === s.id)?.actions).toEqual(detail.actions);
      expect((await listMySubscriptions(w.deps, w.as(w.u.alice))).find((m) => m.subscription.id === s.id)?.actions).toEqual(detail.actions);
      expect((await getMySubscription(w.deps, w.as(w.u.alice), { subscriptionId: s.id })).actions).toEqual(detail.actions);
      expect(detail.actions.assign).toEqual({
        ok: false,
        code: ErrorCodes.LICENSE_NOT_ENOUGH,
        reason: 'All 2 licenses are assigned. Add licenses or unassign someone first.',
        details: { available: 0, quantity: 2 },
      });
      expect(detail.adminActions).toBeNull();
    });

    test('readers are told in words they can view but not change; trials that their licenses are fixed', async () => {
      const { s } = await make('cardTrial');
      expect((await getPurchaseDetail(w.deps, w.as(w.u.reader), { subscriptionId: s.id })).actions.cancel).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^Global readers can view but not change this/),
      });
      expect((await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id })).actions.addLicenses).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^A trial has a fixed number of licenses/),
      });
    });
  });

  describe('admins add licenses to a central subscription (agreement, no card)', () => {
    test('a Billing admin adds; nothing is charged; a Global reader and a purchaser are refused', async () => {
      const central = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 2 });
      expect((await getPurchaseDetail(w.deps, w.as(w.u.billing), { subscriptionId: central.id })).actions.addLicenses).toEqual({ ok: true });
      const charges = w.payments.succeededCharges().length;
      const { subscription, invoice } = await addLicenses(w.deps, w.as(w.u.billing), { subscriptionId: central.id, quantity: 3 });
      expect(subscription.quantity).toBe(5);
      expect(invoice).toBeNull();
      expect(w.payments.succeededCharges()).toHaveLength(charges);
      await expectRefusedUnchanged(w, () => addLicenses(w.deps, w.as(w.u.reader), { subscriptionId: central.id, quantity: 1 }), ErrorCodes.AUTH_READ_ONLY);
      await expectRefusedUnchanged(w, () => addLicenses(w.deps, w.as(w.u.alice), { subscriptionId: central.id, quantity: 1 }), ErrorCodes.SUBSCRIPTION_NOT_OWNER);
    });
  });

  describe("admin actions on someone's self-service purchase", () => {
    const setup = async () => {
      const s = await buyAs(w.u.alice, 5);
      await assignLicenses(w.deps, w.as(w.u.alice), { subscriptionId: s.id, userIds: [w.u.bob, w.u.carol, w.colleagues[0]] });
      return s;
    };
    const adminActions = async (userId: string, s: Subscription) => (await getPurchaseDetail(w.deps, w.as(userId), { subscriptionId: s.id })).adminActions!;

    test('with no central subscription, moving users says why and what to do; the others are possible', async () => {
      const s = await setup();
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: s.id });
      expect(detail.usersToMove).toBe(3);
      expect(detail.moveTargets).toEqual([]);
      expect(codes(detail.adminActions!)).toEqual({ moveUsers: ErrorCodes.TAKEOVER_TARGET_INVALID });
      expect(detail.adminActions!.moveUsers).toEqual({
        ok: false,
        code: ErrorCodes.TAKEOVER_TARGET_INVALID,
        reason: 'There is no central Power BI Pro subscription yet: buy one first.',
        details: { needed: 3, best: null },
      });
      expect(await getPurchaseActions(w.deps, w.as(w.u.admin), { subscriptionId: s.id })).toEqual({ actions: detail.adminActions, moveTargets: [], usersToMove: 3 });
    });

    test('too few free central licenses: the reason gives the numbers and the closest target; adding licenses there makes the move possible', async () => {
      const s = await setup();
      const central = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 2 });
      await assignLicenses(w.deps, w.as(w.u.admin), { subscriptionId: central.id, userIds: [w.u.admin] });
      const move = (await adminActions(w.u.admin, s)).moveUsers;
      expect(move).toEqual({
        ok: false,
        code: ErrorCodes.LICENSE_NOT_ENOUGH,
        reason: 'The central subscription has 1 free license; 3 are needed. Add 2 licenses to it first.',
        details: { needed: 3, best: { subscriptionId: central.id, available: 1 } },
      });
      const refused = await expectRefusedUnchanged(
        w,
        () => takeOverMoveUsers(w.deps, w.as(w.u.admin), { subscriptionId: s.id, targetSubscriptionId: central.id }),
        ErrorCodes.LICENSE_NOT_ENOUGH,
      );
      expect(refused.message).toBe((move as Extract<Ability, { ok: false }>).reason);
      // The step the card offers: add the missing licenses to the central subscription.
      await addLicenses(w.deps, w.as(w.u.admin), { subscriptionId: central.id, quantity: 2 });
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: s.id });
      expect(detail.adminActions!.moveUsers).toEqual({ ok: true });
      expect(detail.moveTargets).toEqual([{ subscription: expect.objectContaining({ id: central.id }), available: 3, needed: 3 }]);
    });

    test('with more central subscriptions than a take-over reads, it reads the best ones and counts them all', async () => {
      const s = await setup();
      const small = [];
      for (let i = 0; i < MOVE_TARGETS_READ + 2; i++) small.push(await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 1 }));
      const closest = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 2 });
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: s.id });
      expect(detail.moveTargets).toHaveLength(MOVE_TARGETS_READ);
      expect(detail.moveTargets[0]).toEqual({ subscription: expect.objectContaining({ id: closest.id }), available: 2, needed: 3 });
      // The oldest of the equally close ones come next.
      expect(detail.moveTargets.slice(1).map((t) => t.subscription.id)).toEqual(small.slice(0, MOVE_TARGETS_READ - 1).map((c) => c.id));
      expect(detail.adminActions!.moveUsers).toMatchObject({
        ok: false,
        reason: `None of the ${MOVE_TARGETS_READ + 3} central Power BI Pro subscriptions has enough: the closest has 2 free licenses; 3 are needed. Add 1 license to it first.`,
        details: { needed: 3, best: { subscriptionId: closest.id, available: 2 } },
      });
      // One that fits, bought last, comes first: the card offers it.
      const fits = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 3 });
      const after = await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: s.id });
      expect(after.adminActions!.moveUsers).toEqual({ ok: true });
      expect(after.moveTargets.map((t) => t.subscription.id).slice(0, 2)).toEqual([fits.id, closest.id]);
      expect((await listCentralTargets(w.deps, w.as(w.u.admin), { subscriptionId: s.id })).map((t) => t.subscription.id)).toEqual(after.moveTargets.map((t) => t.subscription.id));
    });

    test('users already licensed on the target need no new license there', async () => {
      const s = await setup();
      const central = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 3 });
      await assignLicenses(w.deps, w.as(w.u.admin), { subscriptionId: central.id, userIds: [w.u.carol] });
      expect((await adminActions(w.u.admin, s)).moveUsers).toEqual({ ok: true });
      await expect(takeOverMoveUsers(w.deps, w.as(w.u.admin), { subscriptionId: s.id, targetSubscriptionId: central.id })).resolves.toMatchObject({ moved: 3 });
    });

    test('R9 the reason the admin picked reaches the purchaser, the cancel reason and the order history', async () => {
      const s = await setup();
      const central = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 5 });
      await expectRefusedUnchanged(
        w,
        () => takeOverMoveUsers(w.deps, w.as(w.u.admin), { subscriptionId: s.id, targetSubscriptionId: central.id, reason: 'because' }),
        ErrorCodes.REASON_INVALID,
      );
      const r = await takeOverMoveUsers(w.deps, w.as(w.u.admin), { subscriptionId: s.id, targetSubscriptionId: central.id, reason: 'cost control' });
      expect(r.source).toMatchObject({ status: 'Deleted', cancelReason: 'Cost control' });
      const detail = await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: s.id });
      expect(detail.orders.find((o) => o.kind === 'TakenOver')?.note).toBe(`Users moved to ${central.id}: Cost control`);
      const stored = JSON.parse(await w.snapshot());
      const outbox = (stored.outbox ?? stored.OutboxNotification) as Array<Record<string, unknown>>;
      const intent = outbox.find((n) => n.kind === 'SubscriptionTakenOver')!;
      const data = typeof intent.data === 'string' ? JSON.parse(intent.data as string) : intent.data;
      expect(data).toMatchObject({ reason: 'Cost control', usersMoved: 3, adminName: 'Admin' });
      // Without a reason it still works (and says nothing made up).
      const s2 = await buyAs(w.u.bob, 1);
      await takeOverMoveUsers(w.deps, w.as(w.u.admin), { subscriptionId: s2.id, targetSubscriptionId: central.id });
      expect((await getPurchaseDetail(w.deps, w.as(w.u.admin), { subscriptionId: s2.id })).subscription.cancelReason).toBe('Users moved by admin');
    });

    test('a Global reader gets every admin action refused as read-only, and so do the use cases', async () => {
      const s = await setup();
      const central = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 5 });
      const actions = await adminActions(w.u.reader, s);
      expect(codes(actions)).toEqual(Object.fromEntries(PURCHASE_ACTIONS.map((a) => [a, ErrorCodes.AUTH_READ_ONLY])));
      const reader = w.as(w.u.reader);
      await expectRefusedUnchanged(w, () => takeOverCancel(w.deps, reader, { subscriptionId: s.id, reason: 'Cost control' }), ErrorCodes.AUTH_READ_ONLY);
      await expectRefusedUnchanged(w, () => takeOverMoveUsers(w.deps, reader, { subscriptionId: s.id, targetSubscriptionId: central.id }), ErrorCodes.AUTH_READ_ONLY);
      await expectRefusedUnchanged(w, () => centralizeLicenses(w.deps, reader, { subscriptionId: s.id }), ErrorCodes.AUTH_READ_ONLY);
      await expectRefusedUnchanged(w, () => acknowledgePurchase(w.deps, reader, { subscriptionId: s.id }), ErrorCodes.AUTH_READ_ONLY);
      await expectRefusedUnchanged(w, () => setPolicy(w.deps, reader, { productId: PBI, value: 'Disabled' }), ErrorCodes.AUTH_READ_ONLY);
      // A purchaser reading their own gets no admin actions at all.
      expect((await getPurchaseDetail(w.deps, w.as(w.u.alice), { subscriptionId: s.id })).adminActions).toBeNull();
    });

    test('acknowledge once; disable product once; both then say why not', async () => {
      const s = await setup();
      await acknowledgePurchase(w.deps, w.as(w.u.billing), { subscriptionId: s.id });
      await setPolicy(w.deps, w.as(w.u.admin), { productId: PBI, value: 'Disabled' });
      const actions = await adminActions(w.u.admin, s);
      expect(actions.acknowledge).toEqual({
        ok: false,
        code: ErrorCodes.PURCHASE_ALREADY_ACKNOWLEDGED,
        reason: 'Billing already acknowledged this purchase.',
        details: { byName: 'Billing' },
      });
      expect(actions.disableProduct).toMatchObject({ ok: false, code: ErrorCodes.POLICY_ALREADY_SET, reason: 'Self-service purchase of Power BI Pro is already turned off.' });
      // Asking again is harmless: the first acknowledgement stands, the policy stays as it is.
      await expect(acknowledgePurchase(w.deps, w.as(w.u.admin), { subscriptionId: s.id })).resolves.toMatchObject({ by: w.u.billing });
      await expect(setPolicy(w.deps, w.as(w.u.admin), { productId: PBI, value: 'Disabled' })).resolves.toMatchObject({ from: 'Disabled', to: 'Disabled' });
    });

    test('once taken over, nothing is left to take over, centralize or acknowledge; the use cases agree', async () => {
      const s = await setup();
      const central = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 5 });
      await takeOverCancel(w.deps, w.as(w.u.admin), { subscriptionId: s.id, reason: 'Cost control' });
      const actions = await adminActions(w.u.admin, s);
      expect(codes(actions)).toEqual({
        takeOverCancel: ErrorCodes.SUBSCRIPTION_NOT_ACTIVE,
        moveUsers: ErrorCodes.SUBSCRIPTION_NOT_ACTIVE,
        centralize: ErrorCodes.SUBSCRIPTION_NOT_ACTIVE,
        acknowledge: ErrorCodes.SUBSCRIPTION_NOT_ACTIVE,
        // The purchase card no longer offers the product's switch; the policies card still does.
        disableProduct: ErrorCodes.SUBSCRIPTION_NOT_ACTIVE,
      });
      const admin = w.as(w.u.admin);
      await expectRefusedUnchanged(w, () => takeOverCancel(w.deps, admin, { subscriptionId: s.id, reason: 'Cost control' }), ErrorCodes.SUBSCRIPTION_NOT_ACTIVE);
      await expectRefusedUnchanged(w, () => takeOverMoveUsers(w.deps, admin, { subscriptionId: s.id, targetSubscriptionId: central.id }), ErrorCodes.SUBSCRIPTION_NOT_ACTIVE);
      await expectRefusedUnchanged(w, () => centralizeLicenses(w.deps, admin, { subscriptionId: s.id }), ErrorCodes.SUBSCRIPTION_NOT_ACTIVE);
      await expectRefusedUnchanged(w, () => acknowledgePurchase(w.deps, admin, { subscriptionId: s.id }), ErrorCodes.SUBSCRIPTION_NOT_ACTIVE);
    });

    test('with nobody licensed there is nothing to centralize (no central subscription for nobody); taking over still cancels it', async () => {
      const empty = await buyAs(w.u.alice, 2);
      const actions = await adminActions(w.u.admin, empty);
      expect(actions.centralize).toMatchObject({ ok: false, code: ErrorCodes.LICENSE_NO_USERS, reason: expect.stringMatching(/nothing to centralize.*Take it over/) });
      expect(actions.takeOverCancel.ok).toBe(true);
      await expectRefusedUnchanged(w, () => centralizeLicenses(w.deps, w.as(w.u.admin), { subscriptionId: empty.id }), ErrorCodes.LICENSE_NO_USERS);
    });

    test('a central subscription is not taken over; moving users needs a target of the same product', async () => {
      const central = await buyCentralSubscription(w.deps, w.as(w.u.admin), { productId: PBI, quantity: 5 });
      const actions = await adminActions(w.u.admin, central);
      expect(codes(actions)).toMatchObject({
        takeOverCancel: ErrorCodes.TAKEOVER_NOT_SELF_SERVICE,
        centralize: ErrorCodes.TAKEOVER_NOT_SELF_SERVICE,
        acknowledge: ErrorCodes.TAKEOVER_NOT_SELF_SERVICE,
      });
      await expectRefusedUnchanged(w, () => takeOverCancel(w.deps, w.as(w.u.admin), { subscriptionId: central.id, reason: 'Cost control' }), ErrorCodes.TAKEOVER_NOT_SELF_SERVICE);
      await expectRefusedUnchanged(w, () => acknowledgePurchase(w.deps, w.as(w.u.admin), { subscriptionId: central.id }), ErrorCodes.TAKEOVER_NOT_SELF_SERVICE);
      const visio = await buyAs(w.u.alice, 1, VISIO1);
      await expectRefusedUnchanged(
        w,
        () => takeOverMoveUsers(w.deps, w.as(w.u.admin), { subscriptionId: visio.id, targetSubscriptionId: central.id }),
        ErrorCodes.TAKEOVER_TARGET_INVALID,
      );
    });
  });

  describe('catalog', () => {
    const item = async (userId: string, productId: string) => (await listCatalog(w.deps, w.as(userId))).find((i) => i.product.id === productId)!;

    test('buy and trial carry their reasons; canBuy and canTrial follow them; the use cases refuse with the same codes', async () => {
      await setPolicy(w.deps, w.as(w.u.admin), { productId: PBI, value: 'Disabled' });
      await setPolicy(w.deps, w.as(w.u.admin), { productId: VISIO1, value: 'OnlyTrialsWithoutPaymentMethod' });
      const pbi = await item(w.u.alice, PBI);
      expect(pbi.actions.buy).toMatchObject({
        ok: false,
        code: ErrorCodes.POLICY_DISABLED,
        reason: 'Your organization has turned off buying Power BI Pro. Please contact your IT admin.',
      });
      expect(pbi).toMatchObject({ canBuy: false, canTrial: false });
      const visio = await item(w.u.alice, VISIO1);
      expect(codes(visio.actions)).toEqual({ buy: ErrorCodes.POLICY_TRIALS_ONLY });
      expect(visio).toMatchObject({ canBuy: false, canTrial: true });
      expect(codes((await item(w.u.alice, COPILOT)).actions)).toEqual({ trial: ErrorCodes.TRIAL_NOT_AVAILABLE });
      expect(codes((await item(w.u.guest, COPILOT)).actions)).toEqual({ buy: ErrorCodes.ELIGIBILITY_GUEST, trial: ErrorCodes.ELIGIBILITY_GUEST });
      const alice = w.as(w.u.alice);
      await expectRefusedUnchanged(w, () => buySubscription(w.deps, alice, { productId: PBI, quantity: 1, cardToken: w.card() }), ErrorCodes.POLICY_DISABLED);
      await expectRefusedUnchanged(w, () => startTrial(w.deps, alice, { productId: PBI, cardToken: w.card() }), ErrorCodes.POLICY_DISABLED);
      await expectRefusedUnchanged(w, () => buySubscription(w.deps, alice, { productId: VISIO1, quantity: 1, cardToken: w.card() }), ErrorCodes.POLICY_TRIALS_ONLY);
      await expectRefusedUnchanged(w, () => startTrial(w.deps, alice, { productId: COPILOT }), ErrorCodes.TRIAL_NOT_AVAILABLE);
      await expectRefusedUnchanged(w, () => buySubscription(w.deps, w.as(w.u.guest), { productId: COPILOT, quantity: 1, cardToken: w.card() }), ErrorCodes.ELIGIBILITY_GUEST);
      await startTrial(w.deps, alice, { productId: VISIO1 });
      expect((await item(w.u.alice, VISIO1)).actions.trial).toMatchObject({
        ok: false,
        code: ErrorCodes.TRIAL_ALREADY_USED,
        reason: "You've had your Visio Plan 1 trial (one per person, running or ended: see **my purchases**). You can buy it instead.",
      });
      await expectRefusedUnchanged(w, () => startTrial(w.deps, alice, { productId: VISIO1 }), ErrorCodes.TRIAL_ALREADY_USED);
      // Someone else may still try it.
      expect((await item(w.u.bob, VISIO1)).actions.trial).toEqual({ ok: true });
    });
  });

  describe('policies, roles, approvals and bills', () => {
    test('policies: admins may change, Global readers may not (and are told why)', async () => {
      expect((await listPolicies(w.deps, w.as(w.u.billing))).every((r) => r.actions.change.ok)).toBe(true);
      const rows = await listPolicies(w.deps, w.as(w.u.reader));
      expect(rows.every((r) => !r.actions.change.ok && r.actions.change.code === ErrorCodes.AUTH_READ_ONLY)).toBe(true);
      expect(await getPolicyActions(w.deps, w.as(w.u.reader))).toEqual({ change: rows[0].actions.change });
      await expectRefusedUnchanged(w, () => setAllPolicies(w.deps, w.as(w.u.reader), { value: 'Disabled' }), ErrorCodes.AUTH_READ_ONLY);
    });

    test('roles: only a Global admin grants and revokes, never the last Global admin', async () => {
      expect(await getRoleActions(w.deps, w.as(w.u.admin))).toEqual({ grant: { ok: true }, revoke: { ok: true } });
      expect(codes(await getRoleActions(w.deps, w.as(w.u.billing)))).toEqual({ grant: ErrorCodes.AUTH_NOT_GLOBAL_ADMIN, revoke: ErrorCodes.AUTH_NOT_GLOBAL_ADMIN });
      const rows = await listRoles(w.deps, w.as(w.u.admin));
      const lastGlobal = rows.find((r) => r.role === 'GlobalAdmin')!;
      expect(lastGlobal.actions.revoke).toMatchObject({ ok: false, code: ErrorCodes.ROLE_LAST_GLOBAL_ADMIN });
      expect(rows.filter((r) => r.role !== 'GlobalAdmin').every((r) => r.actions.revoke.ok)).toBe(true);
      await expectRefusedUnchanged(w, () => revokeRole(w.deps, w.as(w.u.admin), { userId: lastGlobal.userId, role: 'GlobalAdmin' }), ErrorCodes.ROLE_LAST_GLOBAL_ADMIN);
      await expectRefusedUnchanged(w, () => grantRole(w.deps, w.as(w.u.billing), { userId: w.u.bob, role: 'GlobalReader' }), ErrorCodes.AUTH_NOT_GLOBAL_ADMIN);
      await grantRole(w.deps, w.as(w.u.admin), { userId: w.u.bob, role: 'GlobalAdmin' });
      expect((await listRoles(w.deps, w.as(w.u.reader))).every((r) => !r.actions.revoke.ok && r.actions.revoke.code === ErrorCodes.AUTH_NOT_GLOBAL_ADMIN)).toBe(true);
      expect((await listRoles(w.deps, w.as(w.u.admin))).filter((r) => r.role === 'GlobalAdmin').every((r) => r.actions.revoke.ok)).toBe(true);
    });

    test('approvals: a pending request may be approved or rejected by an admin, once; a Global reader may not', async () => {
      const ap = await makeWorld(backend, { requireApproval: true });
      await buySubscription(ap.deps, ap.as(ap.u.alice), { productId: PBI, quantity: 2, cardToken: ap.card() });
      const [pending] = await listPendingRequests(ap.deps, ap.as(ap.u.admin));
      expect(pending.actions).toEqual({ approve: { ok: true }, reject: { ok: true } });
      const asReader = await getPurchaseRequest(ap.deps, ap.as(ap.u.reader), { requestId: pending.id });
      expect(codes(asReader.actions)).toEqual({ approve: ErrorCodes.AUTH_READ_ONLY, reject: ErrorCodes.AUTH_READ_ONLY });
      await expectRefusedUnchanged(ap, () => rejectPurchaseRequest(ap.deps, ap.as(ap.u.reader), { requestId: pending.id }), ErrorCodes.AUTH_READ_ONLY);
      await approvePurchaseRequest(ap.deps, ap.as(ap.u.admin), { requestId: pending.id });
      const decided = await getPurchaseRequest(ap.deps, ap.as(ap.u.billing), { requestId: pending.id });
      expect(decided.actions.reject).toEqual({
        ok: false,
        code: ErrorCodes.REQUEST_ALREADY_DECIDED,
        reason: 'That request was already approved.',
        details: { status: 'Approved' },
      });
      await expectRefusedUnchanged(ap, () => rejectPurchaseRequest(ap.deps, ap.as(ap.u.billing), { requestId: pending.id }), ErrorCodes.REQUEST_ALREADY_DECIDED);
    });

    test('bills: an unpaid bill may be paid; a paid one says so, and paying it again is refused the same way', async () => {
      const s = await buyAs(w.u.alice, 2);
      await updatePaymentMethod(w.deps, w.as(w.u.alice), { subscriptionId: s.id, cardToken: w.card('4000000000009995') });
      w.clock.advanceDays(32);
      await runBillingCycle(w.deps, { tenantId: w.tenantId });
      const bills = await listBills(w.deps, w.as(w.u.alice));
      const unpaid = bills.find((b) => b.status === 'Unpaid')!;
      const paid = bills.find((b) => b.status === 'Paid')!;
      expect(unpaid.actions.pay).toEqual({ ok: true });
      expect(paid.actions.pay).toMatchObject({ ok: false, code: ErrorCodes.BILL_ALREADY_PAID });
      await expectRefusedUnchanged(w, () => payBill(w.deps, w.as(w.u.alice), { invoiceId: paid.id }), ErrorCodes.BILL_ALREADY_PAID);
      await payBill(w.deps, w.as(w.u.alice), { invoiceId: unpaid.id, cardToken: w.card() });
      expect((await listBills(w.deps, w.as(w.u.alice))).every((b) => !b.actions.pay.ok)).toBe(true);
      await expectCode(payBill(w.deps, w.as(w.u.bob), { invoiceId: unpaid.id }), ErrorCodes.BILL_NOT_FOUND);
    });
  });
};
