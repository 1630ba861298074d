import pino from 'pino';
import type { DirectoryUser } from '../../domain/model';
import type { DirectorySource, UnitOfWork } from '../../domain/ports';
import { applyDirectory, refreshFromDirectory, syncDirectory } from '../../domain/directory/sync-directory';
import { findPeople, searchPeople } from '../../domain/directory/find-people';
import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { ErrorCodes } from '../../domain/shared/errors';
import { DirectoryRefresher } from '../../bot/directory-refresh';
import { expectCode, makeWorld, memoryBackend, type World } from '../support/world';

const POWER_BI = 'CFQ7TTC0H9MP';

/** The organization's directory as an in-memory port: people by tenant, deleted ones, and how often it was asked. */
class MemoryDirectory implements DirectorySource {
  readonly people = new Map<string, DirectoryUser>();
  readonly deleted = new Set<string>();
  calls = { search: 0, person: 0, everyone: 0 };
  down = false;
  async search(tenantId: string, query: string, limit: number) {
    this.calls.search++;
    if (this.down) return null;
    const q = query.toLowerCase();
    return [...this.people.values()]
      .filter(
        (u) =>
          u.tenantId === tenantId &&
          (u.displayName
            .toLowerCase()
            .split(' ')
            .some((w) => w.startsWith(q)) ||
            (u.email ?? '').startsWith(q)),
      )
      .slice(0, limit);
  }
  async person(tenantId: string, userId: string) {
    this.calls.person++;
    if (this.down) return null;
    const u = this.people.get(userId);
    return u && u.tenantId === tenantId ? u : ('gone' as const);
  }
  everyone(tenantId: string) {
    this.calls.everyone++;
    const present = [...this.people.values()].filter((u) => u.tenantId === tenantId);
    const gone = [...this.deleted];
    return (async function* () {
      yield { present, gone: [] };
      yield { present: [], gone };
    })();
  }
}

/** A unit of work that counts its write transactions. */
const counting = (uow: UnitOfWork) => {
  const counter = { writes: 0 };
  const wrapped: UnitOfWork = {
    run: (work) => {
      counter.writes++;
      return uow.run(work);
    },
    read: (work) => uow.read(work),
  };
  return { wrapped, counter };
};

