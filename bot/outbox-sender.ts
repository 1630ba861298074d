import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { WAITING_FOR_CHAT, type ClaimedNotification, type InDoubtPolicy } from '../prisma/outbox-queue';
import type { Logger } from './logger';
import { ADMIN_CHANNEL_KEY, oneOnOneParameters, proactiveReference, refreshUserIds, userKey, type ConversationStore, type TeamsAccount } from './conversations';
import { notificationActivity, notificationText } from './notification-text';
import { RateLimiter, TEAMS_CONVERSATION_WINDOWS, type Window } from './rate-limiter';
import { NOT_SENT, watchingTheWire } from './adapter';

export interface OutboxQueue {
  claim(now: Date, limit: number, leaseMs: number, maxAttempts: number): Promise<ClaimedNotification[]>;
  beginSend(row: Pick<ClaimedNotification, 'id' | 'claimToken' | 'tenantId'>, now: Date, leaseMs: number): Promise<boolean>;
  markSent(id: string, at: Date, activityId?: string): Promise<void>;
  markFailed(id: string, error: string, retryAt: Date | null, maxAttempts: number, claimToken: string): Promise<void>;
  markInDoubt(row: Pick<ClaimedNotification, 'id' | 'claimToken'>, error: string, policy: InDoubtPolicy, retryAt: Date, maxAttempts: number): Promise<void>;
  /** Failed for good, the person out of reach: with an admin audit entry naming who was not told `what`, and why. */
  markUnreachable(row: ClaimedNotification, error: string, what: string, maxAttempts: number, at: Date): Promise<void>;
  markWaiting(row: Pick<ClaimedNotification, 'id' | 'claimToken' | 'waitingSince'>, error: string, retryAt: Date, now: Date): Promise<void>;
  release(rows: ReadonlyArray<Pick<ClaimedNotification, 'id' | 'claimToken'>>, now: Date): Promise<number>;
  /** Whether this sender still holds the tenant (its lease renewed if so): several instances drain a tenant one at a time. */
  holdsTenant(tenantId: string, now: Date): Promise<boolean>;
  settleInDoubt(now: Date, policy: InDoubtPolicy, maxAttempts: number): Promise<string[]>;
  expand(parent: ClaimedNotification, userIds: readonly string[], newId: () => string, maxAttempts: number): Promise<void>;
}

export interface SenderOptions {
  perConversation: Window[];
  perTenant: Window[];
  batchSize: number;
  /** How long a claimed row is ours; a sender that dies mid-send gives it up after this. */
  leaseMs: number;
  maxAttempts: number;
  /** Conversations served at once (each conversation's messages stay in order). */
  concurrency: number;
  /** A send whose outcome is unknown (see InDoubtPolicy): not repeated (`hold`), or repeated (`resend`). */
  inDoubt: InDoubtPolicy;
  /**
   * How long a notification waits for a way to reach its person (their first message to the bot, or
   * Teams showing them) before it is given up as undelivered. Counted from its first wait (not from when
   * it was written: a notice written long before it is first tried still gets its week).
   */
  waitForChatMs: number;
}

export const DEFAULT_SENDER_OPTIONS: SenderOptions = {
  perConversation: TEAMS_CONVERSATION_WINDOWS,
  perTenant: [{ limit: 50, windowMs: 1_000 }],
  batchSize: 200,
  leaseMs: 60_000,
  maxAttempts: 8,
  // Enough requests in flight for the tenant's 50/s at a connector that answers in 300 ms (50 × 0.3 = 15);
  // a person's first message is two round trips (the chat started, then the message).
  concurrency: 16,
  inDoubt: 'hold',
  // A license, a payment that failed: still worth telling a week later, when they first open the bot.
  waitForChatMs: 7 * 24 * 3_600_000,
};

