import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page, Request, WebSocketRoute } from 'playwright-core';

// Shared with the card gallery (scripts/cards-gallery.ts); re-exported so the tests keep one import.
export { CHROMIUM_ARGS, CHROMIUM_PATH, ensureChromium, launchBrowser } from '../../scripts/chromium';

/**
 * Drives the Microsoft 365 Agents Playground (`@microsoft/m365agentsplayground`) in headless Chromium
 * with playwright-core: start a Playground for a persona file against a bot endpoint, open its UI, and
 * talk to the bot as that persona in the personal chat or a team channel, Adaptive Cards included.
 *
 *   const browser = await launchBrowser();
 *   const pg = await startPlayground({ browser, botEndpoint: `${botUrl}/api/messages`, configPath: ADMIN_CONFIG });
 *   await pg.say('help', /catalog/);                       // personal chat: send, wait for the reply
 *   await pg.openChannel('Billing admins');
 *   await pg.post('use this channel');                     // "@Purchases use this channel" as a new post
 *   await pg.waitForBotMessage(/notifications/);
 *   const card = await pg.waitForCard('Buy Power BI Pro');
 *   await pg.pickCardChoice(card, 'Licenses', '5');
 *   await pg.clickCardButton(card, 'Buy');
 *   await pg.close(); await browser.close();
 *
 * Waiting is relative to a mark: every action (send, post, reply, click, open) first records the bot
 * messages and cards on screen, and `waitForBotMessage` / `waitForCard` look only at what appeared or
 * changed since then (a card updated in place counts as new). For a proactive message, call `mark()`
 * before triggering it and pass `{ since }`, or rely on the mark of the last action.
 */

const ROOT = path.resolve(__dirname, '../..');
export const ADMIN_CONFIG = path.join(ROOT, '.m365agentsplayground.yml');
export const PURCHASER_CONFIG = path.join(ROOT, '.m365agentsplayground.purchaser.yml');
const PLAYGROUND_CLI = path.join(ROOT, 'node_modules/@microsoft/m365agentsplayground/cli.js');
/** Screenshots and HTML of failed waits, and explicit `screenshot()` calls (gitignored). */
export const ARTIFACTS_DIR = path.join(ROOT, '.tmp/e2e');

/** A TCP port nobody listens on right now (the Playground falls back to a random port anyway). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

export interface PlaygroundOptions {
  browser: Browser;
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  botEndpoint: string;
  /** Persona file (.m365agentsplayground.yml format); default: the admin one. */
  configPath?: string;
  /** Port for the Playground; default a free one. If taken, the Playground picks another (see `port`). */
  port?: number;
  /** Used in screenshots' names and error messages; default: the current user's first name. */
  name?: string;
  /** Default time limit for waits, in ms (15 s). */
  timeoutMs?: number;
  /** Open the UI right away (default true). */
  open?: boolean;
}

export type TextMatch = string | RegExp;

export interface Mark {
  view: string;
  messages: string[];
  cards: string[];
}

export interface WaitOptions {
  /** Look at what is new since this mark; 'any' accepts what is already on screen. Default: the last action's mark. */
  since?: Mark | 'any';
  timeoutMs?: number;
}

export interface SendOptions {
  /** Start the message with an @mention of the bot. Default: true in a channel, false in a chat. */
  mentionBot?: boolean;
}

/** Who the persona file says is who. */
export interface PersonaFile {
  botName: string;
  currentUser: string;
  users: string[];
  teamName: string;
  channels: string[];
  groupChatName: string;
}

