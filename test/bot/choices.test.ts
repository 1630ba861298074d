import { actionOf, startBot, type BotHarness } from './harness';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { assignLicenses } from '../../domain/licenses/assign-licenses';
import { upsertDirectoryUsers } from '../../domain/directory/sync-directory';
import type { Subscription } from '../../domain/model';

/**
 * The chat surface in the states a real tenant reaches: several subscriptions of one product,
 * several people of one name, product names that end in digits. Each case failed before the
 * features were rebuilt (a silent pick, a misread product, a dead end).
 */

const POWER_BI = 'CFQ7TTC0H9MP';
const megan = { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.megan.id, surface: 'system' as const };

describe('several subscriptions, several people, digits in names', () => {
  let bot: BotHarness;
  let first: Subscription;
  let second: Subscription;

  const subsOfMegan = () => bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.megan.id));
  const invoicesOfMegan = () => bot.app.deps.uow.read((r) => r.invoices.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.megan.id));

  beforeAll(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
    // Megan's seeded 5 × Power BI Pro (Megan, Patti, Lynne) and a second one of 2 with Adele on it.
    first = (await subsOfMegan()).find((s) => s.productId === POWER_BI)!;
    const token = bot.app.payments.tokenize({ number: '4242 4242 4242 4242', expMonth: 12, expYear: 2099, cvc: '123' }).token;
    const bought = await buySubscription(bot.app.deps, megan, { productId: POWER_BI, quantity: 2, billingFrequency: 'Annual', cardToken: token });
    if (bought.status !== 'created') throw new Error('setup: purchase failed');
    second = bought.subscription;
    await assignLicenses(bot.app.deps, megan, { subscriptionId: second.id, userIds: [DEMO_USERS.adele.id] });
    // Two people called Alex: a name alone can't say which.
    await upsertDirectoryUsers(bot.app.deps, [
      { id: 'alex-two', tenantId: DEMO_TENANT_ID, displayName: 'Alex Wilber-Jones', email: 'alexj@example.com', isGuest: false, active: true },
    ]);
  });
  afterAll(() => bot.close());

  test('"add 1 license to Power BI Pro" with two subscriptions asks which one and charges nothing; the button charges the chosen one once', async () => {
    const before = await invoicesOfMegan();
    const { replies, cards } = await bot.say('megan', 'add 1 license to Power BI Pro');
    expect(replies[0]).toMatch(/Which subscription\?[\s\S]*2 Power BI Pro subscriptions/);
    expect(replies[0]).toMatch(/5 licenses, 3 assigned · monthly/);
    expect(replies[0]).toMatch(/2 licenses, 1 assigned · yearly/);
    expect(await invoicesOfMegan()).toHaveLength(before.length);
    // The cancel confirmation says which of the two it is, the same way.
    expect((await bot.invoke('megan', 'cancel.confirm', { subscriptionId: second.id })).text).toMatch(/Cancel Power BI Pro\?\n2 licenses, 1 assigned · yearly · renews /);
    // The second option is the yearly one (newest first or not, find it by its text).
    const buttons = JSON.stringify(cards[0]);
    expect(buttons).toContain(second.id);
    const press = actionOf(cards[0], 'Add 1 here')!;
    const pressed = await bot.invoke('megan', press.verb, { ...press.data, subscriptionId: second.id });
    expect(pressed.text).toMatch(/Done: 3 licenses now/);
    const again = await bot.invoke('megan', press.verb, { ...press.data, subscriptionId: second.id });
    expect(again.text).toMatch(/3 licenses/);
    const after = await subsOfMegan();
    expect(after.find((s) => s.id === second.id)!.quantity).toBe(3);
    expect(after.find((s) => s.id === first.id)!.quantity).toBe(5);
  });

  test('"unassign Power BI Pro from Adele": only one subscription has Adele, so that one is used', async () => {
    const { replies } = await bot.say('megan', 'unassign Power BI Pro from Adele Vance');
    expect(replies[0]).toMatch(/Done: Adele Vance no longer has a license; \d+ available\. Adele Vance will get a message from the bot in Teams\./);
    const holders = await bot.app.deps.uow.read((r) => r.assignments.listBySubscription(DEMO_TENANT_ID, second.id));
    expect(holders).toHaveLength(0);
  });

  test('"assign Power BI Pro to …" with room on both asks which; a name of two people asks who, and the buttons finish the job', async () => {
    const which = await bot.say('megan', 'assign Power BI Pro to Isaiah Langer');
    expect(which.replies[0]).toMatch(/Which subscription\?/);
    const assignHere = actionOf(which.cards[0], 'Assign here')!;
    expect((await bot.invoke('megan', assignHere.verb, { ...assignHere.data, subscriptionId: second.id })).text).toMatch(/Done: \S.* has a license now/);

    const who = await bot.say('megan', 'assign Power BI Pro to Alex');
    expect(who.replies[0]).toMatch(/Which person\?[\s\S]*Alex Wilber\b[\s\S]*Alex Wilber-Jones/);
    const pick = actionOf(who.cards[0], 'This person')!;
    const next = await bot.invoke('megan', pick.verb, pick.data);
    // The person is known now; two subscriptions still have room, so the next question is which one.
    expect(next.text).toMatch(/Which subscription\?/);
  });

  test('take over from a purchaser with several subscriptions: a card that tells them apart, whose buttons open each take-over', async () => {
    const { replies, cards } = await bot.sayInChannel('alex', 'take over Power BI Pro from Megan Bowen');
    expect(replies[0]).toMatch(/Which subscription\?[\s\S]*Power BI Pro · Megan Bowen[\s\S]*Power BI Pro · Megan Bowen/);
    expect(replies[0]).not.toMatch(/take over Power BI Pro from Megan Bowen\*\*/);
    const open = actionOf(cards[0], 'Take over…')!;
    const confirm = await bot.invoke('alex', open.verb, open.data, 'channel');
    expect(confirm.text).toMatch(/Take over Power BI Pro from Megan Bowen\?/);
  });

  test('product names ending in digits: the product first, then the quantity', async () => {
    const v1 = await bot.say('patti', 'buy Visio Plan 1 2');
    expect(v1.replies[0]).toMatch(/Buy Visio Plan 1/);
    expect(JSON.stringify(v1.cards[0])).toMatch(/"id":"quantity"[^}]*"value":2/);
    const p3 = await bot.say('patti', 'buy Project Plan 3');
    expect(p3.replies[0]).toMatch(/Buy Project Plan 3/);
    expect(JSON.stringify(p3.cards[0])).toMatch(/"id":"quantity"[^}]*"value":1/);
    expect((await bot.say('patti', 'buy Planner Plan 1 3')).replies[0]).toMatch(/Buy Planner Plan 1/);
    expect((await bot.say('patti', 'buy Visio Plan 1')).replies[0]).toMatch(/Buy Visio Plan 1/);
  });

  test('words that could be several products: a choice whose buttons open the right form with the number kept', async () => {
    const { replies, cards } = await bot.say('patti', 'buy visio 3');
    expect(replies[0]).toMatch(/Which product\?[\s\S]*Visio Plan 1[\s\S]*Visio Plan 2/);
    const buy = actionOf(cards[0], 'Buy')!;
    const form = await bot.invoke('patti', buy.verb, buy.data);
    expect(form.text).toMatch(/Buy Visio Plan/);
    expect(JSON.stringify(form.card)).toMatch(/"id":"quantity"[^}]*"value":3/);
  });

  test('a plan number we do not sell is a name, not a quantity: the bot says so and asks, for any product, any command', async () => {
    const adeleBefore = await bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.adele.id));
    const buy = await bot.say('patti', 'buy visio plan 3');
    expect(buy.replies[0]).toMatch(/We don't sell Visio Plan 3[\s\S]*Visio Plan 1[\s\S]*Visio Plan 2/);
    const open = actionOf(buy.cards[0], 'Buy')!;
    expect(open.data).toMatchObject({ quantity: 1 });
    const withNumber = await bot.say('patti', 'buy visio plan 3 2');
    expect(withNumber.replies[0]).toMatch(/We don't sell Visio Plan 3/);
    expect(actionOf(withNumber.cards[0], 'Buy')!.data).toMatchObject({ quantity: 2 });
    expect((await bot.say('patti', 'trial visio plan 5')).replies[0]).toMatch(/We don't sell Visio Plan 5[\s\S]*Try it/);
    expect((await bot.sayInChannel('alex', 'disable visio plan 3')).replies[0]).toMatch(/We don't sell Visio Plan 3/);
    // Adele has one Visio subscription (Plan 1): "Visio Plan 3" is asked about, not read as that one.
    const add = await bot.say('adele', 'add 1 license to visio plan 3');
    expect(add.replies[0]).toMatch(/We don't sell Visio Plan 3[\s\S]*Visio Plan 1/);
    expect(await bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.adele.id))).toEqual(adeleBefore);
  });

  test('a misspelled or misheard product name is offered as the products it comes close to, never picked, with the number kept; any command', async () => {
    const before = await bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.megan.id));
    const buy = await bot.say('patti', 'buy power bee eye 3 monthly');
    expect(buy.replies[0]).toMatch(/We don't sell "power bee eye"\. Did you mean one of these\?[\s\S]*Power BI Pro[\s\S]*\[Buy\][\s\S]*Power BI Premium/);
    const open = actionOf(buy.cards[0], 'Buy')!;
    expect(open.data).toMatchObject({ quantity: 3, billingFrequency: 'Monthly' });
    // Told apart by what a person reads (the price), not by product ids.
    expect(buy.replies[0]).toMatch(/\*\*Power BI Pro\*\*\n\$[\d.]+ per license a month/);
    expect(buy.replies[0]).not.toMatch(/CFQ7/);
    const form = await bot.invoke('patti', open.verb, open.data);
    expect(form.text).toMatch(/Buy Power BI Pro/);
    // A number of a name offered ("365") stays part of the name, not a quantity.
    const windows = await bot.say('patti', 'buy windoze 365');
    expect(windows.replies[0]).toMatch(/We don't sell "windoze 365"[\s\S]*Windows 365 Business[\s\S]*Windows 365 Enterprise/);
    expect(actionOf(windows.cards[0], 'Buy')!.data).toMatchObject({ quantity: 1 });
    // One close product is still asked about.
    expect((await bot.say('patti', 'trial clipchap')).replies[0]).toMatch(/We don't sell "clipchap"\. Did you mean this one\?[\s\S]*Clipchamp Premium[\s\S]*\[Try it\]/);
    // On the caller's own subscriptions: asked, not acted on.
    expect((await bot.say('megan', 'assign power bee eye to adele')).replies[0]).toMatch(/We don't sell "power bee eye"[\s\S]*\[Assign here\]/);
    expect((await bot.say('megan', 'add 2 licenses to power bee eye')).replies[0]).toMatch(/We don't sell "power bee eye"[\s\S]*\[Add 2 here\]/);
    expect((await bot.say('megan', 'cancel power bee eye')).replies[0]).toMatch(/We don't sell "power bee eye"[\s\S]*Cancel this one/);
    expect((await bot.sayInChannel('alex', 'disable power bee eye')).replies[0]).toMatch(/We don't sell "power bee eye"[\s\S]*Power BI Pro/);
    // Words no product shares: the plain answer.
    expect((await bot.say('patti', 'buy foo bar')).replies[0]).toMatch(/We don't sell "foo bar" here\. Say \*\*catalog\*\*/);
    expect(await bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.megan.id))).toEqual(before);
  });

  test('personal data asked for in a group chat is answered in the 1:1 chat (created when there is none)', async () => {
    const res = await bot.post({
      type: 'message',
      id: 'gp1',
      channelId: 'msteams',
      serviceUrl: bot.connector.url,
      text: 'my purchases',
      from: { id: `29:${DEMO_USERS.lynne.id}`, name: 'Lynne Robbins', aadObjectId: DEMO_USERS.lynne.id },
      recipient: { id: '28:purchases-bot', name: 'Purchases' },
      conversation: { id: '19:groupchat-privacy@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: DEMO_TENANT_ID },
      channelData: { tenant: { id: DEMO_TENANT_ID } },
    });
    expect(res.status).toBe(200);
    const [note] = await bot.connector.waitFor('19:groupchat-privacy@thread.v2');
    expect(JSON.stringify(note.activity)).toMatch(/answered in our 1:1 chat/);
    // Lynne never chatted 1:1 with the bot: a conversation was created with her and the answer posted there.
    const created = bot.connector.created.find((c) => c.memberIds.includes(`29:${DEMO_USERS.lynne.id}`))!;
    expect(created).toBeDefined();
    const [privately] = await bot.connector.waitFor(created.conversationId);
    expect(JSON.stringify(privately.activity)).toMatch(/Your subscriptions/);
    expect(await bot.app.conversations.get(DEMO_TENANT_ID, `user:${DEMO_USERS.lynne.id}`)).not.toBeNull();
  });

  test('help by role: a purchaser sees no admin commands; suggestions are short buttons', async () => {
    const help = (await bot.say('patti', 'help')).replies[0];
    expect(help).not.toMatch(/take over|set policy|audit/);
    expect((await bot.say('alex', 'help')).replies[0]).toMatch(/take over/);
    const typo = (await bot.say('patti', 'cancle power bi pro')).replies[0];
    expect(typo).toMatch(/\[cancel Power BI Pro\]/);
    expect(typo).not.toMatch(/For admins/);
  });
});

describe('cards show only what is possible now', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  });
  afterAll(() => bot.close());

  test('a buy card refreshes without its Buy button once the product is turned off; a press on the stale card buys nothing', async () => {
    const { cards } = await bot.say('patti', 'buy visio plan 2 3 monthly');
    const form = cards[0]!;
    expect(JSON.stringify(form)).toMatch(/"id":"billingFrequency"[^}]*"value":"Monthly"/);
    const refresh = (form.refresh as { action: { verb: string; data: Record<string, unknown> } }).action;
    expect(refresh.data).toMatchObject({ view: 'buyForm', productId: 'CFQ7TTC0HD32', mode: 'buy', quantity: 3 });
    // Still possible: the refresh is the same form, with the same form id.
    const same = await bot.invoke('patti', refresh.verb, refresh.data);
    expect(same.text).toMatch(/Buy Visio Plan 2[\s\S]*\[Buy\]/);
    expect(JSON.stringify(same.card)).toContain(String(refresh.data.formId));

    expect((await bot.sayInChannel('alex', 'disable visio plan 2')).replies[0]).toMatch(/Visio Plan 2: Enabled → Disabled/);
    const stale = await bot.invoke('patti', refresh.verb, refresh.data);
    expect(stale.text).toMatch(/turned off buying Visio Plan 2/);
    expect(stale.text).not.toMatch(/Buy Visio Plan 2/);
    const buy = actionOf(form, 'Buy')!;
    const pressed = await bot.invoke('patti', buy.verb, {
      ...buy.data,
      quantity: 3,
      billingFrequency: 'Monthly',
      cardNumber: '4242 4242 4242 4242',
      cardExpiry: '12/30',
      cardCvc: '123',
    });
    expect(pressed.text).toMatch(/turned off|doesn't allow/);
    const patti = await bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.patti.id));
    expect(patti).toHaveLength(0);
  });
});