export interface SenderDeps {
  queue: OutboxQueue;
  conversations: ConversationStore;
  adapter: CloudAdapter;
  appId: string;
  logger: Logger;
  /**
   * Installs the app for someone Teams won't start a chat with (Microsoft Graph, bot/graph/) and
   * returns their chat's id; absent when Graph isn't configured.
   */
  installer?: { chatWith(tenantId: string, userId: string): Promise<string> };
  /** Admin user ids of a tenant, for admin notifications when no admin channel is set. */
  adminsOf(tenantId: string): Promise<string[]>;
  newId(): string;
  /** Wall-clock time (ms since the epoch): what is stored (sent, retry and lease times). */
  now?: () => number;
  /**
   * A monotonic clock (ms) for the rate windows: intervals, which a wall clock stepped or slewed by
   * time sync would get wrong, and finer than its whole milliseconds. Default performance.now(), or
   * `now` when only that is given (a test's fake time drives both).
   */
  ticks?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface SendFailure {
  statusCode?: number;
  retryAfterMs?: number;
  message: string;
}

const failureOf = (e: unknown): SendFailure => {
  const err = e as { statusCode?: number; response?: { status?: number; headers?: { get?(n: string): string | undefined } }; message?: string };
  const statusCode = err.statusCode ?? err.response?.status;
  const header = err.response?.headers?.get?.('retry-after');
  const seconds = header !== undefined ? Number(header) : NaN;
  return { statusCode, retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : undefined, message: err.message ?? String(e) };
};

/** Network errors that happen before a request is on the wire: nothing can have been delivered. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_INVALID_URL']);

/**
 * Did the connector perhaps receive this message? Only when a request to the connector's
 * conversations API got no HTTP answer at all (connection reset, timeout): an HTTP error status is a
 * definite "not delivered", and errors elsewhere (a token endpoint, our own code) mean no send happened.
 */
const outcomeUnknown = (e: unknown): boolean => {
  const err = e as { statusCode?: number; response?: { status?: number }; code?: string; request?: { url?: string } };
  if (err?.statusCode !== undefined || err?.response?.status !== undefined) return false;
  if (err?.code !== undefined && NEVER_SENT.has(err.code)) return false;
  return typeof err?.request?.url === 'string' && err.request.url.includes('/v3/conversations/');
};

/**
 * A request leaves without asking the database when the tenant's lease was renewed less than this
 * long ago (a claim, a send begun); later (a retry after Teams' Retry-After, a process that stalled)
 * it asks first (holdsTenant). Well inside the lease (15 s), so that machines' clocks a few seconds
 * apart still agree it is held.
 */
const RECHECK_LEASE_AFTER_MS = 2_000;

/** Exponential backoff from 5 s, capped at an hour, with jitter so retries don't arrive together. */
const backoffMs = (attempts: number): number => Math.min(3_600_000, 5_000 * 2 ** Math.max(0, attempts - 1)) * (0.8 + Math.random() * 0.4);

type SendOutcome = 'sent' | 'failed' | 'skipped' | 'stopped';

/** A batch's conversation references (by tenant and key) and, for people with none, their Teams accounts (by tenant and user). */
interface Prefetched {
  refs: Map<string, Partial<ConversationReference>>;
  accounts: Map<string, TeamsAccount>;
}

/**
 * Where a row goes: a stored conversation, or, for a person who never opened a 1:1 chat with the bot,
 * a new one started with the Bot Connector's create-conversation call (their Teams user id when Teams
 * has shown it to us, else their Entra object id; the service URL of their tenant's traffic).
 */
type Target = { ref: Partial<ConversationReference> } | { firstContact: { userId: string; memberId: string; serviceUrl: string } };

const conversationKeyOf = (row: ClaimedNotification, target: Target): string =>
  'ref' in target ? (target.ref.conversation?.id ?? '') : `first-contact\u0000${row.tenantId}\u0000${target.firstContact.userId}`;

/**
 * Drains the outbox into Teams within its rate limits. botbuilder's connector already retries 429
 * and 5xx a few times per send; this layer does not retry on top of it in a loop, it reschedules the
 * row (honouring Retry-After) and moves on.
 *
 * Delivery: each message is sent at most once by default. Right before a row's message goes out, the
 * sender commits that it is sending it (`beginSend`, which also proves the row is still its claim);
 * right after Teams answers, it commits the outcome. A sender that dies between the two leaves the
 * row "in doubt" (Teams may or may not have shown it; the Bot Connector offers no way to find out
 * or to send idempotently), and the next sender applies the `inDoubt` policy to it: `hold` (the
 * default) never repeats it and flags it IN_DOUBT, `resend` repeats it. Rows claimed but not begun
 * are sent normally after the lease; on `stop()` they are given back at once.
 */
export class OutboxSender {
  private readonly perConversation: RateLimiter;
  private readonly perTenant: RateLimiter;
  private readonly now: () => number;
  private readonly ticks: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<unknown> | null = null;
  private stopping = false;
  private readonly sleepers = new Set<() => void>();
  private readonly admins = new Map<string, Promise<string[]>>();
  /** Per tenant, when (ticks) this sender last knew it held the tenant's lease: renewed by a claim, a send begun, holdsTenant. */
  private readonly heldAt = new Map<string, number>();
  private readonly adminReaders = new Map<string, Promise<string[]>>();

