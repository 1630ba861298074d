/**
 * The Playground driver's own test, against a tiny echo bot (so it does not depend on the product's
 * commands or cards): chat, channel posts with a real @mention, thread replies, and every Adaptive Card
 * helper (Input.Text, compact / expanded / multi-select ChoiceSet, Toggle, Action.Submit, Action.Execute
 * answered with a replacement card).
 */
import type { Browser, Route } from 'playwright-core';
import { startEchoBot, stable, type EchoBot } from './echo-bot';
import { ensureChromium, launchBrowser, newIndices, readPersonaFile, ADMIN_CONFIG, PURCHASER_CONFIG, startPlayground, type Playground } from './playground-driver';

jest.setTimeout(60_000);

test('newIndices: what appeared or changed between two lists', () => {
  expect(newIndices(['a', 'b'], ['a', 'b', 'c'])).toEqual([2]); // appended (chat)
  expect(newIndices(['a', 'b'], ['c', 'a', 'b'])).toEqual([0]); // prepended (channel post)
  expect(newIndices(['a', 'b', 'c'], ['a', 'B', 'c'])).toEqual([1]); // changed in place (card update)
  expect(newIndices(['a'], ['a', 'a'])).toHaveLength(1);
  expect(newIndices([], ['x'])).toEqual([0]);
});

test('the persona files: same tenant and people, two current users', () => {
  const admin = readPersonaFile(ADMIN_CONFIG);
  const purchaser = readPersonaFile(PURCHASER_CONFIG);
  expect(admin).toMatchObject({ botName: 'Purchases', currentUser: 'Alex Wilber', teamName: 'My Team', channels: ['General', 'Billing admins'] });
  expect(purchaser.currentUser).toBe('Megan Bowen');
  expect(admin.users).toHaveLength(5);
  expect([admin.currentUser, ...admin.users].sort()).toEqual([purchaser.currentUser, ...purchaser.users].sort());
});

const e2e = process.env.E2E === '0' ? describe.skip : describe;

e2e('Playground driver (echo bot)', () => {
  let bot: EchoBot;
  let browser: Browser;
  let pg: Playground;

  beforeAll(async () => {
    await ensureChromium();
    bot = await startEchoBot();
    browser = await launchBrowser();
    pg = await startPlayground({ browser, botEndpoint: bot.endpoint });
  }, 15 * 60_000);

  afterAll(async () => {
    await pg?.close();
    await browser?.close();
    await bot?.close();
  });

  test('personal chat: send and wait for the reply', async () => {
    const reply = await pg.say('hello there', 'echo: hello there');
    expect(await reply.innerText()).toContain('echo: hello there');
    const last = bot.received.filter((a) => a.type === 'message').pop()!;
    expect(last.conversation?.conversationType).toBe('personal');
    expect(last.from?.aadObjectId).toBe('00000000-0000-0000-0000-0000000000020');
    expect(last.serviceUrl).toBe(pg.serviceUrl);
  });

  test('Adaptive Card: text, choices, toggle, then Action.Submit', async () => {
    await pg.send('card');
    const card = await pg.waitForCard('Echo form');
    await pg.fillCardText(card, 'Note', 'hello note');
    await pg.fillCardText(card, 'Comment', 'by placeholder');
    await pg.pickCardChoice(card, 'Quantity', 'Five');
    await pg.pickCardChoice(card, 'Billing', 'Annual');
    await pg.pickCardChoice(card, 'Extras', 'Training');
    await pg.setCardToggle(card, 'I agree', true);
    expect(await pg.cardInputValue(card, 'Quantity')).toBe('Five');
    expect(await pg.cardInputValue(card, 'Billing')).toBe('Annual');
    await pg.clickCardButton(card, 'Send');
    await pg.waitForBotMessage('submitted');
    const submitted = bot.received.filter((a) => a.type === 'message' && a.value).pop()!;
    expect(stable(submitted.value)).toBe(stable({ verb: 'send', note: 'hello note', comment: 'by placeholder', qty: '5', freq: 'Annual', extras: 'training', agree: 'true' }));
  });

  test('Adaptive Card: Action.Execute answered with a card replaces the card in place', async () => {
    const card = await pg.waitForCard('Echo form', { since: 'any' });
    await pg.clickCardButton(card, 'Refresh');
    const updated = await pg.waitForCard('Executed');
    expect(await updated.innerText()).toContain('"from":"execute"');
    expect(bot.received.some((a) => a.type === 'invoke' && a.name === 'adaptiveCard/action')).toBe(true);
  });

  test('channel: a post that @mentions the bot, and a reply in its thread', async () => {
    await pg.openChannel('General');
    await pg.post('ping');
    await pg.waitForBotMessage('echo: ping');
    const post = bot.received.filter((a) => a.type === 'message').pop()!;
    expect(post.conversation?.conversationType).toBe('channel');
    expect(post.text).toMatch(/^<at>Purchases<\/at> ping/);
    expect(post.entities?.some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === post.recipient?.id)).toBe(true);

    await pg.reply('ping', 'pong');
    await pg.waitForBotMessage('echo: pong');
    // The thread's reply travels in the post's conversation ("<channel>;messageid=<post>").
    const reply = bot.received.filter((a) => a.type === 'message').pop()!;
    expect(reply.conversation?.id).toContain(';messageid=');
  });

  test("a bot reply that overtakes the Playground's answer to a new post is not dropped", async () => {
    // The Playground UI adds a post when its HTTP call returns; a reply arriving first used to vanish.
    // Delay that answer on purpose: the driver holds the bot's activities until the page has it.
    const sendMessage = /\/_conversation\/v1\/conversations\/[^/]+\/messages$/;
    const slow = async (route: Route) => {
      const response = await route.fetch();
      await new Promise((r) => setTimeout(r, 400));
      await route.fulfill({ response });
    };
    await pg.openChannel('General');
    await pg.page.context().route(sendMessage, slow);
    try {
      await pg.post('race');
      await pg.waitForBotMessage('echo: race');
      expect(pg.uiErrors.filter((e) => /Invalid conversation id/.test(e))).toEqual([]);
    } finally {
      await pg.page.context().unroute(sendMessage, slow);
    }
  });

  test('a proactive message to the channel shows up as a new post', async () => {
    const reference = bot.references.get('19:my-team@thread.tacv2');
    expect(reference).toBeDefined();
    const mark = await pg.mark();
    await bot.adapter.continueConversationAsync('', reference!, async (context) => {
      await context.sendActivity('proactive post');
    });
    const post = await pg.waitForBotMessage('proactive post', { since: mark });
    expect(await post.innerText()).toContain('proactive post');
    expect(await pg.failedCalls()).toEqual([]);
  });
});