/** Reads the few values the driver needs from a persona file (a fixed, simple YAML layout). */
export const readPersonaFile = (file: string): PersonaFile => {
  const text = readFileSync(file, 'utf8');
  const section = (name: string): string => {
    const m = new RegExp(`^${name}:[^\\n]*\\n((?:[ \\t]+[^\\n]*\\n?|\\s*\\n)*)`, 'm').exec(text);
    return m ? m[1] : '';
  };
  const unquote = (v: string) => v.trim().replace(/^(["'])(.*)\1$/, '$2');
  const first = (block: string, key: string) => {
    const m = new RegExp(`^\\s*(?:- )?${key}:\\s*(.+)$`, 'm').exec(block);
    return m ? unquote(m[1]) : '';
  };
  const all = (block: string, key: string) => [...block.matchAll(new RegExp(`^\\s*(?:- )?${key}:\\s*(.+)$`, 'gm'))].map((m) => unquote(m[1]));
  const team = section('team');
  const channelsBlock = team.slice(team.search(/^\s*channels:/m) + 1);
  return {
    botName: first(section('bot'), 'name'),
    currentUser: first(section('currentUser'), 'name'),
    users: all(section('users'), 'name'),
    teamName: first(team.split(/^\s*channels:/m)[0], 'name'),
    channels: ['General', ...all(channelsBlock, 'name')],
    groupChatName: first(section('groupChat'), 'name'),
  };
};

const normalize = (s: string) => s.replace(/\s+/g, ' ').trim();
const matches = (text: string, m: TextMatch) => (typeof m === 'string' ? normalize(text).toLowerCase().includes(normalize(m).toLowerCase()) : m.test(text));
const exactly = (s: string) => new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'i');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const xpathLiteral = (s: string) => (!s.includes('"') ? `"${s}"` : !s.includes("'") ? `'${s}'` : `concat("${s.replace(/"/g, '", \'"\', "')}")`);

/** Indices of `after` not matched by a longest common subsequence with `before`: what appeared or changed. */
export const newIndices = (before: string[], after: string[]): number[] => {
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const kept = new Set<number>();
  for (let i = 0, j = 0; i < n && j < m;) {
    if (before[i] === after[j]) {
      kept.add(j);
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) i++;
    else j++;
  }
  return after.map((_, j) => j).filter((j) => !kept.has(j));
};

const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((c) => c.kill('SIGKILL')));

interface Spawned {
  child: ChildProcess;
  port: number;
  output: () => string;
  dir: string;
}

const spawnPlayground = async (botEndpoint: string, configPath: string, port: number): Promise<Spawned> => {
  // Its own working directory: the Playground writes devTools/ and its log relative to it.
  const dir = mkdtempSync(path.join(tmpdir(), 'agents-playground-'));
  const child = spawn(process.execPath, [PLAYGROUND_CLI, '-e', botEndpoint, '-c', 'msteams', '-p', String(port), '--disable-telemetry'], {
    cwd: dir,
    env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath, M365_AGENTS_PLAYGROUND_LOGFILE: path.join(dir, 'playground.log') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const actual = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Agents Playground did not start within 30 s:\n${out}`));
    }, 30_000);
    const check = () => {
      const m = /Listening on (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Agents Playground exited (${code}) before listening:\n${out}`));
    });
  });
  return { child, port: actual, output: () => out, dir };
};

/** Starts a Playground for one persona file against a bot, and (by default) opens its UI. */
export const startPlayground = async (options: PlaygroundOptions): Promise<Playground> => {
  const configPath = options.configPath ?? ADMIN_CONFIG;
  const persona = readPersonaFile(configPath);
  const spawned = await spawnPlayground(options.botEndpoint, configPath, options.port ?? (await freePort()));
  const pg = new Playground(options.browser, spawned, persona, options.name ?? persona.currentUser.split(' ')[0], options.timeoutMs ?? 15_000);
  if (options.open ?? true) {
    try {
      await pg.open();
    } catch (e) {
      await pg.close();
      throw e;
    }
  }
  return pg;
};

export class Playground {
  readonly port: number;
  /** The UI, e.g. http://127.0.0.1:56150. */
  readonly url: string;
  /** What the Playground puts in activities' serviceUrl: where the bot sends replies and proactive messages. */
  readonly serviceUrl: string;
  private context: BrowserContext | null = null;
  private currentPage: Page | null = null;
  private lastMark: Mark | null = null;
  private shots = 0;
  /** Messages the page sent that the Playground has not answered yet, and bot activities held meanwhile. */
  private sending = 0;
  private held: Array<{ ws: WebSocketRoute; message: string | Buffer }> = [];
  /** Errors the Playground's UI logged ("Saga error ..."): a dropped activity shows up here. */
  readonly uiErrors: string[] = [];
  /** The conversation on screen: "Personal Chat", the group chat's name, or "<team> - <channel>". */
  view = '';

