import { actionOf, startBot, type BotHarness } from './harness';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { VERBS } from '../../cards/verbs';
import { syncDirectory } from '../../domain/directory/sync-directory';
import { asGraphUsers, GraphStandIn, type GraphUserRecord } from '../support/graph-stand-in';

const POWER_BI = 'CFQ7TTC0H9MP';
const VISA = { cardNumber: '4242 4242 4242 4242', cardExpiry: '12/35', cardCvc: '123', cardName: 'Patti Fernandez' };
const OTHER_TENANT = '11111111-2222-3333-4444-000000000002';

/** Someone of the demo organization who never used the bot: only the directory knows them. */
const NEWCOMER: GraphUserRecord = {
  id: 'aaaaaaaa-0000-0000-0000-000000000077',
  displayName: 'Nestor Wilke',
  mail: 'nestorw@example.com',
  userType: 'Member',
  accountEnabled: true,
};

/**
 * The organization's directory from Microsoft Graph, through the real adapter, against a loopback
 * Graph that pages, throttles and refuses as Graph does: guests as Graph says (R1), people who left
 * (R11), people who never used the bot found by typing and by the cards' people picker, and every
 * Graph failure leaving the turn answered.
 */
describe('the Microsoft Graph directory', () => {
  let bot: BotHarness;
  let graph: GraphStandIn;
  beforeEach(async () => {
    graph = await new GraphStandIn().start();
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0', ...graph.botEnv });
  });
  afterEach(async () => {
    await bot.close();
    await graph.stop();
  });

  const stored = (userId: string) => bot.app.deps.uow.read((r) => r.users.get(DEMO_TENANT_ID, userId));
  const demoDirectory = (change: (u: GraphUserRecord) => GraphUserRecord = (u) => u) => asGraphUsers(Object.values(DEMO_USERS)).map(change);
  const subscriptionsOf = (userId: string) => bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, userId));

  /** The people picker as Teams asks as someone types (an application/search invoke). */
  const search = async (user: keyof typeof DEMO_USERS, queryText: unknown, extra: Record<string, unknown> = {}) => {
    const person = DEMO_USERS[user];
    const res = await bot.post({
      type: 'invoke',
      name: 'application/search',
      id: `search-${Math.random()}`,
      channelId: 'msteams',
      serviceUrl: bot.connector.url,
      from: { id: `29:${person.id}`, name: person.displayName, aadObjectId: person.id },
      recipient: { id: '28:purchases-bot', name: 'Purchases' },
      conversation: { id: `a:personal-${person.id}`, conversationType: 'personal', tenantId: DEMO_TENANT_ID },
      channelData: { tenant: { id: DEMO_TENANT_ID } },
      value: { queryText, dataset: 'people', queryOptions: { skip: 0, top: 15 }, ...extra },
    });
    const body = (await res.json()) as { statusCode: number; type: string; value: { results: Array<{ title: string; value: string }> } };
    return { status: res.status, body, results: body.value?.results ?? [] };
  };

  test('a guest by Graph’s userType cannot buy, though the roster and our directory had them as a member (R1)', async () => {
    graph.tenant(
      DEMO_TENANT_ID,
      demoDirectory((u) => (u.id === DEMO_USERS.patti.id ? { ...u, userType: 'Guest' } : u)),
    );
    expect((await stored(DEMO_USERS.patti.id))!.isGuest).toBe(false);
    const { replies, cards } = await bot.say('patti', 'buy power bi pro 3');
    const buy = actionOf(cards[0], 'Buy');
    const answer = buy ? (await bot.invoke('patti', buy.verb, { ...buy.data, quantity: 3, billingFrequency: 'Monthly', ...VISA })).text : replies.join(' ');
    expect(answer).toMatch(/Guests can't buy/);
    expect(await subscriptionsOf(DEMO_USERS.patti.id)).toEqual([]);
    expect((await stored(DEMO_USERS.patti.id))!.isGuest).toBe(true);
    // Asked with the demo organization's own token, and with the fields the decision needs.
    const lookups = graph.requests.filter((r) => r.path.startsWith(`/v1.0/users/${DEMO_USERS.patti.id}`));
    expect(lookups.length).toBeGreaterThanOrEqual(1);
    expect(lookups.every((r) => r.tenantId === DEMO_TENANT_ID && /userType/.test(decodeURIComponent(r.path)))).toBe(true);
  });

  test('a purchaser deleted from the directory: their subscriptions keep running and their users keep their licenses; admins see they left (R11)', async () => {
    graph.tenant(DEMO_TENANT_ID, demoDirectory());
    const before = (await subscriptionsOf(DEMO_USERS.megan.id)).filter((s) => s.status === 'Active');
    expect(before.length).toBeGreaterThan(0);
    const licensed = await bot.app.deps.uow.read((r) => r.assignments.listBySubscription(DEMO_TENANT_ID, before[0].id));
    graph.deleteUser(DEMO_TENANT_ID, DEMO_USERS.megan.id);
    graph.pageSize = 2; // the whole tenant read a page at a time, following @odata.nextLink
    expect(await syncDirectory(bot.app.deps, DEMO_TENANT_ID)).toMatchObject({ seen: Object.keys(DEMO_USERS).length - 1, left: 1 });
    expect(graph.requests.filter((r) => decodeURIComponent(r.path).includes('$skiptoken')).length).toBeGreaterThanOrEqual(2);
    expect((await stored(DEMO_USERS.megan.id))!.active).toBe(false);
    const after = await subscriptionsOf(DEMO_USERS.megan.id);
    expect(after.filter((s) => s.status === 'Active').map((s) => s.id)).toEqual(before.map((s) => s.id));
    expect(await bot.app.deps.uow.read((r) => r.assignments.listBySubscription(DEMO_TENANT_ID, before[0].id))).toEqual(licensed);
    const detail = await bot.invoke('alex', VERBS.purchase, { subscriptionId: before[0].id }, 'channel');
    expect(detail.text).toMatch(/Megan Bowen.*left the organization/);
    const audit = await bot.app.db.reader.auditEntry.findMany({ where: { action: 'user.left', targetId: DEMO_USERS.megan.id } });
    expect(audit).toHaveLength(1);
    // Once left, a second sync changes nothing and writes nothing.
    expect(await syncDirectory(bot.app.deps, DEMO_TENANT_ID)).toMatchObject({ updated: 0, left: 0 });
  });

  test('someone deleted for good (past the recycle bin, in neither listing): a whole sync marks them as having left (R11)', async () => {
    graph.tenant(DEMO_TENANT_ID, demoDirectory());
    graph.tenants.get(DEMO_TENANT_ID)!.users.delete(DEMO_USERS.lynne.id);
    graph.pageSize = 2;
    expect(await syncDirectory(bot.app.deps, DEMO_TENANT_ID)).toMatchObject({ seen: Object.keys(DEMO_USERS).length - 1, left: 1 });
    expect((await stored(DEMO_USERS.lynne.id))!.active).toBe(false);
    expect((await stored(DEMO_USERS.megan.id))!.active).toBe(true);
    const audit = await bot.app.db.reader.auditEntry.findMany({ where: { action: 'user.left', targetId: DEMO_USERS.lynne.id } });
    expect(audit).toHaveLength(1);
    expect(await syncDirectory(bot.app.deps, DEMO_TENANT_ID)).toMatchObject({ updated: 0, left: 0 });
    // Someone who left gets no new license (and so no notification that could not reach them).
    const assign = await bot.say('megan', 'assign Power BI Pro to Lynne Robbins');
    expect(assign.replies[0]).toMatch(/Nobody in your organization matches "Lynne Robbins"/);
  });

  test('an account disabled in the directory: the person is shown as having left and cannot buy; their licenses stay (R11)', async () => {
    graph.tenant(
      DEMO_TENANT_ID,
      demoDirectory((u) => (u.id === DEMO_USERS.lynne.id ? { ...u, accountEnabled: false } : u)),
    );
    const holdersBefore = await bot.app.db.reader.licenseAssignment.count({ where: { userId: DEMO_USERS.lynne.id } });
    expect(holdersBefore).toBeGreaterThan(0);
    expect(await syncDirectory(bot.app.deps, DEMO_TENANT_ID)).toMatchObject({ left: 1 });
    expect(await stored(DEMO_USERS.lynne.id)).toMatchObject({ active: false });
    expect(await bot.app.db.reader.licenseAssignment.count({ where: { userId: DEMO_USERS.lynne.id } })).toBe(holdersBefore);
    const { replies, cards } = await bot.say('lynne', 'buy power bi pro 1');
    const buy = actionOf(cards[0], 'Buy');
    const answer = buy ? (await bot.invoke('lynne', buy.verb, { ...buy.data, quantity: 1, billingFrequency: 'Monthly', ...VISA })).text : replies.join(' ');
    expect(answer).toMatch(/Your account can't make purchases/);
    // Enabled again: back as a member.
    graph.tenants.get(DEMO_TENANT_ID)!.users.set(DEMO_USERS.lynne.id, { ...graph.tenants.get(DEMO_TENANT_ID)!.users.get(DEMO_USERS.lynne.id)!, accountEnabled: true });
    await syncDirectory(bot.app.deps, DEMO_TENANT_ID);
    expect(await stored(DEMO_USERS.lynne.id)).toMatchObject({ active: true });
  });

  test('names and emails follow the directory: a renamed person is found by the new name', async () => {
    graph.tenant(
      DEMO_TENANT_ID,
      demoDirectory((u) => (u.id === DEMO_USERS.adele.id ? { ...u, displayName: 'Adele Vance-Kim', mail: 'adelek@example.com' } : u)),
    );
    await syncDirectory(bot.app.deps, DEMO_TENANT_ID);
    expect(await stored(DEMO_USERS.adele.id)).toMatchObject({ displayName: 'Adele Vance-Kim', email: 'adelek@example.com', active: true });
    expect((await search('megan', 'adelek')).results).toEqual([{ title: 'Adele Vance-Kim (adelek@example.com)', value: DEMO_USERS.adele.id }]);
  });

  test('someone who never used the bot is found by a typed name, and gets the license', async () => {
    graph.tenant(DEMO_TENANT_ID, [...demoDirectory(), NEWCOMER]);
    expect(await stored(NEWCOMER.id)).toBeNull();
    const { replies } = await bot.say('megan', 'assign Power BI Pro to Nestor Wilke');
    expect(replies.join(' ')).toMatch(/Nestor Wilke/);
    const [pbi] = (await subscriptionsOf(DEMO_USERS.megan.id)).filter((s) => s.productId === POWER_BI && s.status === 'Active');
    const holders = await bot.app.deps.uow.read((r) => r.assignments.listBySubscription(DEMO_TENANT_ID, pbi.id));
    expect(holders.map((a) => a.userId)).toContain(NEWCOMER.id);
    // The $search carried the header Graph requires, and the caller's organization's token.
    const searches = graph.requests.filter((r) => r.path.startsWith('/v1.0/users?') && decodeURIComponent(r.path).includes('$search='));
    expect(searches.length).toBeGreaterThanOrEqual(1);
    expect(searches.every((r) => r.tenantId === DEMO_TENANT_ID && r.headers?.consistencylevel === 'eventual')).toBe(true);
  });

  test('the people picker: matches from the whole organization, one page of them, never another organization’s people', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ id: `nn-${String(i).padStart(2, '0')}`, displayName: `Nora Number${i}`, mail: `nora${i}@example.com` }));
    graph.tenant(DEMO_TENANT_ID, [...demoDirectory(), NEWCOMER, ...many]);
    graph.tenant(OTHER_TENANT, [{ id: 'other-nestor', displayName: 'Nestor Wilke', mail: 'nestor@fabrikam.example' }]);
    graph.pageSize = 20;
    const nestor = await search('megan', 'nes');
    expect(nestor.status).toBe(200);
    expect(nestor.body.type).toBe('application/vnd.microsoft.search.searchResponse');
    expect(nestor.results).toEqual([{ title: 'Nestor Wilke (nestorw@example.com)', value: NEWCOMER.id }]);
    const before = graph.requests.length;
    const nora = await search('megan', 'nora');
    expect(nora.results).toHaveLength(15); // what Teams shows at most
    expect(nora.results.every((r) => r.title.startsWith('Nora '))).toBe(true);
    // One Graph request (the first page): a picker never walks the whole tenant.
    expect(graph.requests.slice(before).filter((r) => r.path.startsWith('/v1.0/users?'))).toHaveLength(1);
    expect(new Set(graph.requests.filter((r) => r.path.startsWith('/v1.0/')).map((r) => r.tenantId))).toEqual(new Set([DEMO_TENANT_ID]));
    // A guest of the organization browses none of its directory (nor does anyone of another organization).
    await bot.app.deps.uow.run((r) => r.users.upsert({ ...DEMO_USERS.patti, isGuest: true }));
    const asked = graph.requests.length;
    expect((await search('patti', 'nes')).results).toEqual([]);
    expect(graph.requests.filter((r) => r.path.startsWith('/v1.0/users?')).length).toBe(graph.requests.slice(0, asked).filter((r) => r.path.startsWith('/v1.0/users?')).length);
    // Nothing for an empty box, an unknown dataset or forged values.
    expect((await search('megan', '')).results).toEqual([]);
    expect((await search('megan', 'nes', { dataset: 'subscriptions' })).results).toEqual([]);
    expect((await search('megan', { $ne: null })).results).toEqual([]);
  });

  test('picked from the people picker, the license goes to that person; the picked id is checked against the caller’s organization', async () => {
    graph.tenant(DEMO_TENANT_ID, [...demoDirectory(), NEWCOMER]);
    graph.tenant(OTHER_TENANT, [{ id: 'other-nestor', displayName: 'Nestor Other', mail: 'nestor@fabrikam.example' }]);
    const [pbi] = (await subscriptionsOf(DEMO_USERS.megan.id)).filter((s) => s.productId === POWER_BI && s.status === 'Active');
    const [picked] = (await search('megan', 'nestor')).results;
    const done = await bot.invoke('megan', VERBS.assign, { subscriptionId: pbi.id, assignUserIds: picked.value, people: '' });
    expect(done.text).toMatch(/Nestor Wilke/);
    const forged = await bot.invoke('megan', VERBS.assign, { subscriptionId: pbi.id, assignUserIds: 'other-nestor', people: '' });
    expect(forged.text).not.toMatch(/Nestor Other/);
    const holders = await bot.app.deps.uow.read((r) => r.assignments.listBySubscription(DEMO_TENANT_ID, pbi.id));
    expect(holders.map((a) => a.userId)).toContain(NEWCOMER.id);
    expect(holders.map((a) => a.userId)).not.toContain('other-nestor');
  });

  test('the roles card grants a role to someone picked in its people picker', async () => {
    graph.tenant(DEMO_TENANT_ID, [...demoDirectory(), NEWCOMER]);
    const [picked] = (await search('alex', 'nestor')).results;
    const granted = await bot.invoke('alex', VERBS.grantRole, { grantUserId: picked.value, person: '', role: 'BillingAdmin' }, 'channel');
    expect(granted.text).toMatch(/Nestor Wilke/);
    const roles = await bot.app.deps.uow.read((r) => r.roles.listForUser(DEMO_TENANT_ID, NEWCOMER.id));
    expect(roles).toEqual(['BillingAdmin']);
  });

  describe.each([
    ['no consent to read the directory (403)', (g: GraphStandIn) => g.tenant(DEMO_TENANT_ID, demoDirectory(), { directory: false })],
    ['an organization that never consented to the app (no token)', () => undefined],
    [
      'throttled past the retries (429 with Retry-After)',
      (g: GraphStandIn) => {
        g.tenant(DEMO_TENANT_ID, demoDirectory());
        g.throttleNext = 1_000;
      },
    ],
    ['Graph unreachable', (g: GraphStandIn) => g.stop()],
  ])('%s', (_name, breakGraph) => {
    test('turns are answered from the people stored, the picker too; the purchase goes through; nothing crashes', async () => {
      await breakGraph(graph);
      const typed = await bot.say('megan', 'assign Power BI Pro to Adele Vance');
      expect(typed.status).toBe(200);
      expect(typed.replies.join(' ')).toMatch(/Adele Vance/);
      const unknown = await bot.say('megan', 'assign Power BI Pro to Nestor Wilke');
      expect(unknown.replies.join(' ')).toMatch(/Nobody in your organization matches "Nestor Wilke"/);
      const picker = await search('megan', 'adele');
      expect(picker.status).toBe(200);
      expect(picker.results).toEqual([{ title: 'Adele Vance (adelev@example.com)', value: DEMO_USERS.adele.id }]);
      const { cards } = await bot.say('patti', 'buy power bi pro 3');
      const buy = actionOf(cards[0], 'Buy')!;
      const bought = await bot.invoke('patti', buy.verb, { ...buy.data, quantity: 3, billingFrequency: 'Monthly', ...VISA });
      expect(bought.text).toMatch(/Power BI Pro/);
      expect(await subscriptionsOf(DEMO_USERS.patti.id)).toHaveLength(1);
      expect(bot.logs.some((l) => l.msg === 'Microsoft Graph directory unavailable for this organization; using the people Teams showed the bot')).toBe(true);
    }, 30_000);
  });
});