describe('the directory from the organization (in-memory ports)', () => {
  let w: World;
  let directory: MemoryDirectory;
  const user = (id: string) => w.deps.uow.read((r) => r.users.get(w.tenantId, id));
  beforeEach(async () => {
    w = await makeWorld(await memoryBackend());
    directory = new MemoryDirectory();
    w.deps.directory = directory;
    // The directory has everyone the tenant has.
    const stored = await w.deps.uow.read((r) => r.users.getMany(w.tenantId, [...Object.values(w.u), ...w.colleagues]));
    for (const u of stored) directory.people.set(u.id, u);
  });

  test('nothing changed: no write transaction at all', async () => {
    const { wrapped, counter } = counting(w.deps.uow);
    const deps = { ...w.deps, uow: wrapped };
    expect(await applyDirectory(deps, w.tenantId, { present: [...directory.people.values()], gone: [] })).toEqual({ updated: 0, left: 0 });
    expect(counter.writes).toBe(0);
  });

  test("another organization's people in an answer are ignored", async () => {
    const before = await w.snapshot();
    const stranger: DirectoryUser = { id: 'x-1', tenantId: w.otherTenantId, displayName: 'Xavier', email: null, isGuest: false, active: true };
    expect(await applyDirectory(w.deps, w.tenantId, { present: [stranger], gone: [] })).toEqual({ updated: 0, left: 0 });
    expect(await w.snapshot()).toBe(before);
    expect(await w.deps.uow.read((r) => r.users.get(w.otherTenantId, 'x-1'))).toBeNull();
  });

  test('R1: a guest by the directory cannot buy once refreshed, whatever was stored', async () => {
    directory.people.set(w.u.alice, { ...directory.people.get(w.u.alice)!, isGuest: true });
    expect(await refreshFromDirectory(w.deps, w.tenantId, w.u.alice)).toBe(true);
    await expectCode(buySubscription(w.deps, w.as(w.u.alice), { productId: POWER_BI, quantity: 1, cardToken: w.card() }), ErrorCodes.ELIGIBILITY_GUEST);
  });

  test('R11: a purchaser deleted from the directory is marked as having left, once; the subscription keeps running', async () => {
    const bought = await buySubscription(w.deps, w.as(w.u.bob), { productId: POWER_BI, quantity: 2, cardToken: w.card() });
    if (!('subscription' in bought)) throw new Error('bought without approval in this tenant');
    directory.people.delete(w.u.bob);
    directory.deleted.add(w.u.bob);
    expect(await syncDirectory(w.deps, w.tenantId)).toMatchObject({ left: 1 });
    expect(await syncDirectory(w.deps, w.tenantId)).toMatchObject({ left: 0, updated: 0 });
    expect(await user(w.u.bob)).toMatchObject({ active: false });
    expect(await w.deps.uow.read((r) => r.subscriptions.get(w.tenantId, bought.subscription.id))).toMatchObject({ status: 'Active' });
    const left = (await w.deps.uow.read((r) => r.audit.list(w.tenantId, 1, 100))).items.filter((e) => e.action === 'user.left');
    expect(left.map((e) => e.targetId)).toEqual([w.u.bob]);
  });

  test('R11: someone deleted for good (in no page, nor the recycle bin) is marked as having left by a whole listing, and only by one', async () => {
    directory.people.delete(w.u.carol); // gone past the recycle bin: no page names her
    // A listing stopped before its end (a shutdown) says nothing about who is missing from it.
    let pagesLeft = 1;
    expect(await syncDirectory(w.deps, w.tenantId, { goOn: () => pagesLeft-- > 0 })).toMatchObject({ left: 0 });
    expect(await user(w.u.carol)).toMatchObject({ active: true });
    // A listing that names nobody is a directory that could not say, not everyone gone.
    const everyone = directory.everyone.bind(directory);
    directory.everyone = () =>
      (async function* () {
        yield { present: [], gone: [] };
      })();
    expect(await syncDirectory(w.deps, w.tenantId)).toMatchObject({ seen: 0, left: 0 });
    // A page that can't be read fails the sync, and nobody is marked.
    directory.everyone = () =>
      (async function* () {
        yield { present: [...directory.people.values()].slice(0, 2), gone: [] };
        throw new Error('Graph said 503');
      })();
    await expect(syncDirectory(w.deps, w.tenantId)).rejects.toThrow('503');
    expect(await user(w.u.carol)).toMatchObject({ active: true });
    directory.everyone = everyone;
    expect(await syncDirectory(w.deps, w.tenantId)).toMatchObject({ left: 1 });
    expect(await user(w.u.carol)).toMatchObject({ active: false });
    const left = (await w.deps.uow.read((r) => r.audit.list(w.tenantId, 1, 100))).items.filter((e) => e.action === 'user.left');
    expect(left.map((e) => e.targetId)).toEqual([w.u.carol]);
    // Back in the directory, back as active; a second whole listing changes nothing more.
    directory.people.set(w.u.carol, { ...(await user(w.u.carol))!, active: true });
    expect(await syncDirectory(w.deps, w.tenantId)).toMatchObject({ left: 0, updated: 1 });
    expect(await syncDirectory(w.deps, w.tenantId)).toMatchObject({ left: 0, updated: 0 });
  });

  test('typed names find people only the directory knows; a directory that cannot answer leaves the stored ones', async () => {
    directory.people.set('nestor', { id: 'nestor', tenantId: w.tenantId, displayName: 'Nestor Wilke', email: 'nestor@example.com', isGuest: false, active: true });
    const [found] = await findPeople(w.deps, w.as(w.u.alice), { queries: ['Nestor'] });
    expect(found.people.map((p) => p.id)).toEqual(['nestor']);
    directory.down = true;
    const [again] = await findPeople(w.deps, w.as(w.u.alice), { queries: ['Bob'] });
    expect(again.people.map((p) => p.id)).toEqual([w.u.bob]);
  });

  test('the picker: at most 15, skip pages on, and a guest browses nothing (the directory is not even asked)', async () => {
    for (let i = 0; i < 30; i++)
      directory.people.set(`n${i}`, { id: `n${i}`, tenantId: w.tenantId, displayName: `Nora ${String(i).padStart(2, '0')}`, email: null, isGuest: false, active: true });
    const first = await searchPeople(w.deps, w.as(w.u.alice), { query: 'nora', top: 50 });
    expect(first).toHaveLength(15);
    const second = await searchPeople(w.deps, w.as(w.u.alice), { query: 'nora', skip: 15, top: 15 });
    expect(second.map((p) => p.id).filter((id) => first.some((f) => f.id === id))).toEqual([]);
    const asked = directory.calls.search;
    expect(await searchPeople(w.deps, w.as(w.u.guest), { query: 'nora' })).toEqual([]);
    expect(directory.calls.search).toBe(asked);
  });

  test('the refresher asks about a speaker once per period, and a failing directory never fails the turn', async () => {
    let now = 1_000_000;
    const refresher = new DirectoryRefresher(w.deps, pino({ level: 'silent' }), { personEveryMs: 60_000, tenantEveryMs: 3_600_000, now: () => now });
    await refresher.speaker(w.tenantId, w.u.alice);
    await refresher.speaker(w.tenantId, w.u.alice);
    expect(directory.calls.person).toBe(1);
    now += 61_000;
    await refresher.speaker(w.tenantId, w.u.alice);
    expect(directory.calls.person).toBe(2);
    directory.person = async () => {
      throw new Error('boom');
    };
    now += 61_000;
    await expect(refresher.speaker(w.tenantId, w.u.alice)).resolves.toBeUndefined();
    await refresher.stop();
    expect(directory.calls.everyone).toBe(1); // the tenant read whole once, in the background
  });
});
