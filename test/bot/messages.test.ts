import { Prisma } from '../../prisma/generated/client';
import { actionOf, startBot, type BotHarness } from './harness';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { COMMANDS } from '../../bot/features/registry';

describe('POST /api/messages through the real adapter (no app id: local, unauthenticated)', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot();
  });
  afterAll(() => bot.close());

  test('help answers with the commands', async () => {
    const { status, replies } = await bot.say('megan', 'help');
    expect(status).toBe(200);
    expect(replies[0]).toMatch(/catalog/);
    expect(replies[0]).toMatch(/my purchases/);
  });

  test("my purchases shows only the caller's own subscriptions", async () => {
    expect((await bot.say('megan', 'my purchases')).replies[0]).toMatch(/\*\*Power BI Pro\*\*\n5 licenses \(3 assigned\) · active/);
    expect((await bot.say('adele', 'my purchases')).replies[0]).toMatch(/Visio Plan 1/);
    expect((await bot.say('adele', 'my purchases')).replies[0]).not.toMatch(/Power BI Pro/);
    // Megan's Clipchamp renewal was declined (the demo): flagged where she looks, with what to do.
    expect((await bot.say('megan', 'my purchases')).replies[0]).toMatch(/\*\*Clipchamp Premium\*\*\n.*\n⚠️ A bill is unpaid: the card was declined\. Say \*\*pay\*\* to pay it\./);
    expect((await bot.say('adele', 'my purchases')).replies[0]).not.toMatch(/unpaid/);
  });

  test('my licenses: a licensed colleague (not a purchaser) asks what they hold, in the words people use', async () => {
    const patti = (await bot.say('patti', 'my licenses')).replies[0];
    expect(patti).toMatch(/\*\*Your licenses\*\*\n\n- \*\*Power BI Pro\*\* since \d{4}-\d{2}-\d{2}: from Megan Bowen's purchase\n/);
    expect((await bot.say('patti', 'which licenses do I have?')).replies[0]).toBe(patti);
    expect((await bot.say('megan', 'show my licences')).replies[0]).toMatch(/Power BI Pro\*\* since [\d-]+: from your own purchase[\s\S]*Clipchamp Premium/);
    expect((await bot.say('isaiah', 'my licenses')).replies[0]).toMatch(/You don't have a license from your organization's subscriptions yet/);
    // The admins' "licenses" said by someone who isn't one points here.
    expect((await bot.say('patti', 'licenses')).replies[0]).toMatch(/The licenses you hold: say \*\*my licenses\*\*/);
    expect((await bot.say('patti', 'help')).replies[0]).toMatch(/my licenses/);
  });

  test('catalog shows prices in currency and trials', async () => {
    const { replies } = await bot.say('patti', 'catalog');
    expect(replies[0]).toMatch(/\*\*Power BI Pro\*\*\n\$168\.00\/year or \$16\.80\/month · 30-day trial\n\[Buy\]\n\[Start trial\]/);
    // Lists page: Next brings the following products, in place of the card.
    const { cards } = await bot.say('patti', 'catalog');
    const next = actionOf(cards[0], 'Next')!;
    const page2 = await bot.invoke('patti', next.verb, next.data);
    const page3 = await bot.invoke('patti', actionOf(page2.card, 'Next')!.verb, actionOf(page2.card, 'Next')!.data);
    expect(`${page2.text}\n${page3.text}`).toMatch(/\*\*Visio Plan 1\*\*\n.*no card needed/);
    expect(page3.text).toMatch(/Page 3 of 3/);
    expect(actionOf(page3.card, 'Next')).toBeNull();
    expect(actionOf(page3.card, 'Previous')).not.toBeNull();
  });

  test('admin commands answer admins and refuse everyone else, from stored roles', async () => {
    expect((await bot.say('alex', 'purchases')).replies[0]).toMatch(/\*\*Power BI Pro\*\* · Megan Bowen\n5 licenses \(3 assigned\) · self-service · active/);
    expect((await bot.say('isaiah', 'policies')).replies[0]).toMatch(/Power BI Pro: Enabled \(default\)/);
    expect((await bot.say('megan', 'purchases')).replies[0]).toMatch(/Only Global admins, Billing admins and Global readers/);
    expect((await bot.say('megan', 'audit')).replies[0]).toMatch(/Only Global admins/);
  });

  test('help lists to each admin only the commands their role lets them use: every example refused for lack of authority is left out, every one listed works', async () => {
    // A bot of its own: the examples, run as admins, change policies and roles.
    const bot = await startBot();
    // Lynne is a Billing admin: she changes what admins change, but only a Global admin grants roles.
    await bot.app.deps.uow.run((r) =>
      r.roles.add({ tenantId: DEMO_TENANT_ID, userId: DEMO_USERS.lynne.id, role: 'BillingAdmin', grantedBy: DEMO_USERS.alex.id, grantedAt: new Date() }),
    );
    const refusal = /can view but not change|Only a Global admin can manage roles|Only Global admins and Billing admins can do this/;
    for (const who of ['isaiah', 'lynne', 'alex'] as const) {
      const help = (await bot.say(who, 'help')).replies[0];
      for (const c of COMMANDS.filter((c) => c.scope === 'admin')) {
        const listed = help.includes(`**${c.usage}**`);
        const answer = (await bot.sayInChannel(who, c.example)).replies.join('\n');
        expect([who, c.example, listed]).toEqual([who, c.example, !refusal.test(answer)]);
      }
      if (who === 'isaiah') expect(help).toMatch(/As a Global reader you can look at all of it; changes need a Global or Billing admin\./);
      else expect(help).not.toMatch(/As a Global reader/);
    }
    await bot.close();
  }, 60_000);

  test('an admin command said by someone who is not one points them to what they can do instead', async () => {
    // Where a purchaser's own version exists, that; otherwise help. Never a dead end.
    for (const said of ['purchases', 'subscriptions', 'purchases self-service']) {
      expect((await bot.say('megan', said)).replies[0]).toMatch(/can see this\. To see your own, say \*\*my purchases\*\*\./);
    }
    expect((await bot.say('patti', 'licenses')).replies[0]).toMatch(/say \*\*my licenses\*\*[\s\S]*\*\*my purchases\*\*/);
    for (const said of ['audit', 'policies', 'roles', 'approvals']) expect((await bot.say('megan', said)).replies[0]).toMatch(/Say \*\*help\*\* to see what you can do\./);
    // The suggestion works for them.
    expect((await bot.say('megan', 'my purchases')).replies[0]).toMatch(/Your subscriptions/);
  });

  test("help's example of naming things in words is one that works for the reader: a product they have", async () => {
    // Megan has Power BI Pro and Clipchamp Premium; Adele a Visio Plan 1 trial; Patti nothing yet (buy first, then assign).
    expect((await bot.say('megan', 'help')).replies[0]).toMatch(/\*\*assign (Power BI Pro|Clipchamp Premium) to\*\* a colleague's name or email/);
    expect((await bot.say('adele', 'help')).replies[0]).toMatch(/\*\*assign Visio Plan 1 to\*\* a colleague's name or email/);
    const patti = (await bot.say('patti', 'help')).replies[0];
    expect(patti).toMatch(/\*\*buy Power BI Pro 5\*\*, \*\*assign Power BI Pro to\*\*/);
    // A product the reader doesn't have: pointed to buying it, and to what they have.
    expect((await bot.say('megan', 'assign Visio Plan 2 to Adele Vance')).replies[0]).toBe(
      "You don't have a Visio Plan 2 subscription. Say **buy Visio Plan 2** to buy one, or **my purchases** to see yours.",
    );
  });

  test('a person of another tenant sees nothing of this one', async () => {
    const outsider = { id: '11111111-0000-0000-0000-000000000099', name: 'Eve', tenantId: 'other-tenant-id' };
    expect((await bot.say(outsider, 'purchases')).replies[0]).toMatch(/Only Global admins/);
    expect((await bot.say(outsider, 'my purchases')).replies[0]).toMatch(/haven't bought anything/);
  });

  test('anything unrecognised gets help with the closest commands', async () => {
    // By role: a purchaser's typo suggests their own list, as a button that runs it; an admin's the admin one.
    expect((await bot.say('megan', 'purchses')).replies[0]).toMatch(/Did you mean:\n\[my purchases\]/);
    expect((await bot.say('alex', 'purchses')).replies[0]).toMatch(/\[purchases\]/);
    expect((await bot.say('megan', 'catalgo')).replies[0]).toMatch(/Did you mean:\n\[catalog\]/);
    const typo = await bot.say('megan', 'by power bi pro 2');
    expect(typo.replies[0]).toMatch(/\[buy Power BI Pro 2\]/);
    expect(typo.replies[0].length).toBeLessThan(300);
    const run = actionOf(typo.cards[0], 'buy Power BI Pro 2')!;
    expect((await bot.invoke('megan', run.verb, run.data)).text).toMatch(/Buy Power BI Pro/);
    expect((await bot.say('megan', 'make me a sandwich')).replies[0]).toMatch(/I didn't get "make me a sandwich"/);
  });

  test('new people are added to the directory from the activity, guests from the roster', async () => {
    bot.connector.members.set('29:guest-1', { id: '29:guest-1', name: 'Gus Guest', aadObjectId: 'guest-1', userRole: 'guest', email: 'gus@partner.example' });
    await bot.say({ id: 'guest-1', name: 'Gus Guest', tenantId: DEMO_TENANT_ID }, 'help');
    await bot.say({ id: 'new-member-1', name: 'Nina New', tenantId: DEMO_TENANT_ID }, 'help');
    const [guest, member] = await bot.app.deps.uow.read((r) => Promise.all([r.users.get(DEMO_TENANT_ID, 'guest-1'), r.users.get(DEMO_TENANT_ID, 'new-member-1')]));
    expect(guest).toMatchObject({ displayName: 'Gus Guest', isGuest: true, email: 'gus@partner.example' });
    expect(member).toMatchObject({ displayName: 'Nina New', isGuest: false });
  });

  test('someone of another organization in a shared channel (the roster gives their own tenant) is told the app is not for them, and is not recorded', async () => {
    bot.connector.members.set('29:external-1', {
      id: '29:external-1',
      name: 'Erin External',
      aadObjectId: 'external-1',
      tenantId: 'fabrikam-tenant',
      email: 'erin@fabrikam.example',
    });
    const { replies } = await bot.sayInChannel({ id: 'external-1', name: 'Erin External', tenantId: DEMO_TENANT_ID }, 'buy power bi pro 3');
    expect(replies.join(' ')).toMatch(/works for the people of the organization that added it here/);
    expect(await bot.app.deps.uow.read((r) => r.users.get(DEMO_TENANT_ID, 'external-1'))).toBeNull();
  });

  test('malformed JSON is 400, a non-activity is 400, an oversized body is 413; nothing reaches the bot', async () => {
    const before = bot.connector.recorded.length;
    expect((await bot.post('{"type": "message", ')).status).toBe(400);
    expect((await bot.post({ hello: 'world' })).status).toBe(400);
    expect((await bot.post([1, 2, 3])).status).toBe(400);
    expect((await bot.post({ type: 'message', text: 'x'.repeat(300 * 1024), conversation: { id: 'c' }, serviceUrl: bot.connector.url })).status).toBe(413);
    expect(bot.connector.recorded.length).toBe(before);
  });

  test('channel messages: the @mention is stripped and admin commands work there', async () => {
    expect((await bot.sayInChannel('alex', 'policies')).replies[0]).toMatch(/AllowSelfServicePurchase/);
  });

  test('"use this channel" makes the channel the admin notification target, for admins only', async () => {
    expect((await bot.sayInChannel('megan', 'use this channel for admin notifications')).replies[0]).toMatch(/Only Global admins/);
    expect(await bot.app.conversations.get(DEMO_TENANT_ID, 'admins')).toBeNull();
    expect((await bot.say('alex', 'use this channel')).replies[0]).toMatch(/Say this in the Teams channel/);
    expect((await bot.sayInChannel('alex', 'use this channel for admin notifications')).replies[0]).toMatch(/posted in Billing admins/);
    const ref = await bot.app.conversations.get(DEMO_TENANT_ID, 'admins');
    expect(ref).toMatchObject({ conversation: { conversationType: 'channel', tenantId: DEMO_TENANT_ID }, serviceUrl: bot.connector.url });
    const audit = await bot.app.deps.uow.read((r) => r.audit.list(DEMO_TENANT_ID, 1, 5));
    expect(audit.items[0]).toMatchObject({ action: 'tenant.admin-channel', actorId: '00000000-0000-0000-0000-0000000000020' });
  });

  test('a personal chat is remembered (in the database) so notifications can reach the person later', async () => {
    await bot.say('lynne', 'help');
    const ref = await bot.app.conversations.get(DEMO_TENANT_ID, 'user:00000000-0000-0000-0000-0000000000025');
    expect(ref).toMatchObject({ conversation: { conversationType: 'personal' }, user: { aadObjectId: '00000000-0000-0000-0000-0000000000025' } });
  });

  test('HEAD (the Playground checking the endpoint) is 200 with no body and runs no turn', async () => {
    const res = await fetch(`${bot.url}/api/messages`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  test('unknown activity types are acknowledged and ignored', async () => {
    const res = await bot.post({
      type: 'somethingNew',
      channelId: 'msteams',
      serviceUrl: bot.connector.url,
      conversation: { id: 'a:ignored' },
      from: { id: '29:x' },
      recipient: { id: '28:bot' },
    });
    expect(res.status).toBe(200);
    expect(await bot.connector.waitFor('a:ignored', 1, 300)).toHaveLength(0);
  });

  test('messages without a Teams identity get a polite answer and touch nothing', async () => {
    const res = await bot.post({
      type: 'message',
      channelId: 'msteams',
      serviceUrl: bot.connector.url,
      text: 'purchases',
      conversation: { id: 'a:anon' },
      from: { id: '29:x' },
      recipient: { id: '28:bot' },
    });
    expect(res.status).toBe(200);
    expect((await bot.connector.waitFor('a:anon'))[0].activity.text).toMatch(/inside Microsoft Teams/);
  });
});

describe('POST /api/messages with an app id configured', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot({ MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'not-a-real-secret' });
  });
  afterAll(() => bot.close());

  const activity = () => ({
    type: 'message',
    channelId: 'msteams',
    serviceUrl: bot.connector.url,
    text: 'purchases',
    from: { id: '29:alex', aadObjectId: '00000000-0000-0000-0000-0000000000020' },
    recipient: { id: '28:bot' },
    conversation: { id: 'a:secured', tenantId: DEMO_TENANT_ID },
    channelData: { tenant: { id: DEMO_TENANT_ID } },
  });

  test('a missing token is 401 and nothing runs', async () => {
    expect((await bot.post(activity())).status).toBe(401);
  });

  test('a forged or malformed token is 401, not 500', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'x' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ iss: 'https://api.botframework.com', aud: '11111111-2222-3333-4444-555555555555', exp: 4102444800 })).toString('base64url');
    expect((await bot.post(activity(), { authorization: `Bearer ${header}.${payload}.c2lnbmF0dXJl` })).status).toBe(401);
    expect((await bot.post(activity(), { authorization: 'Bearer not-a-jwt' })).status).toBe(401);
    expect((await bot.post(activity(), { authorization: 'Basic YWxleDpwYXNz' })).status).toBe(401);
    expect(await bot.connector.waitFor('a:secured', 1, 300)).toHaveLength(0);
  }, 30_000);
});

describe('the error boundary', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot();
  });
  afterAll(() => bot.close());

  test('an unexpected failure is logged with a correlation id and the user gets that reference, not a stack', async () => {
    await bot.app.db.writeSql.execute(Prisma.sql`DROP TABLE "AuditEntry"`);
    const { status, replies } = await bot.say('alex', 'audit');
    expect(status).toBe(200);
    expect(replies[0]).toMatch(/something went wrong on our side and nothing was changed.*reference: [0-9a-f-]{36}/);
    expect(replies[0]).not.toMatch(/Prisma|AuditEntry|at /);
  });
});