  constructor(
    private readonly deps: SenderDeps,
    private readonly options: SenderOptions = DEFAULT_SENDER_OPTIONS,
  ) {
    this.perConversation = new RateLimiter(options.perConversation);
    // Teams counts a tenant's messages as they arrive, which is some time after they leave here: a fixed
    // allowance for delays on the way (20, then 40 ms) was outrun by a loaded machine (51 arrivals within
    // 978 ms at the three-instance test's stand-in). So each send's place in the windows is moved to when
    // its answer came back (send()), which is surely after the message arrived: the 51st send leaves at
    // least a window after the 1st was answered, so it arrives at least a window after the 1st arrived,
    // however the way there delays either. It costs one round trip per window (50 in 1 s + the answer
    // time). The tenant's sends are also spread evenly over the window instead of in a burst. The
    // windows are kept on a monotonic clock (ticks): on whole wall-clock milliseconds, which time sync
    // also nudges, the 51st arrived 998.2 ms after the 1st at that stand-in (which times arrivals on one).
    this.perTenant = new RateLimiter(options.perTenant, { spacingMs: Math.max(...options.perTenant.map((w) => w.windowMs / w.limit)) });
    this.now = deps.now ?? Date.now;
    this.ticks = deps.ticks ?? deps.now ?? (() => performance.now());
    this.sleep = deps.sleep ?? ((ms) => this.wakeableSleep(ms));
  }

