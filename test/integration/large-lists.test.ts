import { freshDatabase, type TestDatabase } from '../support/db';
import { exportLicensedUsers } from '../../domain/admin/export-licensed-users';
import { MAX_IDS_PER_QUERY, type Deps } from '../../domain/ports';
import { SandboxPaymentProvider } from '../../payments/sandbox-payment-provider';

/** Id lists longer than one query's parameter budget are split, and the export walks them in groups. */
describe('id lists beyond one query', () => {
  let t: TestDatabase;
  const TENANT = 'big';
  const SUBS = MAX_IDS_PER_QUERY * 2 + 37;
  beforeAll(async () => {
    t = await freshDatabase('large-lists');
    const now = new Date('2026-03-01T00:00:00Z');
    await t.db.writer.$transaction(async (tx) => {
      await tx.tenant.create({ data: { id: TENANT, name: 'Big', kind: 'Commercial', country: 'US', requireApproval: false, createdAt: now } });
      await tx.directoryUser.createMany({
        data: Array.from({ length: SUBS }, (_, i) => ({ tenantId: TENANT, id: `u${i}`, displayName: `User ${i}`, email: null, isGuest: false, active: true })),
      });
      await tx.roleAssignment.create({ data: { tenantId: TENANT, userId: 'u0', role: 'GlobalReader', grantedBy: null, grantedAt: now } });
      await tx.subscription.createMany({
        data: Array.from({ length: SUBS }, (_, i) => ({
          id: `s${String(i).padStart(5, '0')}`,
          tenantId: TENANT,
          productId: 'CFQ7TTC0H9MP',
          purchaserId: `u${i}`,
          origin: 'SelfService',
          status: 'Active',
          quantity: 2,
          billingFrequency: 'Monthly',
          unitPriceMinor: 1680,
          currency: 'USD',
          recurring: true,
          isTrial: false,
          startedAt: now,
          expiresAt: now,
          createdAt: now,
          version: 0,
        })),
      });
      await tx.licenseAssignment.createMany({
        data: Array.from({ length: SUBS }, (_, i) => ({
          id: `a${String(i).padStart(5, '0')}`,
          tenantId: TENANT,
          subscriptionId: `s${String(i).padStart(5, '0')}`,
          userId: `u${(i + 1) % SUBS}`,
          assignedAt: now,
          assignedBy: `u${i}`,
        })),
      });
    });
  });
  afterAll(() => t.close());

  const ids = () => Array.from({ length: SUBS }, (_, i) => `s${String(i).padStart(5, '0')}`);

  test('getMany, listBySubscriptions and countBySubscriptions take any number of ids', async () => {
    const users = await t.uow.read((r) =>
      r.users.getMany(
        TENANT,
        Array.from({ length: SUBS }, (_, i) => `u${i}`),
      ),
    );
    expect(users).toHaveLength(SUBS);
    const subs = await t.uow.read((r) => r.subscriptions.getMany(TENANT, ids()));
    expect(subs).toHaveLength(SUBS);
    expect(await t.uow.read((r) => r.assignments.listBySubscriptions(TENANT, ids()))).toHaveLength(SUBS);
    const counts = await t.uow.read((r) => r.assignments.countBySubscriptions(TENANT, ids()));
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(SUBS);
  });

  test('the CSV export covers every chosen subscription however many there are', async () => {
    const deps: Deps = {
      uow: t.uow,
      payments: new SandboxPaymentProvider('large-lists-secret-123'),
      clock: { now: () => new Date() },
      ids: {
        next: (() => {
          let n = 0;
          return () => `id-${++n}`;
        })(),
      },
      settings: { enabledMarkets: ['US'], reminderDays: 7 },
    };
    let csv = '';
    for await (const chunk of await exportLicensedUsers(deps, { tenantId: TENANT, actorId: 'u0', surface: 'web' }, { subscriptionIds: ids() })) csv += chunk;
    const rows = csv.trim().split('\r\n').slice(1);
    expect(rows).toHaveLength(SUBS);
    expect(new Set(rows.map((r) => r.split(',')[4])).size).toBe(SUBS);
    // Every row described with its own subscription's product and purchaser, on every page (pages are read ahead).
    for (const r of rows) {
      const [, , , product, subscriptionId, purchaser] = r.split(',');
      expect([product, purchaser]).toEqual(['Power BI Pro', `User ${Number(subscriptionId.slice(1))}`]);
    }
  });
});