  constructor(
    private readonly browser: Browser,
    private readonly spawned: Spawned,
    readonly persona: PersonaFile,
    readonly name: string,
    readonly timeoutMs: number,
  ) {
    this.port = spawned.port;
    this.url = `http://127.0.0.1:${spawned.port}`;
    this.serviceUrl = `http://localhost:${spawned.port}/_connector`;
  }

  get page(): Page {
    if (!this.currentPage) throw new Error(`${this.name}'s Playground page is not open (call open())`);
    return this.currentPage;
  }

  get botName(): string {
    return this.persona.botName;
  }

  /** The Playground's own stdout/stderr so far. */
  get processOutput(): string {
    return this.spawned.output();
  }

  /**
   * Opens (or reloads) the UI: the Playground starts every page load with empty conversations and sends
   * the bot installationUpdate + conversationUpdate for the personal chat; the personal chat is shown.
   */
  async open(): Promise<void> {
    if (!this.context) {
      this.context = await this.browser.newContext({ viewport: { width: 1400, height: 1000 } });
      this.context.setDefaultTimeout(this.timeoutMs);
      // The UI asks a CDN for Segoe UI fonts: refuse anything not local so that DNS never matters.
      await this.context.route(/^[a-z]+:\/\/(?!(?:127\.0\.0\.1|localhost)[:/])/i, (route) => route.abort());
      await this.holdBotActivitiesWhileSending(this.context);
    }
    if (!this.currentPage) {
      this.currentPage = await this.context.newPage();
      this.currentPage.on('console', (m) => {
        if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) this.uiErrors.push(m.text().split('\n')[0]);
      });
      this.currentPage.on('pageerror', (e) => this.uiErrors.push(e.message));
    }
    // The UI is one 9 MB script: on a busy machine it takes a while to start.
    const loadTimeout = Math.max(this.timeoutMs, 60_000);
    await this.page.goto(this.url, { waitUntil: 'domcontentloaded', timeout: loadTimeout });
    await this.page.locator('[role=treeitem][aria-label="Personal Chat"]').waitFor({ timeout: loadTimeout });
    await this.waitForLog(/Connected\./, loadTimeout);
    this.view = 'Personal Chat';
    await this.settle();
    this.lastMark = await this.mark();
  }

  /**
   * Works around a race in the Playground's UI: it adds a new channel post (or chat message) to its
   * store only when the HTTP call that sent it returns, but the bot's reply arrives on a WebSocket and
   * can come first, and then the UI drops it ("Saga error: Invalid conversation id ...;messageid=...").
   * Real bots reply within milliseconds, so this happens on busy machines. The driver holds the
   * Playground's conversation stream while a message the page sent is unanswered, then lets it through.
   */
  private async holdBotActivitiesWhileSending(context: BrowserContext): Promise<void> {
    const isSend = (r: Request) => r.method() === 'POST' && /\/_conversation\/v1\/conversations\/[^/]+\/messages$/.test(new URL(r.url()).pathname);
    await context.routeWebSocket(/\/_ws_conversation\//, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        if (this.sending > 0 || this.held.length) this.held.push({ ws, message });
        else ws.send(message);
      });
    });
    context.on('request', (r) => {
      if (isSend(r)) this.sending++;
    });
    const done = (r: Request) => {
      if (!isSend(r)) return;
      // Let the page handle the response (a round trip through its event loop) before the held activities.
      void (this.currentPage?.evaluate(() => new Promise((resolve) => setTimeout(resolve, 50))) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => {
          this.sending = Math.max(0, this.sending - 1);
          if (this.sending > 0) return;
          for (const { ws, message } of this.held.splice(0)) {
            try {
              ws.send(message);
            } catch {
              // that page is gone
            }
          }
        });
    };
    context.on('requestfinished', done);
    context.on('requestfailed', done);
  }

  // ---- navigation -------------------------------------------------------------------------------

  async openPersonalChat(): Promise<void> {
    await this.openView('Personal Chat');
  }

  async openGroupChat(): Promise<void> {
    await this.openView(this.persona.groupChatName);
  }

  /** Opens a channel of the team ("General" or the persona file's channel, e.g. "Billing admins"). */
  async openChannel(channel: string): Promise<void> {
    await this.openView(`${this.persona.teamName} - ${channel}`);
  }

  private async openView(label: string): Promise<void> {
    await this.page.locator(`[role=treeitem][aria-label=${JSON.stringify(label)}]`).click();
    this.view = label;
    if (this.inChannel) await this.newPostComposer.waitFor();
    else await this.page.locator('[data-lexical-editor="true"][role="textbox"]').first().waitFor();
    await this.settle();
    this.lastMark = await this.mark();
  }

  private get inChannel(): boolean {
    return this.view.startsWith(`${this.persona.teamName} - `);
  }

  // ---- sending ------------------------------------------------------------------------------------

  /**
   * Types a message in the open chat (personal or group) and presses Enter. `@{Name}` anywhere in the
   * text becomes a real @mention picked from the Playground's mention menu (`@{Purchases}`, `@{Megan Bowen}`).
   */
  async send(text: string, options: SendOptions = {}): Promise<void> {
    if (this.inChannel) throw new Error(`send() is for chats; in a channel use post() or reply() (${this.view} is open)`);
    this.lastMark = await this.mark();
    const editor = this.page.locator('[data-lexical-editor="true"][role="textbox"]').first();
    await this.typeInto(editor, options.mentionBot ? `@{${this.botName}} ${text}` : text);
    await this.page.keyboard.press('Enter');
  }

  /** Starts a new post in the open channel, by default beginning with an @mention of the bot. */
  async post(text: string, options: SendOptions = {}): Promise<void> {
    if (!this.inChannel) throw new Error(`post() needs a channel open (${this.view} is open): call openChannel() first`);
    this.lastMark = await this.mark();
    await this.typeInto(this.newPostComposer, (options.mentionBot ?? true) ? `@{${this.botName}} ${text}` : text);
    await this.page.keyboard.press('Enter');
  }

  /** Replies in the thread of the newest channel post containing `postText` (with an @mention of the bot by default). */
  async reply(postText: TextMatch, text: string, options: SendOptions = {}): Promise<void> {
    if (!this.inChannel) throw new Error(`reply() needs a channel open (${this.view} is open)`);
    this.lastMark = await this.mark();
    const post = this.posts().filter({ hasText: postText }).first();
    await this.typeInto(post.locator('.fui-CardFooter [role="textbox"][contenteditable="true"]'), (options.mentionBot ?? true) ? `@{${this.botName}} ${text}` : text);
    await this.page.keyboard.press('Enter');
  }

  /** Sends (chat) or posts (channel) and waits for a new bot message matching `expect` (default: any). */
  async say(text: string, expect: TextMatch = /\S/, options: { timeoutMs?: number } = {}): Promise<Locator> {
    if (this.inChannel) await this.post(text);
    else await this.send(text);
    return this.waitForBotMessage(expect, options);
  }

  private get newPostComposer(): Locator {
    // The first card of a channel is "Start a new post" with its Post button.
    return this.page
      .locator('.fui-Card[role="group"]')
      .filter({ has: this.page.getByRole('button', { name: 'Post', exact: true }) })
      .first()
      .locator('[role="textbox"][contenteditable="true"]');
  }

  private async typeInto(editor: Locator, text: string): Promise<void> {
    await editor.click();
    for (const part of text.split(/(@\{[^}]+\})/)) {
      const mention = /^@\{([^}]+)\}$/.exec(part);
      if (!mention) {
        if (part) await this.page.keyboard.type(part);
        continue;
      }
      await this.page.keyboard.type('@');
      const item = this.page.locator('[role="menu"] [role="menuitem"]').filter({ has: this.page.locator('.fui-Text', { hasText: exactly(mention[1]) }) });
      await item.first().click();
    }
  }

  // ---- waiting ------------------------------------------------------------------------------------

  /** Every bot message on screen: chat messages, channel posts by the bot, and bot replies in threads. */
  botMessages(): Locator {
    const avatar = `.fui-Avatar[aria-label=${JSON.stringify(this.botName)}]`;
    return this.page.locator(`div:has(> div > ${avatar}), .fui-Card[role="group"]:has(> .fui-CardHeader ${avatar})`);
  }

  /** Adaptive Cards on screen. */
  cards(): Locator {
    return this.page.locator('.ac-adaptiveCard');
  }

  /** Channel posts (newest first), without the "Start a new post" composer. */
  posts(): Locator {
    return this.page.locator('.fui-Card[role="group"]:has(> .fui-CardHeader)').filter({ hasNot: this.page.getByRole('button', { name: 'Post', exact: true }) });
  }

  /** What is on screen now, to wait for what comes after it. */
  async mark(): Promise<Mark> {
    return { view: this.view, messages: (await this.botMessages().allInnerTexts()).map(normalize), cards: (await this.cards().allInnerTexts()).map(normalize) };
  }

  /** Waits for a bot message (text or card) matching `match` that is new since the mark; returns it. */
  async waitForBotMessage(match: TextMatch, options: WaitOptions = {}): Promise<Locator> {
    return this.waitForNew('messages', this.botMessages(), match, options);
  }

  /** Waits for an Adaptive Card whose text matches `match`, new or changed since the mark; returns the card. */
  async waitForCard(match: TextMatch, options: WaitOptions = {}): Promise<Locator> {
    return this.waitForNew('cards', this.cards(), match, options);
  }

  private async waitForNew(kind: 'messages' | 'cards', all: Locator, match: TextMatch, options: WaitOptions): Promise<Locator> {
    const since = options.since ?? this.lastMark;
    const before = since === 'any' || !since || since.view !== this.view ? [] : since[kind];
    const deadline = Date.now() + (options.timeoutMs ?? this.timeoutMs);
    let texts: string[] = [];
    for (;;) {
      texts = (await all.allInnerTexts()).map(normalize);
      const hit = newIndices(before, texts).find((i) => matches(texts[i], match));
      if (hit !== undefined) return all.nth(hit);
      if (Date.now() > deadline) break;
      await sleep(150);
    }
    const shot = await this.screenshot(`timeout-${kind}`).catch(() => '(no screenshot)');
    throw new Error(
      `${this.name}: no new ${kind === 'cards' ? 'Adaptive Card' : 'bot message'} matching ${String(match)} in "${this.view}" within ${options.timeoutMs ?? this.timeoutMs} ms.\n` +
        `On screen (${texts.length}):\n${texts.map((t) => `  - ${t.slice(0, 200)}`).join('\n') || '  (none)'}\n` +
        `Playground log (last lines):\n${(await this.logPanel().catch(() => []))
          .slice(-8)
          .map((l) => `  ${l.slice(0, 200)}`)
          .join('\n')}\n` +
        (this.uiErrors.length
          ? `Playground UI errors:\n${this.uiErrors
              .slice(-5)
              .map((e) => `  ${e.slice(0, 300)}`)
              .join('\n')}\n`
          : '') +
        `Screenshot: ${shot}`,
    );
  }

  /** Waits until the bot messages on screen stop changing for `quietMs`. */
  async settle(quietMs = 600, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    let since = Date.now();
    while (Date.now() < deadline) {
      const now = (await this.botMessages().allInnerTexts()).join('\u0000');
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return;
      await sleep(100);
    }
  }

  /** The Playground's log panel, one entry per line ("[6:39:09 PM] Microsoft 365 Agents Playground -> User Application message 200 help"). */
  async logPanel(): Promise<string[]> {
    const entries = await this.page.locator('div[contenteditable="true"][spellcheck="false"] > div').allInnerTexts();
    return entries.map(normalize).filter(Boolean);
  }

  /** Log panel entries for calls that failed (a status of 400 or more), e.g. the bot answering 500. */
  async failedCalls(): Promise<string[]> {
    return (await this.logPanel()).filter((l) => /->\s*(?:User Application|Microsoft 365 Agents Playground)\s+\w+\s+[45]\d\d\b/.test(l));
  }

  private async waitForLog(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.logPanel()).some((l) => pattern.test(l))) return;
      await sleep(100);
    }
    throw new Error(`${this.name}: the Playground log never showed ${pattern} (is the bot at the endpoint up?):\n${(await this.logPanel()).join('\n')}`);
  }

  // ---- Adaptive Cards -----------------------------------------------------------------------------

  /** Clicks an action button (Action.Submit / Execute / ShowCard / OpenUrl) by its title. */
  async clickCardButton(card: Locator, title: string): Promise<void> {
    this.lastMark = await this.mark();
    const button = card.getByRole('button', { name: title, exact: true }).or(card.getByRole('link', { name: title, exact: true }));
    await button.first().click();
  }

  /** The `.ac-input-container` of the input whose label is `label` (or, without a label, whose placeholder/aria-label is). */
  cardInput(card: Locator, label: string): Locator {
    const lit = xpathLiteral(label);
    const litStar = xpathLiteral(`${label} *`);
    const byLabel = card.locator(
      `xpath=.//label[contains(concat(" ", @class, " "), " ac-richTextBlock ")][normalize-space(.)=${lit} or normalize-space(.)=${litStar} or normalize-space(.)=${xpathLiteral(`${label}*`)}]/following-sibling::div[contains(concat(" ", @class, " "), " ac-input-container ")][1]`,
    );
    const byPlaceholder = card.locator('.ac-input-container').filter({ has: this.page.locator(`[placeholder=${JSON.stringify(label)}], [aria-label=${JSON.stringify(label)}]`) });
    return byLabel.or(byPlaceholder).first();
  }

  /** Types into an Input.Text (or Input.Number / Date / Time) found by its label or placeholder. */
  async fillCardText(card: Locator, label: string, value: string): Promise<void> {
    const input = this.cardInput(card, label).locator('textarea, input:not([type="radio"]):not([type="checkbox"]):not([role="combobox"])').first();
    await input.fill(value);
  }

  /**
   * Picks a choice of an Input.ChoiceSet found by its label: a compact set is a Fluent combobox (opened,
   * then the option clicked), an expanded one radio buttons, a multi-select one checkboxes (ticked).
   * `choice` is the choice's title as shown.
   */
  async pickCardChoice(card: Locator, label: string, choice: string): Promise<void> {
    const container = this.cardInput(card, label);
    const combo = container.locator('[role="combobox"]');
    if (await combo.count()) {
      await combo.first().click();
      const option = this.page.locator('[role="listbox"] [role="option"]:visible').filter({ hasText: exactly(choice) });
      await option.first().click();
      // A single choice closes the list; a multi-select one stays open until Escape.
      if (await this.page.locator('.fui-Combobox__listbox:visible').count()) await this.page.keyboard.press('Escape');
      return;
    }
    // Expanded: Fluent radios or checkboxes, each an input next to its label (their accessible names
    // also include the set's label, so they are found by the label's text).
    const option = this.choiceInput(container, choice);
    if (await option.count()) return option.check();
    throw new Error(`${this.name}: "${label}" has no choice "${choice}" (choices: ${(await container.innerText()).replace(/\s+/g, ' ')})`);
  }

  /** Sets an Input.Toggle, found by its title. */
  async setCardToggle(card: Locator, title: string, on: boolean): Promise<void> {
    await this.choiceInput(card, title).setChecked(on);
  }

  private choiceInput(scope: Locator, text: string): Locator {
    return scope
      .locator('.fui-Radio, .fui-Checkbox')
      .filter({ has: this.page.locator('label', { hasText: exactly(text) }) })
      .locator('input')
      .first();
  }

  /** The value an input shows now (the choice's title for a compact ChoiceSet). */
  async cardInputValue(card: Locator, label: string): Promise<string> {
    const container = this.cardInput(card, label);
    const checked = container.locator('input[type="radio"]:checked, input[type="checkbox"]:checked');
    if (await checked.count())
      return (await checked.evaluateAll((els) => els.map((e) => e.parentElement?.querySelector('label')?.textContent ?? (e as unknown as { value: string }).value))).join(',');
    return container.locator('textarea, input').first().inputValue();
  }

  // ---- debugging and cleanup ----------------------------------------------------------------------

  /** Saves a full-page PNG (and the HTML next to it) under .tmp/e2e/; returns the PNG's path. */
  async screenshot(label: string): Promise<string> {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const base = path.join(ARTIFACTS_DIR, `${this.name}-${++this.shots}-${label}`.replace(/[^\w.-]+/g, '_'));
    await this.page.screenshot({ path: `${base}.png`, fullPage: true });
    writeFileSync(`${base}.html`, await this.page.content());
    return `${base}.png`;
  }

  /** Closes the page and stops the Playground process. */
  async close(): Promise<void> {
    await this.context?.close().catch(() => undefined);
    this.context = null;
    this.currentPage = null;
    const { child, dir } = this.spawned;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
