import { actionOf, startBot, type BotHarness } from './harness';
import { DEMO_TENANT_ID, DEMO_USERS } from '../../prisma/seed-demo';
import { VERBS } from '../../cards/verbs';

const POWER_BI = 'CFQ7TTC0H9MP';
const VISA = { cardNumber: '4242 4242 4242 4242', cardExpiry: '12/35', cardCvc: '123', cardName: 'Megan Bowen' };
const DECLINED = { ...VISA, cardNumber: '4000 0000 0000 0002' };

const subscriptionsOf = (bot: BotHarness, userId: string) => bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, userId));
const charges = (bot: BotHarness) => bot.app.payments.succeededCharges().length;
const megansPowerBi = async (bot: BotHarness) => (await subscriptionsOf(bot, DEMO_USERS.megan.id)).find((s) => s.productId === POWER_BI && s.status === 'Active')!;

/** The code of the last card action the server refused (it logs every refusal with the domain's code). */
const refusedCode = (bot: BotHarness): unknown => bot.logs.filter((l) => l.msg === 'card action refused').at(-1)?.code;

describe('card actions (Action.Execute invokes) through the real adapter', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  });
  afterEach(() => bot.close());

  test('buy from the catalog: the form, a declined card (nothing created), then a purchase; a double click buys once', async () => {
    const { cards } = await bot.say('patti', 'buy power bi pro 3');
    const buy = actionOf(cards[0], 'Buy')!;
    expect(buy).toMatchObject({ verb: VERBS.buy, data: { productId: POWER_BI, formId: expect.any(String) } });

    const declined = await bot.invoke('patti', buy.verb, { ...buy.data, quantity: 3, billingFrequency: 'Annual', ...DECLINED });
    expect(declined.text).toMatch(/The card was declined/);
    expect(await subscriptionsOf(bot, DEMO_USERS.patti.id)).toHaveLength(0);

    // The refused form came back as a fresh form; its Buy button is pressed twice at once.
    const retry = actionOf(declined.card, 'Buy')!;
    expect(retry.data.formId).not.toBe(buy.data.formId);
    const before = charges(bot);
    const [first, second] = await Promise.all([
      bot.invoke('patti', retry.verb, { ...retry.data, quantity: 3, billingFrequency: 'Annual', ...VISA }),
      bot.invoke('patti', retry.verb, { ...retry.data, quantity: 3, billingFrequency: 'Annual', ...VISA }),
    ]);
    expect(first.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(first.text).toMatch(/Done: you bought 3 licenses for \$504\.00/);
    // The form id alone makes the second press the first one's result: no "already used", no fresh form.
    // Answered as the first was, the amount included.
    expect(second.text).toMatch(/Done: you bought 3 licenses for \$504\.00/);
    expect(second.text).not.toMatch(/already used/);
    expect(actionOf(second.card, 'Buy')).toBeNull();
    // And a press that arrives after the first one finished (Teams retrying the invoke) is the same.
    const late = await bot.invoke('patti', retry.verb, { ...retry.data, quantity: 3, billingFrequency: 'Annual', ...VISA });
    expect(late.text).toMatch(/Done: you bought 3 licenses for \$504\.00/);
    expect(await subscriptionsOf(bot, DEMO_USERS.patti.id)).toHaveLength(1);
    expect(charges(bot) - before).toBe(1);
  });

  test('bad card details and absurd quantities are refused on the form, nothing changes', async () => {
    const { cards } = await bot.say('patti', 'buy power bi pro');
    const buy = actionOf(cards[0], 'Buy')!;
    expect((await bot.invoke('patti', buy.verb, { ...buy.data, quantity: 2, ...VISA, cardNumber: '4242 4242 4242 4241' })).text).toMatch(/card number is not valid/);
    expect((await bot.invoke('patti', buy.verb, { ...buy.data, quantity: 2, ...VISA, cardExpiry: '01/20' })).text).toMatch(/expired/);
    expect((await bot.invoke('patti', buy.verb, { ...buy.data, quantity: -4, ...VISA })).text).toMatch(/at least 1|positive|whole/i);
    expect((await bot.invoke('patti', buy.verb, { ...buy.data, quantity: 10_000_000, ...VISA })).text).toMatch(/at most/);
    expect((await bot.invoke('patti', buy.verb, { ...buy.data, quantity: 2 })).text).toMatch(/Enter a card/);
    expect(await subscriptionsOf(bot, DEMO_USERS.patti.id)).toHaveLength(0);
  });

  test("a card on file is looked up on the server: someone else's subscription id pays for nothing", async () => {
    const megans = await megansPowerBi(bot);
    const { cards } = await bot.say('patti', 'buy power bi pro');
    const buy = actionOf(cards[0], 'Buy')!;
    const forged = await bot.invoke('patti', buy.verb, { ...buy.data, quantity: 1, savedCard: megans.id });
    expect(forged.text).toMatch(/isn't on file/);
    expect(await subscriptionsOf(bot, DEMO_USERS.patti.id)).toHaveLength(0);
  });

  test('manage a subscription: add (double click adds once), assign by name and email, unassign, recurring off, cancel with a reason', async () => {
    const s = await megansPowerBi(bot);
    const card = (await bot.invoke('megan', VERBS.subscription, { subscriptionId: s.id })).card;
    const add = actionOf(card, 'Add')!;
    await Promise.all([bot.invoke('megan', add.verb, { ...add.data, addQuantity: 2 }), bot.invoke('megan', add.verb, { ...add.data, addQuantity: 2 })]);
    expect((await megansPowerBi(bot)).quantity).toBe(7);

    const assign = await bot.invoke('megan', VERBS.assign, { subscriptionId: s.id, people: 'Adele Vance, isaiahl@example.com' });
    expect(assign.text).toMatch(/Done: Adele Vance, Isaiah Langer have a license now; \d+ available\. Adele Vance, Isaiah Langer will get a message from the bot in Teams\./);
    expect(assign.text).toMatch(/Adele Vance/);
    expect((await bot.invoke('megan', VERBS.assign, { subscriptionId: s.id, people: 'Adele Vance' })).text).toMatch(/^Everyone you chose already has a license/);
    // Neither picked nor typed (a client without the typeahead sends the picker empty): where to pick them.
    const empty = await bot.invoke('megan', VERBS.assign, { subscriptionId: s.id, assignUserIds: '', people: ' ' });
    expect(empty.text).toMatch(/Pick at least one person under People \(start typing a name\), or type names or emails in the box below it\./);
    const unknown = await bot.invoke('megan', VERBS.assign, { subscriptionId: s.id, people: 'Nobody Here' });
    expect(unknown.text).toMatch(/nobody in your organization matches "Nobody Here"/i);

    const unassign = await bot.invoke('megan', VERBS.unassign, { subscriptionId: s.id, userIds: `${DEMO_USERS.adele.id},${DEMO_USERS.isaiah.id}` });
    expect(unassign.text).toMatch(/Done: Adele Vance(,| and) Isaiah Langer no longer have a license/);

    const off = await bot.invoke('megan', VERBS.recurring, { subscriptionId: s.id, enabled: false });
    expect(off.text).toMatch(/Recurring billing is off/);
    expect(actionOf(off.card, 'Turn recurring billing on')).not.toBeNull();
    expect(actionOf(off.card, 'Turn recurring billing off')).toBeNull();
    // The same press again (a stale card): nothing changes, and the answer doesn't claim a change.
    expect((await bot.invoke('megan', VERBS.recurring, { subscriptionId: s.id, enabled: false })).text).toMatch(/Recurring billing was already off: it ends on/);

    const confirm = await bot.invoke('megan', VERBS.cancelConfirm, { subscriptionId: s.id });
    expect(confirm.text).toMatch(/Cancel Power BI Pro\?[\s\S]*3 people will lose their license/);
    const noReason = await bot.invoke('megan', VERBS.cancel, { subscriptionId: s.id });
    expect(noReason.text).toMatch(/reason/i);
    const cancelled = await bot.invoke('megan', VERBS.cancel, { subscriptionId: s.id, reason: 'Too expensive' });
    expect(cancelled.text).toMatch(/Cancelled\. You won't be charged again/);
    expect(actionOf(cancelled.card, 'Add')).toBeNull();
    const again = await bot.invoke('megan', VERBS.cancel, { subscriptionId: s.id, reason: 'Too expensive' });
    expect(again.text).toMatch(/already|not active|cancelled/i);
    // A stale card's "Cancel this one…" on it: told at once, no confirmation offering what can't be done.
    const stale = await bot.invoke('megan', VERBS.cancelConfirm, { subscriptionId: s.id });
    expect(stale.text).toMatch(/That subscription was cancelled/);
    expect(stale.text).not.toMatch(/Cancel Power BI Pro\?/);
    expect(actionOf(stale.card, 'Cancel subscription')).toBeNull();
  });

  test("a purchaser can't act on someone else's subscription, whatever the card says", async () => {
    const s = await megansPowerBi(bot);
    for (const [verb, data] of [
      [VERBS.addLicenses, { subscriptionId: s.id, addQuantity: 1, formId: 'f1' }],
      [VERBS.assign, { subscriptionId: s.id, people: 'Patti Fernandez' }],
      [VERBS.cancel, { subscriptionId: s.id, reason: 'Too expensive' }],
      [VERBS.recurring, { subscriptionId: s.id, enabled: false }],
      [VERBS.cancelConfirm, { subscriptionId: s.id }],
    ] as const) {
      const r = await bot.invoke('patti', verb, data);
      expect(r.text).toMatch(/couldn't find that subscription|only manage subscriptions you bought/i);
    }
    expect(await megansPowerBi(bot)).toMatchObject({ quantity: s.quantity, recurring: true, status: 'Active' });
  });

  test('every admin verb is refused to non-admins and to other tenants, and changes nothing', async () => {
    const s = await megansPowerBi(bot);
    const outsider = { id: '99999999-0000-0000-0000-000000000001', name: 'Eve', tenantId: '99999999-0000-0000-0000-000000000099' };
    const adminVerbs: Array<[string, Record<string, unknown>]> = [
      [VERBS.purchases, { page: 1 }],
      [VERBS.purchase, { subscriptionId: s.id }],
      [VERBS.acknowledge, { subscriptionId: s.id }],
      [VERBS.disableProduct, { subscriptionId: s.id }],
      [VERBS.takeOverConfirm, { subscriptionId: s.id }],
      [VERBS.takeOver, { subscriptionId: s.id, mode: 'cancel', reason: 'Cost control' }],
      [VERBS.centralizeConfirm, { subscriptionId: s.id }],
      [VERBS.centralize, { subscriptionId: s.id, target: 'new' }],
      [VERBS.policies, {}],
      [VERBS.setPolicy, { productId: POWER_BI, value: 'Disabled' }],
      [VERBS.setAllPolicies, { allValue: 'Disabled' }],
      [VERBS.approvals, {}],
      [VERBS.approve, { requestId: 'r1' }],
      [VERBS.reject, { requestId: 'r1' }],
      [VERBS.audit, { page: 1 }],
      [VERBS.productLicenses, { productId: POWER_BI }],
      [VERBS.roles, {}],
      [VERBS.grantRole, { person: 'Megan Bowen', role: 'GlobalAdmin' }],
      [VERBS.revokeRole, { userId: DEMO_USERS.alex.id, role: 'GlobalAdmin' }],
      [VERBS.refresh, { view: 'purchase', subscriptionId: s.id }],
      [VERBS.refresh, { view: 'policies' }],
    ];
    const auditBefore = (await bot.app.deps.uow.read((r) => r.audit.list(DEMO_TENANT_ID, 1, 1))).total;
    for (const [verb, data] of adminVerbs) {
      for (const who of ['patti', outsider] as const) {
        const r = await bot.invoke(who, verb, data, 'channel');
        expect({ verb, who: typeof who === 'string' ? who : 'outsider', status: r.status, type: r.body.type }).toEqual({
          verb,
          who: typeof who === 'string' ? who : 'outsider',
          status: 200,
          type: 'application/vnd.microsoft.activity.message',
        });
        // (An outsider's name search runs in their own tenant, so it finds nobody: nothing leaks either way.)
        expect(r.text).toMatch(/Only Global admins|Only a Global admin|couldn't find|nobody in your organization/i);
        expect({ verb, who: typeof who === 'string' ? who : 'outsider', code: refusedCode(bot) }).toEqual({
          verb,
          who: typeof who === 'string' ? who : 'outsider',
          // Not an admin, or (for someone else's subscription, which only admins and its purchaser may
          // see) not found. Someone from a tenant we had not seen is recorded as a member of it.
          code: expect.stringMatching(/^(AUTH\.NOT_(GLOBAL_)?ADMIN|SUBSCRIPTION\.NOT_FOUND|USER\.NOT_FOUND)$/),
        });
      }
    }
    // A Global reader can look but not change.
    expect((await bot.invoke('isaiah', VERBS.takeOver, { subscriptionId: s.id, mode: 'cancel', reason: 'Cost control' }, 'channel')).text).toMatch(
      /read|Only Global admins and Billing admins/i,
    );
    expect(refusedCode(bot)).toBe('AUTH.READ_ONLY');
    expect(await megansPowerBi(bot)).toMatchObject({ status: 'Active' });
    const policies = await bot.app.deps.uow.read((r) => r.policies.list(DEMO_TENANT_ID));
    expect(policies.filter((p) => p.value !== 'Enabled')).toHaveLength(0);
    expect((await bot.app.deps.uow.read((r) => r.audit.list(DEMO_TENANT_ID, 1, 1))).total).toBe(auditBefore);
  });

  test('forged card data: tampered verbs, ids of another tenant, junk values — each refused with its code', async () => {
    const refusal = async (verb: string, data: Record<string, unknown>, where: 'personal' | 'channel' = 'personal') => {
      const r = await bot.invoke('alex', verb, data, where);
      return { text: r.text, code: refusedCode(bot) };
    };
    const unknownVerb = { text: expect.stringMatching(/doesn't do anything any more/), code: 'VERB.UNKNOWN' };
    expect(await refusal('subscription.delete-everything', { subscriptionId: 'x' })).toEqual(unknownVerb);
    expect(await refusal('constructor', {})).toEqual(unknownVerb);
    expect(await refusal('__proto__', {})).toEqual(unknownVerb);
    expect(await refusal(VERBS.purchase, { subscriptionId: 'sub-of-another-tenant' }, 'channel')).toEqual({
      text: expect.stringMatching(/couldn't find that subscription/),
      code: 'SUBSCRIPTION.NOT_FOUND',
    });
    expect(await refusal(VERBS.purchase, { subscriptionId: { $ne: null } }, 'channel')).toEqual({ text: expect.stringMatching(/subscription/i), code: 'INPUT.INVALID' });
    expect(await refusal(VERBS.purchase, { subscriptionId: 'x'.repeat(5000) }, 'channel')).toEqual({ text: expect.stringMatching(/subscription/i), code: 'INPUT.INVALID' });
    expect(await refusal(VERBS.refresh, { view: 'everything' })).toEqual({ text: expect.stringMatching(/can't be refreshed/), code: 'VIEW.UNKNOWN' });
    expect((await refusal(VERBS.setPolicy, { productId: POWER_BI, value: 'Sometimes' }, 'channel')).code).toBe('POLICY.VALUE_INVALID');
  });

  test('admin: the new-purchase card — acknowledge, disable the product, take over with a reason; the purchaser is told, once', async () => {
    const s = await megansPowerBi(bot);
    const card = (await bot.invoke('alex', VERBS.refresh, { view: 'purchase', subscriptionId: s.id, isNew: true }, 'channel')).card;
    expect(actionOf(card, 'Take over')).not.toBeNull();

    const ack = await bot.invoke('alex', VERBS.acknowledge, { subscriptionId: s.id }, 'channel');
    expect(ack.text).toMatch(/Acknowledged by Alex Wilber/);
    expect(actionOf(ack.card, 'Acknowledge')).toBeNull();

    const disabled = await bot.invoke('alex', VERBS.disableProduct, { subscriptionId: s.id }, 'channel');
    expect(disabled.text).toMatch(/Self-service purchase of Power BI Pro is now turned off/);
    expect(disabled.text).toMatch(/Policy: Disabled/);
    expect(actionOf(disabled.card, 'Disable product')).toBeNull();
    expect((await bot.say('patti', 'buy power bi pro')).replies[0]).toMatch(/turned off|contact your IT admin/i);

    const confirm = await bot.invoke('alex', VERBS.takeOverConfirm, { subscriptionId: s.id }, 'channel');
    expect(confirm.text).toMatch(/Take over Power BI Pro from Megan Bowen\?/);
    expect(confirm.text).toMatch(/\(Cost control\)/);
    await bot.say('megan', 'help'); // Megan's chat is known, so she can be told
    const [first, second] = await Promise.all([
      bot.invoke('alex', VERBS.takeOver, { subscriptionId: s.id, mode: 'cancel', reason: 'Cost control' }, 'channel'),
      bot.invoke('alex', VERBS.takeOver, { subscriptionId: s.id, mode: 'cancel', reason: 'Cost control' }, 'channel'),
    ]);
    const texts = [first.text, second.text].join('\n');
    expect(texts).toMatch(/Taken over: the subscription is cancelled/);
    expect(texts).toMatch(/already/);
    expect(actionOf(first.card, 'Take over')).toBeNull();
    expect(await megansPowerBi(bot)).toBeUndefined();

    await bot.app.sender.drainOnce();
    const toMegan = bot.connector.recorded.filter((r) => JSON.stringify(r.activity).includes('cancelled your'));
    expect(toMegan).toHaveLength(1);
    expect(JSON.stringify(toMegan[0].activity)).toMatch(/Alex Wilber cancelled your \*\*Power BI Pro\*\* subscription \(reason: Cost control\)/);
    expect(toMegan[0].activity.attachments).toHaveLength(1);
    // Megan, changing it from chat afterwards: told what happened, not asked to buy it again.
    for (const said of ['add 1 license to power bi pro', 'assign power bi pro to Adele Vance', 'cancel power bi pro']) {
      expect((await bot.say('megan', said)).replies[0]).toMatch(
        /^Your Power BI Pro subscription was taken over by an admin on \d{4}-\d\d-\d\d \(Cost control\): your organization provides Power BI Pro now\. Ask an admin for changes/,
      );
    }
  });

  test('approvals: a purchase waits for an admin; Approve creates it and tells the purchaser; a second Approve changes nothing', async () => {
    expect((await bot.sayInChannel('alex', 'require approval on')).replies[0]).toMatch(/wait for an admin/);
    const { cards } = await bot.say('patti', 'buy power bi pro 2');
    const buy = actionOf(cards[0], 'Buy')!;
    const pending = await bot.invoke('patti', buy.verb, { ...buy.data, quantity: 2, billingFrequency: 'Monthly', ...VISA });
    expect(pending.text).toMatch(/request is on its way/);
    const [request] = await bot.app.deps.uow.read((r) => r.requests.listPending(DEMO_TENANT_ID));
    const list = await bot.sayInChannel('alex', 'approvals');
    expect(list.replies[0]).toMatch(/2 licenses of Power BI Pro[\s\S]*Patti Fernandez/);

    const approved = await bot.invoke('alex', VERBS.approve, { requestId: request.id }, 'channel');
    expect(approved.text).toMatch(/Approved; the requester has been told/);
    expect(actionOf(approved.card, 'Approve')).toBeNull();
    const twice = await bot.invoke('alex', VERBS.approve, { requestId: request.id }, 'channel');
    expect(twice.text).toMatch(/already/);
    expect((await subscriptionsOf(bot, DEMO_USERS.patti.id)).filter((s) => s.status === 'Active')).toHaveLength(1);
  });

  test('policies from the card: one product, then all products', async () => {
    const one = await bot.invoke('alex', VERBS.setPolicy, { productId: POWER_BI, value: 'OnlyTrialsWithoutPaymentMethod' }, 'channel');
    expect(one.text).toMatch(/Power BI Pro: Enabled → Only trials without a card/);
    const all = await bot.invoke('alex', VERBS.setAllPolicies, { allValue: 'Disabled' }, 'channel');
    expect(all.text).toMatch(/Every product is now Disabled/);
    const rows = await bot.app.deps.uow.read((r) => r.policies.list(DEMO_TENANT_ID));
    expect(rows.every((p) => p.value === 'Disabled')).toBe(true);
  });

  test('the Action.Submit fallback runs the same verb and edits the card message in place', async () => {
    const s = await megansPowerBi(bot);
    const r = await bot.submit('megan', { verb: VERBS.recurring, subscriptionId: s.id, enabled: false }, 'card-message-1');
    expect(r.status).toBe(200);
    expect(r.recorded).toHaveLength(1);
    expect(r.recorded[0].kind).toBe('update');
    expect(r.recorded[0].activity.id).toBe('card-message-1');
    expect(r.recorded[0].text).toMatch(/Recurring billing is off/);
  });
});

describe('text commands that act', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  });
  afterAll(() => bot.close());

  test('purchaser commands in words', async () => {
    expect((await bot.say('megan', 'add 2 licenses to power bi pro')).replies[0]).toMatch(/Done: 7 licenses now; \$[\d.]+ charged/);
    expect((await bot.say('megan', 'remove 1 license from Power BI Pro')).replies[0]).toMatch(/Done: 6 licenses/);
    expect((await bot.say('megan', 'assign power bi pro to Adele Vance, isaiahl@example.com')).replies[0]).toMatch(/Done: Adele Vance, Isaiah Langer have a license now/);
    expect((await bot.say('megan', 'unassign Power BI Pro from Adele')).replies[0]).toMatch(/Done: Adele Vance no longer has a license/);
    expect((await bot.say('megan', 'recurring off power bi pro')).replies[0]).toMatch(/Recurring billing is off/);
    expect((await bot.say('megan', 'recurring on power bi pro')).replies[0]).toMatch(/Recurring billing is on/);
    // The new-card form itself (a ShowCard can't be opened for someone): a bad number comes back on it, a good one is saved.
    const form = await bot.say('megan', 'payment method power bi pro');
    expect(form.replies[0]).toMatch(/New card for Power BI Pro[\s\S]*\[Save card\]/);
    expect(JSON.stringify(form.cards[0])).toMatch(/"id":"cardNumber"/);
    const save = actionOf(form.cards[0], 'Save card')!;
    const bad = await bot.invoke('megan', save.verb, { ...save.data, ...VISA, cardNumber: '4242 4242 4242 4241' });
    expect(bad.text).toMatch(/card number is not valid[\s\S]*New card for Power BI Pro/);
    const saved = await bot.invoke('megan', save.verb, { ...save.data, ...VISA, cardNumber: '5555 5555 5555 4444' });
    expect(saved.text).toMatch(/Saved: future bills go to the \w+ ending 4444/);
    expect((await bot.say('megan', 'cancel power bi pro')).replies[0]).toMatch(/Cancel Power BI Pro\?[\s\S]*\(Too expensive\)/);
    expect((await bot.say('adele', 'trial power apps')).replies[0]).toMatch(/Try Power Apps per user[\s\S]*\[Start trial\]/);
    // What they can do instead comes as its form, not as words to type: buying when there is no trial, or theirs was had.
    expect((await bot.say('megan', 'trial power bi premium')).replies[0]).toMatch(
      /Power BI Premium \(per user\) has no trial\. You can buy it instead\.[\s\S]*Buy Power BI Premium[\s\S]*\[Buy\]/,
    );
    expect((await bot.say('adele', 'trial visio plan 1')).replies[0]).toMatch(/You've had your Visio Plan 1 trial[\s\S]*Buy Visio Plan 1[\s\S]*\[Buy\]/);
    // The demo tenant has one unpaid bill (Megan's declined Clipchamp renewal) so that paying can be tried from a fresh start.
    expect((await bot.say('megan', 'pay')).replies[0]).toMatch(/Pay \$[\d.]+[\s\S]*\[Pay \$/);
    expect((await bot.say('adele', 'pay')).replies[0]).toMatch(/nothing to pay/);
    expect((await bot.say('patti', 'pay')).replies[0]).toMatch(/nothing to pay/);
    expect((await bot.say('adele', 'bills')).replies[0]).toMatch(/Your bills/);
  });

  test('buying a product again: the form says what the buyer already has of it, and its button opens that subscription', async () => {
    const again = await bot.say('megan', 'buy power bi pro 2');
    expect(again.replies[0]).toMatch(
      /Buy Power BI Pro[\s\S]*You already have Power BI Pro: \d+ licenses, \d+ not assigned yet\. You can assign those instead of buying more\.[\s\S]*\[Open my subscription\][\s\S]*\[Buy\]/,
    );
    const open = actionOf(again.cards[0], 'Open my subscription')!;
    const opened = await bot.invoke('megan', open.verb, open.data);
    expect(opened.text).toMatch(/Power BI Pro[\s\S]*licenses/);
    // The id in that button is Megan's: pressed by someone else it opens nothing of hers.
    expect((await bot.invoke('patti', open.verb, open.data)).text).toMatch(/couldn't find/i);
    // Trying what you already have says so too.
    expect((await bot.say('megan', 'trial clipchamp')).replies[0]).toMatch(/Try Clipchamp Premium[\s\S]*You already have Clipchamp Premium: 1 license, all assigned\./);
    // Nothing of it owned, or only a trial of something else: no note.
    expect((await bot.say('patti', 'buy power bi pro')).replies[0]).not.toMatch(/already have/);
    expect((await bot.say('megan', 'buy visio plan 1')).replies[0]).not.toMatch(/already have/);
  });

  test('words that do not resolve get a clear answer and change nothing', async () => {
    expect((await bot.say('megan', 'buy power bee eye')).replies[0]).toMatch(/We don't sell "power bee eye"\. Did you mean one of these\?[\s\S]*Power BI Pro/);
    expect((await bot.say('megan', 'buy something else')).replies[0]).toMatch(/We don't sell "something else" here/);
    expect((await bot.say('megan', 'buy power')).replies[0]).toMatch(/Which product\?[\s\S]*Power BI Pro[\s\S]*\[Buy\]/);
    expect((await bot.say('patti', 'cancel power bi pro')).replies[0]).toMatch(/You don't have a Power BI Pro subscription/);
    expect((await bot.say('megan', 'add 0 licenses to power bi pro')).replies[0]).toMatch(/at least 1|positive/i);
    // A minus is not dropped: "-3" is refused, not read as 3.
    expect((await bot.say('megan', 'add -3 licenses to power bi pro')).replies[0]).toMatch(/must be at least 1/);
    expect((await bot.say('megan', 'remove −2 licenses from power bi pro')).replies[0]).toMatch(/must be at least 1/);
    expect((await bot.say('megan', 'buy power bi pro -5')).replies[0]).toMatch(/must be at least 1/);
    // Nor is a number that isn't whole read as 1 or as two numbers; the plural of a name is the name.
    for (const said of ['buy power bi pro 1e9', 'buy power bi pros 2.5', 'add 1.5 licenses to power bi pro', 'remove 1e2 licenses from powerbi pro'])
      expect([said, (await bot.say('megan', said)).replies[0]]).toEqual([said, 'The number of licenses must be a whole number, like 5.']);
    expect((await bot.say('megan', 'assign power bi pro to Zed Nobody')).replies[0]).toMatch(/nobody in your organization matches "Zed Nobody"/i);
    expect((await bot.say('megan', 'assign power bi pro to a')).replies[0]).toMatch(/could be/);
  });

  test('@mentions in a group chat name people exactly', async () => {
    const mention = { type: 'mention', text: '<at>Lynne Robbins</at>', mentioned: { id: `29:${DEMO_USERS.lynne.id}`, name: 'Lynne Robbins', aadObjectId: DEMO_USERS.lynne.id } };
    const res = await bot.post({
      type: 'message',
      id: 'g1',
      channelId: 'msteams',
      serviceUrl: bot.connector.url,
      text: 'unassign power bi pro from <at>Lynne Robbins</at>',
      entities: [mention],
      from: { id: `29:${DEMO_USERS.megan.id}`, name: 'Megan Bowen', aadObjectId: DEMO_USERS.megan.id },
      recipient: { id: '28:purchases-bot', name: 'Purchases' },
      conversation: { id: '19:groupchat-1@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: DEMO_TENANT_ID },
      channelData: { tenant: { id: DEMO_TENANT_ID } },
    });
    expect(res.status).toBe(200);
    // The subscription is personal: the group chat gets a note, the card goes to Megan's 1:1 chat.
    const [reply] = await bot.connector.waitFor('19:groupchat-1@thread.v2');
    expect(JSON.stringify(reply.activity)).toMatch(/answered in our 1:1 chat/);
    expect(JSON.stringify(reply.activity)).not.toMatch(/Visa|ending|Lynne/);
    const ref = await bot.app.conversations.get(DEMO_TENANT_ID, `user:${DEMO_USERS.megan.id}`);
    const privately = await bot.connector.waitFor(ref!.conversation!.id);
    expect(privately.map((r) => JSON.stringify(r.activity)).join('\n')).toMatch(/Done: Lynne Robbins no longer has a license/);
    const assigned = await bot.app.deps.uow.read(async (r) =>
      r.assignments.listBySubscription(DEMO_TENANT_ID, (await r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.megan.id))[0].id),
    );
    expect(assigned.map((a) => a.userId)).not.toContain(DEMO_USERS.lynne.id);
  });

  test('admin commands in words', async () => {
    expect((await bot.sayInChannel('alex', 'licenses')).replies[0]).toMatch(/Power BI Pro: \d+ in 1 subscription/);
    expect((await bot.sayInChannel('alex', 'licenses power bi pro')).replies[0]).toMatch(/Bought by Megan Bowen/);
    expect((await bot.sayInChannel('alex', 'set policy visio plan 2 disabled')).replies[0]).toMatch(/Visio Plan 2: Enabled → Disabled/);
    expect((await bot.sayInChannel('alex', 'enable visio plan 2')).replies[0]).toMatch(/Visio Plan 2: Disabled → Enabled/);
    expect((await bot.sayInChannel('alex', 'set policy all trials only')).replies[0]).toMatch(/Every product is now Only trials without a card/);
    // Buying refused by the policy: the trial it still allows comes as its form.
    expect((await bot.say('megan', 'buy visio plan 1')).replies[0]).toMatch(/You can start a trial instead:[\s\S]*Try Visio Plan 1[\s\S]*\[Start trial\]/);
    expect((await bot.sayInChannel('alex', 'set policy all enabled')).replies[0]).toMatch(/Every product is now Enabled/);
    expect((await bot.sayInChannel('alex', 'take over power bi pro from megan')).replies[0]).toMatch(/Take over Power BI Pro from Megan Bowen\?/);
    expect((await bot.sayInChannel('alex', 'take over visio plan 2')).replies[0]).toMatch(/no live self-service Visio Plan 2 subscription/);
    expect((await bot.sayInChannel('alex', 'centralize power bi pro')).replies[0]).toMatch(/Centralize Power BI Pro licenses of Megan Bowen\?/);
    expect((await bot.sayInChannel('alex', 'roles')).replies[0]).toMatch(/Alex Wilber\*\* · Global admin/);
    expect((await bot.sayInChannel('alex', 'grant billing admin to Adele Vance')).replies[0]).toMatch(/Granted Billing admin/);
    expect((await bot.sayInChannel('alex', 'revoke billing admin from adelev@example.com')).replies[0]).toMatch(/Revoked Billing admin/);
    expect((await bot.sayInChannel('alex', 'audit')).replies[0]).toMatch(/Audit log[\s\S]*Alex Wilber/);
    expect((await bot.sayInChannel('alex', 'grant wizard to Adele Vance')).replies[0]).toMatch(/The roles are/);
  });

  test('export gives a short-lived link; the CSV is streamed to admins only, and a tampered link gets nothing', async () => {
    const { cards } = await bot.sayInChannel('alex', 'export power bi pro');
    const link = JSON.stringify(cards[0]).match(/"url":"([^"]+)"/)![1];
    expect(link).toMatch(/^http:\/\/localhost:3978\/exports\/licensed-users\.csv\?token=/);
    const local = link.replace('http://localhost:3978', bot.url);
    const res = await fetch(local);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const csv = await res.text();
    expect(csv.split('\n')[0]).toMatch(/^Display name,Email,User id,Product/);
    expect(csv).toMatch(/Patti Fernandez,pattif@example.com/);
    expect((await fetch(local.replace(/token=./, 'token=X'))).status).toBe(403);
    expect((await fetch(`${bot.url}/exports/licensed-users.csv`)).status).toBe(403);
    // A link issued to someone who is no longer an admin is refused when used.
    expect((await bot.sayInChannel('megan', 'export')).replies[0]).toMatch(/Only Global admins/);
  });
});

describe('paying a declined bill', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  });
  afterAll(() => bot.close());

  /** The `savedCard` choice set of a card: what it offers and which one it preselects. */
  const cardChoice = (card: unknown): { value: unknown; titles: string[] } => {
    const json = JSON.stringify(card);
    const set = (JSON.parse(json) as { body: unknown[] }).body.flatMap(function all(n: unknown): Array<Record<string, unknown>> {
      if (!n || typeof n !== 'object') return [];
      const o = n as Record<string, unknown>;
      return [...(o.id === 'savedCard' ? [o] : []), ...Object.values(o).flatMap(all)];
    })[0] as { value: unknown; choices: Array<{ title: string; value: string }> };
    return { value: set.value, titles: set.choices.map((c) => c.title) };
  };

  test("the declined card isn't preselected; a new card that pays becomes the subscription's card, so the next forms offer it", async () => {
    const clipchamp = (await bot.app.deps.uow.read((x) => x.subscriptions.purchasedBy(DEMO_TENANT_ID, DEMO_USERS.megan.id))).find(
      ({ subscription: s }) => s.productId === 'CFQ7TTC0N8SS',
    )!.subscription;
    expect(clipchamp.card?.last4).toBe('9995');
    const form = await bot.say('megan', 'pay');
    const choice = cardChoice(form.cards[0]);
    expect(choice.titles.some((t) => t.includes('9995'))).toBe(true);
    expect(choice.value).not.toBe(clipchamp.id);
    // Megan's buy form doesn't default to the card that was declined either.
    expect(cardChoice((await bot.say('megan', 'buy visio plan 2')).cards[0]).value).not.toBe(clipchamp.id);

    const pay = actionOf(form.cards[0], /^Pay \$/)!;
    const paid = await bot.invoke('megan', pay.verb, { ...pay.data, ...VISA, savedCard: 'new', cardNumber: '5555 5555 5555 4444' });
    expect(paid.text).toMatch(/Paid \$[\d.]+\. Thank you\. Mastercard ending 4444 is now this subscription's card: its renewals use it\./);
    const after = (await bot.app.deps.uow.read((x) => x.subscriptions.get(DEMO_TENANT_ID, clipchamp.id)))!;
    expect(after.card?.last4).toBe('4444');
    const buyForm = (await bot.say('megan', 'buy visio plan 2')).cards[0];
    const buy = cardChoice(buyForm);
    expect(buy.titles.some((t) => t.includes('9995'))).toBe(false);
    expect(buy.titles.some((t) => t.includes('4444'))).toBe(true);
    // A card typed on the form is the one charged, whatever "Pay with" was left on.
    const press = actionOf(buyForm, 'Buy')!;
    expect(buy.value).not.toBe('new');
    const bought = await bot.invoke('megan', press.verb, {
      ...press.data,
      quantity: 1,
      billingFrequency: 'Monthly',
      savedCard: buy.value,
      ...VISA,
      cardNumber: '3782 822463 10005',
    });
    expect(bought.text).toMatch(/Visio Plan 2/);
    const visio = (await bot.app.deps.uow.read((x) => x.subscriptions.purchasedBy(DEMO_TENANT_ID, DEMO_USERS.megan.id))).find(
      ({ subscription: s }) => s.productId !== clipchamp.productId && s.card?.last4 === '0005',
    );
    expect(visio).toBeDefined();
  });
});

describe('people that are not found', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  });
  afterAll(() => bot.close());

  test('a misspelt name asks "did you mean" with the close names, and the button assigns; an email is told as an email', async () => {
    const typo = await bot.say('megan', 'assign power bi pro to Adel Vanse');
    expect(typo.replies[0]).toMatch(/Did you mean…\?[\s\S]*Nobody in your organization is called "Adel Vanse"[\s\S]*Adele Vance[\s\S]*adelev@example\.com/);
    const pick = actionOf(typo.cards[0], 'This person')!;
    expect((await bot.invoke('megan', pick.verb, pick.data)).text).toMatch(/Done: Adele Vance has a license now/);
    // One word, one letter off.
    expect((await bot.say('megan', 'unassign power bi pro from Adelle')).replies[0]).toMatch(/Did you mean…\?[\s\S]*Adele Vance/);
    // Nothing close: the plain answer; an email that isn't there is said to be an email.
    expect((await bot.say('megan', 'assign power bi pro to Zed Nobody')).replies[0]).toMatch(
      /Nobody in your organization matches "Zed Nobody"\. Check the spelling, or use their email\./,
    );
    expect((await bot.say('megan', 'assign power bi pro to zed@example.com')).replies[0]).toMatch(
      /Nobody in your organization has the email "zed@example\.com"\. Check the address, or type their name\./,
    );
  });
});

describe('"Other" in your own words', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  });
  afterAll(() => bot.close());

  test('the cancel card has a box for them beside the reasons; what is typed there is the reason kept', async () => {
    const confirm = await bot.say('megan', 'cancel power bi pro');
    expect(JSON.stringify(confirm.cards[0])).toMatch(/"id":"reasonDetails"[^}]*"label":"If Other: in your words \(up to 200 characters\)"/);
    const cancel = actionOf(confirm.cards[0], 'Cancel subscription')!;
    const tooLong = await bot.invoke('megan', cancel.verb, { ...cancel.data, reason: 'Other', reasonDetails: 'x'.repeat(201) });
    expect(tooLong.text).toMatch(/Say why in at most 200 characters/);
    const done = await bot.invoke('megan', cancel.verb, { ...cancel.data, reason: 'Other', reasonDetails: 'Our team plan covers it now' });
    expect(done.text).toMatch(/Cancelled\. You won't be charged again\./);
    const s = await bot.app.deps.uow.read((r) => r.subscriptions.get(DEMO_TENANT_ID, String(cancel.data.subscriptionId)));
    expect(s?.cancelReason).toBe('Other: Our team plan covers it now');
  });
});

describe('admin buttons answer on the card they were pressed on', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await startBot({ OUTBOX_INTERVAL_MS: '0' });
  });
  afterAll(() => bot.close());

  test('Disable product and Acknowledge on the Details card (from the purchases list) keep it a Details card with its way back', async () => {
    const s = (await bot.app.deps.uow.read((r) => r.subscriptions.listByPurchaser(DEMO_TENANT_ID, DEMO_USERS.megan.id))).find((x) => x.productId === 'CFQ7TTC0H9MP')!;
    const details = await bot.invoke('alex', VERBS.purchase, { subscriptionId: s.id }, 'channel');
    expect(details.text).not.toMatch(/New self-service purchase/);
    for (const title of ['Acknowledge', 'Disable product']) {
      const press = actionOf(details.card, title)!;
      const after = await bot.invoke('alex', press.verb, press.data, 'channel');
      expect(after.text).not.toMatch(/New self-service purchase/);
      expect(actionOf(after.card, 'Back to purchases')).not.toBeNull();
    }
  });
});
