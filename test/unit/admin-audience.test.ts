import { adminMris, AUDIENCE_REUSE_MS } from '../../bot/features/admins';
import { grantRole, revokeRole } from '../../domain/roles/manage-roles';
import { ErrorCodes } from '../../domain/shared/errors';
import { expectCode, makeWorld, memoryBackend, type World } from '../support/world';

describe("an admin card's refresh audience (bot/features/admins.ts)", () => {
  let w: World;
  beforeEach(async () => {
    w = await makeWorld(await memoryBackend());
  });
  const ids = async (userId: string) => (await adminMris(w.deps, w.as(userId))).map((m) => m.replace('8:orgid:', ''));
  const later = (ms: number) => (w.clock.t = new Date(w.clock.t.getTime() + ms));

  test('is read once per tenant for a few seconds, then again: a role granted meanwhile joins it', async () => {
    const first = await ids(w.u.admin);
    expect(first).toEqual(expect.arrayContaining([w.u.admin, w.u.billing, w.u.reader]));
    await grantRole(w.deps, w.as(w.u.admin), { userId: w.u.alice, role: 'BillingAdmin' });
    expect(await ids(w.u.billing)).toEqual(first); // reused: the role list wasn't read again
    later(AUDIENCE_REUSE_MS);
    expect(await ids(w.u.billing)).toContain(w.u.alice);
  });

  test("never lets someone outside it in: a non-admin is refused by the domain's own check, cached or not", async () => {
    await ids(w.u.admin);
    await expectCode(adminMris(w.deps, w.as(w.u.bob)), ErrorCodes.AUTH_NOT_ADMIN);
    // Alice becomes an admin: not in the reused list, so the domain reads and admits her at once.
    await grantRole(w.deps, w.as(w.u.admin), { userId: w.u.alice, role: 'GlobalReader' });
    expect(await ids(w.u.alice)).toContain(w.u.alice);
    await revokeRole(w.deps, w.as(w.u.admin), { userId: w.u.alice, role: 'GlobalReader' });
    later(AUDIENCE_REUSE_MS);
    await expectCode(adminMris(w.deps, w.as(w.u.alice)), ErrorCodes.AUTH_NOT_ADMIN);
  });
});