describe('take over by moving the users, from the card alone', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  });
  afterAll(() => bot.close());

  const meganPbi = async () => (await bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.megan.id))).find((s) => s.productId === POWER_BI)!;

  test('a Global reader sees the purchase and no button that would change it; the take-over card is refused with the reason', async () => {
    const s = await meganPbi();
    const reader = await bot.invoke('isaiah', 'purchase.show', { subscriptionId: s.id }, 'channel');
    expect(reader.text).toMatch(/Power BI Pro[\s\S]*Megan Bowen/);
    for (const title of ['Take over', 'Disable product', 'Acknowledge', 'Centralize licenses']) expect(actionOf(reader.card, title)).toBeNull();
    expect((await bot.invoke('isaiah', 'takeover.confirm', { subscriptionId: s.id }, 'channel')).text).toMatch(/Global readers can view but not change/);
    const admin = await bot.invoke('alex', 'purchase.show', { subscriptionId: s.id }, 'channel');
    for (const title of ['Take over', 'Disable product', 'Acknowledge', 'Centralize licenses']) expect(actionOf(admin.card, title)).not.toBeNull();
  });

  test("someone who isn't an admin (or no longer is) pressing an admin change on an old card, or saying one, is told who can make it, not that nothing is there", async () => {
    const s = await meganPbi();
    for (const [verb, data] of [
      ['takeover.buyCentral', { subscriptionId: s.id, quantity: 3, formId: 'f-1' }],
      ['takeover.addCentral', { subscriptionId: s.id, targetSubscriptionId: s.id, quantity: 1, formId: 'f-2' }],
      ['product.disable', { subscriptionId: s.id }],
      ['takeover.submit', { subscriptionId: s.id, mode: 'cancel', reason: 'Cost control' }],
    ] as const) {
      const r = await bot.invoke('patti', verb, data, 'channel');
      expect(r.text).toMatch(/Only Global admins and Billing admins can do this\./);
    }
    expect((await bot.sayInChannel('patti', 'take over Power BI Pro from Megan Bowen')).replies[0]).toMatch(/Only Global admins and Billing admins can do this\./);
    expect((await bot.sayInChannel('patti', 'centralize Power BI Pro')).replies[0]).toMatch(/Only Global admins and Billing admins can do this\./);
    expect((await bot.app.deps.uow.read((r) => r.subscriptions.get(DEMO_TENANT_ID, s.id)))!.status).toBe('Active');
  });

  test('no central subscription: the card says why moving is not possible and offers the step; then the users move and the purchaser sees the reason', async () => {
    const s = await meganPbi();
    const { replies, cards } = await bot.sayInChannel('alex', 'take over Power BI Pro from Megan Bowen');
    expect(replies[0]).toMatch(/Take over Power BI Pro from Megan Bowen\?/);
    expect(replies[0]).toMatch(/Moving the users instead: There is no central Power BI Pro subscription yet/);
    expect(replies[0]).not.toMatch(/\(Move its/);
    const buy = actionOf(cards[0], /^Buy 3 central licenses/)!;
    const after = await bot.invoke('alex', buy.verb, buy.data, 'channel');
    expect(after.text).toMatch(/Bought: a central Power BI Pro subscription of 3 licenses/);
    expect(after.text).toMatch(/\(Move its 3 users to the central Power BI Pro subscription \(3 available\), then cancel\)/);
    // Pressed twice (a double click on the old card): still one central subscription.
    await bot.invoke('alex', buy.verb, buy.data, 'channel');
    const { targets: central, total } = await bot.app.deps.uow.read((r) => r.subscriptions.centralTargets(DEMO_TENANT_ID, POWER_BI, s.id, 25));
    expect([central.length, total]).toEqual([1, 1]);

    // Moving them is what the card offers first now: cancelling, which cuts them off, is the other choice.
    const mode = JSON.stringify(after.card).match(/"id":"mode"[^{]*?"value":"([^"]+)"|"value":"([^"]+)"[^{}]*"id":"mode"/);
    expect(mode?.[1] ?? mode?.[2]).toBe(central[0].subscription.id);
    const takeOver = actionOf(after.card, 'Take over')!;
    const done = await bot.invoke('alex', takeOver.verb, { ...takeOver.data, mode: central[0].subscription.id, reason: 'Cost control' }, 'channel');
    expect(done.text).toMatch(/Taken over: 3 users moved to the central subscription/);
    const holders = await bot.app.deps.uow.read((r) => r.assignments.listBySubscription(DEMO_TENANT_ID, central[0].subscription.id));
    expect(holders.map((h) => h.userId).sort()).toEqual([DEMO_USERS.megan.id, DEMO_USERS.patti.id, DEMO_USERS.lynne.id].sort());
    expect((await bot.app.deps.uow.read((r) => r.subscriptions.get(DEMO_TENANT_ID, s.id)))!.status).toBe('Deleted');

    // Megan is told, with the reason the admin picked.
    await bot.say('megan', 'help'); // she has a 1:1 chat the outbox can reach
    await bot.app.sender.drainOnce();
    await bot.app.sender.drainOnce();
    const ref = await bot.app.conversations.get(DEMO_TENANT_ID, `user:${DEMO_USERS.megan.id}`);
    const told = (await bot.connector.waitFor(ref!.conversation!.id, 2)).map((r) => JSON.stringify(r.activity)).join('\n');
    expect(told).toMatch(/took over your \*\*Power BI Pro\*\* subscription and moved its 3 users[^"]*reason: Cost control/);
  });

  test('not enough free central licenses: the card offers to add exactly the missing ones', async () => {
    // Adele's Visio Plan 1 trial has its purchaser on it; give it two more people, and a central Visio Plan 1 with 1 free license.
    const adele = { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.adele.id, surface: 'system' as const };
    const trial = (await bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.adele.id))).find((s) => s.productId === 'CFQ7TTC0HD33')!;
    await assignLicenses(bot.app.deps, adele, { subscriptionId: trial.id, userIds: [DEMO_USERS.adele.id, DEMO_USERS.isaiah.id] });
    const { buyCentralSubscription } = await import('../../domain/admin/buy-central-subscription');
    await buyCentralSubscription(bot.app.deps, { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.alex.id, surface: 'system' }, { productId: 'CFQ7TTC0HD33', quantity: 1 });
    const card = await bot.invoke('alex', 'takeover.confirm', { subscriptionId: trial.id }, 'channel');
    expect(card.text).toMatch(/The central subscription has 1 free license; 2 are needed/);
    const add = actionOf(card.card, 'Add 1 central license')!;
    const added = await bot.invoke('alex', add.verb, add.data, 'channel');
    expect(added.text).toMatch(/Added: the central subscription has 2 licenses now/);
    expect(added.text).toMatch(/\(Move its 2 users/);
  });
});

describe('what a new user hit in the Agents Playground', () => {
  let bot: BotHarness;
  let second: Subscription;
  beforeAll(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
    const token = bot.app.payments.tokenize({ number: '4242 4242 4242 4242', expMonth: 12, expYear: 2099, cvc: '123' }).token;
    const bought = await buySubscription(bot.app.deps, megan, { productId: POWER_BI, quantity: 2, billingFrequency: 'Annual', cardToken: token });
    if (bought.status !== 'created') throw new Error('setup: purchase failed');
    second = bought.subscription;
  });
  afterAll(() => bot.close());

  test('assigning a person who already holds the product on another subscription says so, and gives no second license', async () => {
    // Patti holds Power BI Pro on Megan's seeded subscription; the new one has room.
    const r = await bot.say('megan', 'assign Power BI Pro to Patti Fernandez');
    expect(r.replies[0]).toMatch(/Patti Fernandez already has Power BI Pro \(your 5 licenses monthly subscription\)/);
    const onSecond = await bot.app.deps.uow.read((x) => x.assignments.listBySubscription(DEMO_TENANT_ID, second.id));
    expect(onSecond).toHaveLength(0);
  });

  test('"my purchases" lists what is still waiting for approval, and says nothing is charged yet', async () => {
    const { setRequireApproval } = await import('../../domain/approvals/manage-approvals');
    await setRequireApproval(bot.app.deps, { tenantId: DEMO_TENANT_ID, actorId: DEMO_USERS.alex.id, surface: 'system' }, { enabled: true });
    const { cards } = await bot.say('patti', 'buy power bi pro 2');
    const buy = actionOf(cards[0], 'Buy')!;
    const pending = await bot.invoke('patti', buy.verb, {
      ...buy.data,
      quantity: 2,
      billingFrequency: 'Annual',
      cardNumber: '4242 4242 4242 4242',
      cardExpiry: '12/35',
      cardCvc: '123',
      cardName: 'Patti Fernandez',
    });
    expect(pending.text).toMatch(/Waiting for an admin’s approval[\s\S]*Power BI Pro[\s\S]*2 licenses, yearly · asked .* · nothing charged yet/);
    const mine = await bot.say('patti', 'my purchases');
    expect(mine.replies[0]).toMatch(/None yet: what you asked for is waiting for approval/);
    expect(mine.replies[0]).toMatch(/Waiting for an admin’s approval[\s\S]*Power BI Pro[\s\S]*2 licenses, yearly/);
    // Someone else's waiting requests are not theirs to see.
    expect((await bot.say('megan', 'my purchases')).replies[0]).not.toMatch(/Waiting for an admin’s approval/);
  });

  test('a Global reader naming a purchaser with several subscriptions gets the reason, not buttons', async () => {
    for (const command of ['take over Power BI Pro from Megan Bowen', 'centralize Power BI Pro from Megan Bowen']) {
      const r = await bot.sayInChannel('isaiah', command);
      expect(r.replies[0]).toMatch(/Global readers can view but not change/);
      expect(r.cards[0] ?? null).toBeNull();
    }
  });

  test('Pay on an old bills card for a bill paid since: the bills as they are now, with the reason', async () => {
    const bills = await bot.app.deps.uow.read((x) => x.invoices.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.megan.id));
    const unpaid = bills.find((b) => b.status === 'Unpaid')!;
    const paid = await bot.invoke('megan', 'bill.pay', { invoiceId: unpaid.id, cardNumber: '4242 4242 4242 4242', cardExpiry: '12/30', cardCvc: '123' });
    expect(paid.text).toMatch(/Paid \$/);
    const stale = await bot.invoke('megan', 'bill.payForm', { invoiceId: unpaid.id });
    expect(stale.text).toMatch(/already paid[\s\S]*Your bills/);
    expect(stale.text).not.toMatch(/\[Pay \$/);
  });

  test('a suggestion button that answers in words leaves a card with the text; no suggestion runs the wrong command', async () => {
    const { cards } = await bot.say('megan', 'asdfgh');
    const help = actionOf(cards[0], 'Show what I can do')!;
    const shown = await bot.invoke('megan', help.verb, help.data);
    expect(shown.card).not.toBeNull();
    expect(shown.text).toMatch(/I can help you buy and manage/);
    // A card's text drops "<product>" as markup: the placeholders are there as ‹product›.
    expect(shown.text).toMatch(/buy ‹product› \[licenses\]/);
    expect(shown.text).not.toMatch(/<product>/);
    const typo = await bot.sayInChannel('alex', 'purchses self-service');
    expect(typo.replies[0]).toMatch(/\[purchases self-service\]/);
    expect(typo.replies[0]).not.toMatch(/\[purchase self-service\]/);
  });

  test('roles: no Revoke on the last Global admin; granting twice or revoking twice says so; the audit names the person', async () => {
    // Alex (the only Global admin) and Isaiah (a Global reader): only Isaiah's role can be revoked.
    const roles = await bot.sayInChannel('alex', 'roles');
    expect(roles.replies[0].match(/\[Revoke\]/g)).toHaveLength(1);
    expect(JSON.stringify(roles.cards[0])).not.toContain(`"userId":"${DEMO_USERS.alex.id}"`);
    expect((await bot.sayInChannel('alex', 'grant billing admin to Adele Vance')).replies[0]).toMatch(/Granted Billing admin to Adele Vance/);
    expect((await bot.sayInChannel('alex', 'grant billing admin to Adele Vance')).replies[0]).toMatch(/Adele Vance is already a Billing admin/);
    const card = (await bot.sayInChannel('alex', 'roles')).cards[0];
    const revoke = { verb: 'role.revoke', data: { userId: DEMO_USERS.adele.id, role: 'BillingAdmin' } };
    expect(JSON.stringify(card)).toContain(`"userId":"${DEMO_USERS.adele.id}","role":"BillingAdmin"`);
    expect((await bot.invoke('alex', revoke.verb, revoke.data, 'channel')).text).toMatch(/Revoked Billing admin from Adele Vance/);
    expect((await bot.invoke('alex', revoke.verb, revoke.data, 'channel')).text).toMatch(/Adele Vance isn't a Billing admin/);
    expect((await bot.sayInChannel('alex', 'audit')).replies[0]).toMatch(/Revoked Billing admin from Adele Vance/);
  });
});
