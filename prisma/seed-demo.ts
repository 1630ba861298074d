import type { Deps } from '../domain/ports';
import type { DirectoryUser } from '../domain/model';
import { upsertDirectoryUsers, upsertTenant } from '../domain/directory/sync-directory';
import { bootstrapAdmins } from '../domain/roles/manage-roles';
import { buySubscription } from '../domain/purchasing/buy-subscription';
import { startTrial } from '../domain/purchasing/start-trial';
import { assignLicenses } from '../domain/licenses/assign-licenses';
import { updatePaymentMethod } from '../domain/purchasing/update-payment-method';
import { runBillingCycle } from '../domain/billing/run-billing-cycle';
import { addDays } from '../domain/shared/clock';
import type { SandboxPaymentProvider } from '../payments/sandbox-payment-provider';

/**
 * A demo tenant whose people are the Microsoft 365 Agents Playground's default personas, so that
 * `npm start` plus the Playground is explorable at once. The Playground's default current user,
 * Alex Wilber, is a Global admin; Megan and Adele have bought things; Isaiah is a Global reader.
 * Megan also has one unpaid bill (a declined renewal), so paying a bill can be tried at once.
 */
export const DEMO_TENANT_ID = '00000000-0000-0000-0000-0000000000001';

const persona = (n: number, displayName: string, email: string): DirectoryUser => ({
  id: `00000000-0000-0000-0000-00000000000${n}`,
  tenantId: DEMO_TENANT_ID,
  displayName,
  email,
  isGuest: false,
  active: true,
});

export const DEMO_USERS = {
  alex: persona(20, 'Alex Wilber', 'alexw@example.com'),
  megan: persona(21, 'Megan Bowen', 'meganb@example.com'),
  adele: persona(22, 'Adele Vance', 'adelev@example.com'),
  isaiah: persona(23, 'Isaiah Langer', 'isaiahl@example.com'),
  patti: persona(24, 'Patti Fernandez', 'pattif@example.com'),
  lynne: persona(25, 'Lynne Robbins', 'lynner@example.com'),
};

/** What the instance that seeds the demo tenant writes first: of several starting at once, one seeds. */
const SEED_CLAIM = 'seed-demo-tenant';

/**
 * Seeds only an empty database (no demo tenant yet); returns whether it seeded. Instances started
 * together on one database race for it: each claims it (an idempotency record, a unique key, stored
 * only if absent), and only the one whose claim was stored seeds.
 */
export const seedDemoTenant = async (deps: Deps, payments: SandboxPaymentProvider): Promise<boolean> => {
  const claimed = await deps.uow.run(async (repos) =>
    (await repos.tenants.get(DEMO_TENANT_ID))
      ? false
      : repos.idempotency.claim({ tenantId: DEMO_TENANT_ID, key: SEED_CLAIM, operation: SEED_CLAIM, fingerprint: '', resultId: DEMO_TENANT_ID, createdAt: deps.clock.now() }),
  );
  if (!claimed) return false;
  await upsertTenant(deps, { id: DEMO_TENANT_ID, name: 'Contoso (demo)', kind: 'Commercial', country: 'US' });
  await upsertDirectoryUsers(deps, Object.values(DEMO_USERS));
  await bootstrapAdmins(deps, [{ tenantId: DEMO_TENANT_ID, userId: DEMO_USERS.alex.id }]);
  await deps.uow.run((repos) =>
    repos.roles.add({ tenantId: DEMO_TENANT_ID, userId: DEMO_USERS.isaiah.id, role: 'GlobalReader', grantedBy: DEMO_USERS.alex.id, grantedAt: deps.clock.now() }),
  );
  const card = payments.tokenize({ number: '4242 4242 4242 4242', expMonth: 12, expYear: deps.clock.now().getUTCFullYear() + 3, cvc: '123', name: 'Demo' }).token;
  const megan = { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.megan.id, surface: 'system' as const };
  const bought = await buySubscription(deps, megan, { productId: 'CFQ7TTC0H9MP', quantity: 5, billingFrequency: 'Monthly', cardToken: card });
  if (bought.status === 'created') {
    await assignLicenses(deps, megan, { subscriptionId: bought.subscription.id, userIds: [DEMO_USERS.megan.id, DEMO_USERS.patti.id, DEMO_USERS.lynne.id] });
  }
  await startTrial(deps, { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.adele.id, surface: 'system' }, { productId: 'CFQ7TTC0HD33' });
  await seedDeclinedRenewal(deps, payments, megan, card);
  return true;
};

/**
 * Megan bought Clipchamp Premium a month ago and later put a card on it that has no funds; its
 * renewal came due and was declined, leaving an unpaid bill (and a payment-failed notice) as the
 * billing job leaves one. Made through the use cases, back-dated, then settled by the real job.
 */
const seedDeclinedRenewal = async (deps: Deps, payments: SandboxPaymentProvider, megan: { tenantId: string; actorId: string; surface: 'system' }, card: string): Promise<void> => {
  const boughtAt = addDays(deps.clock.now(), -32);
  const then: Deps = { ...deps, clock: { now: () => new Date(boughtAt.getTime()) } };
  const bought = await buySubscription(then, megan, { productId: 'CFQ7TTC0N8SS', quantity: 1, billingFrequency: 'Monthly', cardToken: card });
  if (bought.status !== 'created') return;
  await assignLicenses(then, megan, { subscriptionId: bought.subscription.id, userIds: [DEMO_USERS.megan.id] });
  const noFunds = payments.tokenize({ number: '4000 0000 0000 9995', expMonth: 12, expYear: deps.clock.now().getUTCFullYear() + 3, cvc: '123', name: 'Demo' }).token;
  await updatePaymentMethod(then, megan, { subscriptionId: bought.subscription.id, cardToken: noFunds });
  await runBillingCycle(deps, { tenantId: DEMO_TENANT_ID });
};