  /** Claims and sends one batch; returns how many rows it handled. */
  async drainOnce(): Promise<{ sent: number; failed: number }> {
    const { queue, logger } = this.deps;
    const { inDoubt, maxAttempts, leaseMs, batchSize, concurrency } = this.options;
    if (this.stopping) return { sent: 0, failed: 0 };
    const settled = await queue.settleInDoubt(new Date(this.now()), inDoubt, maxAttempts);
    if (settled.length) {
      logger.warn(
        { ids: settled, policy: inDoubt },
        inDoubt === 'hold' ? 'notifications in doubt, not sent again: a sender stopped while sending them' : 'notifications sent again: a sender stopped while sending them',
      );
    }
    const claimedAt = this.ticks();
    const rows = await queue.claim(new Date(this.now()), batchSize, leaseMs, maxAttempts);
    for (const r of rows) this.heldAt.set(r.tenantId, claimedAt);
    this.adminReaders.clear();
    this.admins.clear(); // read once per batch: who may see (and refresh) an admin channel's card
    const byConversation = new Map<string, Array<{ row: ClaimedNotification; target: Target }>>();
    let failed = 0;
    const known = await this.prefetch(rows);
    const serviceUrls = new Map<string, Promise<string | null>>();
    for (const row of rows) {
      const target = await this.resolve(row, known, serviceUrls);
      if (!target) {
        failed++;
        continue;
      }
      const key = conversationKeyOf(row, target);
      const group = byConversation.get(key);
      if (group) group.push({ row, target });
      else byConversation.set(key, [{ row, target }]);
    }
    let sent = 0;
    const unstarted: ClaimedNotification[] = [];
    const groups = [...byConversation.values()];
    const worker = async () => {
      for (let group = groups.shift(); group; group = groups.shift()) {
        // A person's first message starts their chat; the group's next ones go to it.
        let started: Partial<ConversationReference> | null = null;
        for (const { row, target } of group) {
          const outcome = this.stopping ? 'stopped' : await this.send(row, started ? { ref: started } : target, (ref) => (started = ref));
          if (outcome === 'sent') sent++;
          else if (outcome === 'failed') failed++;
          else if (outcome === 'stopped') unstarted.push(row);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, worker));
    if (unstarted.length) {
      const released = await queue.release(unstarted, new Date(this.now()));
      logger.info({ released }, 'outbox sender stopping: unsent notifications given back');
    }
    return { sent, failed };
  }

  /** Drains until nothing is due, then polls every `intervalMs`. */
  start(intervalMs = 2_000): void {
    this.stopping = false;
    const tick = async () => {
      try {
        for (;;) {
          if (this.stopping) break;
          const batch = this.drainOnce();
          this.draining = batch;
          const { sent, failed } = await batch;
          if (sent + failed === 0) break;
        }
      } catch (err) {
        this.deps.logger.error({ err }, 'outbox drain failed');
      } finally {
        this.draining = null;
        if (this.timer !== null) this.timer = setTimeout(tick, intervalMs);
      }
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Sends in flight finish and are recorded; claimed rows not yet sent are given back for any sender to take. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const wake of [...this.sleepers]) wake();
    await this.draining?.catch(() => undefined);
  }

  private wakeableSleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /**
   * The people's conversation references of a batch, a statement per tenant instead of one per row
   * (on PostgreSQL each is a round trip, and the batch's sends wait for them). Keyed by tenant and key.
   */
  private async prefetch(rows: readonly ClaimedNotification[]): Promise<Prefetched | null> {
    const { conversations } = this.deps;
    if (!conversations.getMany) return null;
    const refs = new Map<string, Partial<ConversationReference>>();
    const accounts = new Map<string, TeamsAccount>();
    const usersByTenant = new Map<string, string[]>();
    for (const row of rows) if (row.recipient.kind === 'user') usersByTenant.set(row.tenantId, [...(usersByTenant.get(row.tenantId) ?? []), row.recipient.userId]);
    for (const [tenantId, userIds] of usersByTenant) {
      for (const [key, ref] of await conversations.getMany(tenantId, userIds.map(userKey))) refs.set(`${tenantId}\u0000${key}`, ref);
      // Only the people with no chat yet need their Teams account.
      const strangers = userIds.filter((u) => !refs.has(`${tenantId}\u0000${userKey(u)}`));
      if (strangers.length) for (const [userId, account] of await conversations.accounts(tenantId, strangers)) accounts.set(`${tenantId}\u0000${userId}`, account);
    }
    return { refs, accounts };
  }

  /** `known`: the batch's prefetched references and accounts (absent from them: none stored); null reads this row's own. */
  private async resolve(row: ClaimedNotification, known: Prefetched | null, serviceUrls: Map<string, Promise<string | null>>): Promise<Target | null> {
    const { queue, conversations } = this.deps;
    if (row.recipient.kind === 'admins') {
      const channel = await conversations.get(row.tenantId, ADMIN_CHANNEL_KEY);
      if (channel) return { ref: channel };
      const admins = await this.deps.adminsOf(row.tenantId);
      if (admins.length) await queue.expand(row, admins, this.deps.newId, this.options.maxAttempts);
      else await queue.markFailed(row.id, 'the tenant has no admins to notify', null, this.options.maxAttempts, row.claimToken);
      return null;
    }
    const { userId } = row.recipient;
    const key = userKey(userId);
    const ref = known ? (known.refs.get(`${row.tenantId}\u0000${key}`) ?? null) : await conversations.get(row.tenantId, key);
    if (ref) return { ref };
    // No chat with them yet: start one, with what Teams showed us of them, or, with Graph to install the
    // app when Teams refuses, their Entra object id. Someone Teams never showed us, without Graph, waits
    // for their first message (the Agents Playground, a tenant that installs the app by policy: the
    // install itself brings their chat).
    const account = known ? (known.accounts.get(`${row.tenantId}\u0000${userId}`) ?? null) : ((await conversations.accounts(row.tenantId, [userId])).get(userId) ?? null);
    if (!account && !this.deps.installer) {
      return this.waitForConversation(
        row,
        `${WAITING_FOR_CHAT}: Teams has not shown them to the bot (a message from them, or an @mention of them), and Microsoft Graph is not configured to install the app for them`,
      );
    }
    let serviceUrl = account?.serviceUrl ?? null;
    if (!serviceUrl) {
      let tenantUrl = serviceUrls.get(row.tenantId);
      if (!tenantUrl) serviceUrls.set(row.tenantId, (tenantUrl = conversations.serviceUrlOf(row.tenantId)));
      serviceUrl = await tenantUrl;
    }
    if (serviceUrl) return { firstContact: { userId, memberId: account?.teamsUserId ?? userId, serviceUrl } };
    // Nobody of their organization has used the bot yet: there is no service URL to start a chat on.
    return this.waitForConversation(row, `${WAITING_FOR_CHAT}, and no Teams traffic from their organization to start one on`);
  }

  /**
   * Not sent yet, with why (starting WAITING_FOR_CHAT): tried again after half the time it has waited
   * so far (5 s to 1 h), and at once when the person writes to the bot or Teams shows them
   * (prisma/outbox-queue.ts wakeWaiting). Waiting uses up no attempts; `waitForChatMs` after its first
   * wait it is given up as undelivered.
   */
  private async waitForConversation(row: ClaimedNotification, why: string): Promise<null> {
    const now = this.now();
    const waited = row.waitingSince ? now - row.waitingSince.getTime() : 0;
    if (waited >= this.options.waitForChatMs) {
      await this.unreachable(row, why);
      return null;
    }
    const delay = Math.min(3_600_000, Math.max(5_000, waited / 2)) * (0.8 + Math.random() * 0.4);
    await this.deps.queue.markWaiting(row, why, new Date(now + delay), new Date(now));
    // Said once, when it starts waiting (with why); each later try at debug: a wait lasts hours.
    if (row.waitingSince) this.deps.logger.debug({ id: row.id, kind: row.kind, waitedMs: waited }, 'notification still waiting for a conversation');
    else this.deps.logger.info({ id: row.id, kind: row.kind, tenantId: row.tenantId, reason: why }, 'notification waiting for a conversation');
    return null;
  }

  /** Given up: nobody can start a chat with this person. Logged, and in the admin audit with who was not told what (prisma/outbox-queue.ts markUnreachable). */
  private async unreachable(row: ClaimedNotification, why: string): Promise<void> {
    const what = `"${notificationText(row).replace(/\*\*/g, '').slice(0, 200)}"`;
    await this.deps.queue.markUnreachable(row, why, what, this.options.maxAttempts, new Date(this.now()));
    this.deps.logger.warn({ id: row.id, kind: row.kind, tenantId: row.tenantId, reason: why }, 'notification not delivered: the person cannot be reached');
  }

  /**
   * Who a notification's card refreshes itself for, as `refresh.userIds` lists them (bot/conversations.ts
   * refreshUserIds): its recipient (in their 1:1 chat, the Teams id the chat was stored with), or the
   * tenant's admins (once per batch).
   */
  private async readersOf(row: ClaimedNotification, target: Target): Promise<string[]> {
    if (row.recipient.kind === 'user') {
      const teamsId = 'ref' in target ? target.ref.user?.id : target.firstContact.memberId;
      if (teamsId?.startsWith('29:')) return [teamsId];
      return refreshUserIds(this.deps.conversations, row.tenantId, [row.recipient.userId]);
    }
    let readers = this.adminReaders.get(row.tenantId);
    if (!readers) {
      readers = this.adminsOfTenant(row.tenantId).then((ids) => refreshUserIds(this.deps.conversations, row.tenantId, ids.slice(0, 60)));
      this.adminReaders.set(row.tenantId, readers);
    }
    return readers;
  }

  private adminsOfTenant(tenantId: string): Promise<string[]> {
    let admins = this.admins.get(tenantId);
    if (!admins) this.admins.set(tenantId, (admins = this.deps.adminsOf(tenantId)));
    return admins;
  }

  /**
   * Waits for both rate limits and takes a place in them; null when the sender is stopping instead.
   * The returned function moves the place later, to when the message really leaves. Without a
   * conversation (starting a chat), the tenant's window only: Teams counts every request there.
   */
  private async waitForTurn(conversationKey: string | null, tenantKey: string): Promise<((later: number) => void) | null> {
    for (;;) {
      if (this.stopping) return null;
      const now = this.ticks();
      const wait = Math.max(conversationKey === null ? 0 : this.perConversation.delay(conversationKey, now), this.perTenant.delay(tenantKey, now));
      if (wait <= 0) {
        if (conversationKey !== null) this.perConversation.record(conversationKey, now);
        this.perTenant.record(tenantKey, now);
        let at = now;
        return (later) => {
          if (later <= at) return;
          if (conversationKey !== null) this.perConversation.move(conversationKey, at, later);
          this.perTenant.move(tenantKey, at, later);
          at = later;
        };
      }
      await this.sleep(wait);
    }
  }

  /**
   * A request for `tenantId` leaves now: its place in the rate windows (`move`) goes here. When this
   * sender last knew the tenant's lease its own a while ago (RECHECK_LEASE_AFTER_MS), it asks first:
   * once another instance may have taken the tenant over, with a rate window of its own starting
   * empty, the request must not leave (it throws: the adapter's NOT_SENT, and the row is given back).
   */
  private async departing(tenantId: string, move: ((at: number) => void) | null): Promise<void> {
    if (this.ticks() - (this.heldAt.get(tenantId) ?? -Infinity) > RECHECK_LEASE_AFTER_MS) {
      const asking = this.ticks();
      if (!(await this.deps.queue.holdsTenant(tenantId, new Date(this.now())))) {
        this.heldAt.delete(tenantId);
        throw new Error('another sender holds the tenant now');
      }
      this.heldAt.set(tenantId, asking);
    }
    move?.(this.ticks());
  }

  /**
   * After Teams refused to start a chat with them: the app installed for them through Microsoft Graph,
   * their new chat stored, and the message sent there. A refusal from Graph (no consent, the app not in
   * the organization's catalog, an unknown user) fails the row with both reasons; throttling or Graph
   * unavailable leaves it to be retried.
   */
  private async installAndSend(
    row: ClaimedNotification,
    person: { userId: string; memberId: string; serviceUrl: string },
    refused: SendFailure,
    onStarted: (ref: Partial<ConversationReference>) => void,
  ): Promise<SendOutcome> {
    const { queue, logger, appId } = this.deps;
    const { maxAttempts } = this.options;
    let chatId: string;
    try {
      chatId = await this.deps.installer!.chatWith(row.tenantId, person.userId);
    } catch (e) {
      const g = e as { status?: number; message?: string; transient?: boolean };
      const retry = g.transient === true && row.attempts < maxAttempts;
      const reason = `could not start a 1:1 chat with them: ${refused.statusCode}: ${refused.message}; installing the app for them through Microsoft Graph failed: ${g.status || 'error'}: ${g.message ?? String(e)}`;
      if (retry) {
        await queue.markFailed(row.id, reason, new Date(this.now() + backoffMs(row.attempts)), maxAttempts, row.claimToken);
        logger.warn({ id: row.id, kind: row.kind, status: g.status, retry }, 'notification not delivered: the app could not be installed for them');
      } else await this.unreachable(row, reason);
      return 'failed';
    }
    const ref: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: person.serviceUrl,
      conversation: { id: chatId, conversationType: 'personal', isGroup: false, tenantId: row.tenantId, name: '' },
      ...(appId && { bot: { id: `28:${appId}`, name: '' } }),
      user: { id: person.memberId, name: '' },
    };
    await this.deps.conversations.save(row.tenantId, userKey(person.userId), ref);
    onStarted(ref);
    logger.info({ id: row.id }, 'the app was installed for them through Microsoft Graph: sending to their new chat');
    return this.send(row, { ref }, onStarted);
  }

  /** `onStarted`: told the reference of a chat this send started (the person's first). */
  private async send(row: ClaimedNotification, target: Target, onStarted: (ref: Partial<ConversationReference>) => void): Promise<SendOutcome> {
    const { adapter, appId, queue, logger } = this.deps;
    const { leaseMs, maxAttempts, inDoubt } = this.options;
    let activity: Partial<Activity>;
    try {
      const content = notificationActivity(row, await this.readersOf(row, target));
      // The outbox id travels with the message (for tracing a delivery, and for the benchmark to count them).
      activity = { ...content, channelData: { ...(content.channelData as object | undefined), notificationId: row.id } };
    } catch (e) {
      // Rendering is deterministic: trying again would fail again.
      await queue.markFailed(row.id, `could not render: ${(e as Error).message ?? String(e)}`, null, maxAttempts, row.claimToken);
      logger.error({ err: e, id: row.id, kind: row.kind }, 'notification could not be rendered');
      return 'failed';
    }
    // Starting a chat is a request of its own, counted in the tenant's window (Teams limits every request
    // of an app in a tenant, not only messages); the message then waits for its turn in the new chat.
    const startAt = 'firstContact' in target ? await this.waitForTurn(null, row.tenantId) : null;
    let moveTo = 'ref' in target ? await this.waitForTurn(conversationKeyOf(row, target), row.tenantId) : null;
    if (!startAt && !moveTo) return 'stopped';
    let stopped = false;

    let begun = false;
    let failure: unknown = null;
    let activityId: string | undefined;
    let starting = 'firstContact' in target;
    const deliver = async (context: TurnContext) => {
      try {
        if ('firstContact' in target) {
          // Teams answered the create request: its place moves on to now (see the constructor).
          startAt?.(this.ticks());
          // Stored before anything is sent: the next message (from any instance) goes to this chat.
          // Teams answers create-conversation for one person with the same chat every time, so a
          // crash before this line only means the next attempt is given it again.
          const ref = { ...proactiveReference(context.activity as Activity), user: { id: target.firstContact.memberId, name: '' } };
          await this.deps.conversations.save(row.tenantId, userKey(target.firstContact.userId), ref);
          onStarted(ref);
          starting = false;
          moveTo = await this.waitForTurn(ref.conversation?.id ?? '', row.tenantId);
          if (!moveTo) {
            stopped = true;
            return;
          }
        }
        const departs = moveTo!;
        // Committed before the message leaves, as late as possible: a crash after this point leaves the row in doubt, never silently resent.
        const beginning = this.ticks();
        if (!(await queue.beginSend(row, new Date(this.now()), leaseMs))) return;
        this.heldAt.set(row.tenantId, beginning);
        begun = true;
        // The place in the rate windows moves to when the request really leaves (bot/adapter.ts, ON_THE_WIRE),
        // then to when its answer came (below).
        activityId = (await watchingTheWire({ departs: () => this.departing(row.tenantId, departs) }, () => context.sendActivity(activity)))?.id;
      } catch (e) {
        failure = e;
      } finally {
        // Answered (or failed): surely after the message arrived, if it did. A send whose answer takes
        // longer than a window is counted at its departure meanwhile, the one case not covered.
        if (begun) moveTo?.(this.ticks());
      }
    };
    try {
      // The adapter hands errors thrown inside a turn to onTurnError, so catch them here to see them.
      if ('ref' in target) await adapter.continueConversationAsync(appId, target.ref, deliver);
      else {
        const params = oneOnOneParameters(row.tenantId, { id: target.firstContact.memberId }, appId ? { id: `28:${appId}` } : undefined);
        // Its place in the tenant's window moves to when the create request leaves; the message's own send is watched inside.
        await watchingTheWire({ departs: () => this.departing(row.tenantId, startAt) }, () =>
          adapter.createConversationAsync(appId, 'msteams', target.firstContact.serviceUrl, '', params, deliver),
        );
      }
    } catch (e) {
      failure ??= e;
    }
    // A create request refused or unanswered: counted from now too.
    if (starting) startAt?.(this.ticks());
    if (stopped) return 'stopped';
    if (!begun && failure === null) {
      logger.info({ id: row.id }, 'notification skipped: another sender holds it now');
      return 'skipped';
    }
    if (failure !== null) {
      const f = failureOf(failure);
      if ((failure as { code?: string }).code === NOT_SENT) {
        // Kept from leaving (departing): the tenant is another sender's now. Due at once, for it.
        await queue.markFailed(row.id, `not sent: ${f.message}`, new Date(this.now()), maxAttempts, row.claimToken);
        logger.info({ id: row.id, tenantId: row.tenantId }, 'notification not sent: another sender holds its tenant now');
        return 'skipped';
      }
      const retryAt = new Date(this.now() + (f.retryAfterMs ?? backoffMs(row.attempts)));
      if (begun && outcomeUnknown(failure)) {
        await queue.markInDoubt(row, `no answer from the connector: ${f.message}`, inDoubt, retryAt, maxAttempts);
        logger.warn({ id: row.id, kind: row.kind, err: f.message, policy: inDoubt }, 'notification in doubt: sent, but no answer from the connector');
        return 'failed';
      }
      // Teams won't start a chat with them (the app isn't installed for them, nor in a team of theirs): install it.
      if (starting && f.statusCode === 403 && this.deps.installer && 'firstContact' in target) return this.installAndSend(row, target.firstContact, f, onStarted);
      const permanent = f.statusCode === 403 || f.statusCode === 404; // bot removed or blocked, conversation gone; or not installed for them
      const giveUp = permanent || row.attempts >= maxAttempts;
      // Teams refusing to start the chat (403: the app isn't installed for them, nor in a team with them) says so.
      const what = starting
        ? `could not start a 1:1 chat with them: ${f.statusCode ?? 'error'}: ${f.message}${f.statusCode === 403 && !this.deps.installer ? ' (Microsoft Graph is not configured to install the app for them)' : ''}`
        : `${f.statusCode ?? 'error'}: ${f.message}`;
      if (starting && giveUp) {
        await this.unreachable(row, what);
        return 'failed';
      }
      await queue.markFailed(row.id, what, giveUp ? null : retryAt, maxAttempts, row.claimToken);
      logger.warn({ id: row.id, kind: row.kind, status: f.statusCode, retryAt: giveUp ? null : retryAt, firstContact: starting }, 'notification not delivered');
      return 'failed';
    }
    await queue.markSent(row.id, new Date(this.now()), activityId);
    return 'sent';
  }
}
