import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { ClaimedNotification } from '../prisma/outbox-queue';
import type { Logger } from './logger';
import { ADMIN_CHANNEL_KEY, userKey, type ConversationStore } from './conversations';
import { notificationText } from './notification-text';
import { RateLimiter, TEAMS_CONVERSATION_WINDOWS, type Window } from './rate-limiter';

export interface OutboxQueue {
  claim(now: Date, limit: number, leaseMs: number, maxAttempts: number): Promise<ClaimedNotification[]>;
  markSent(id: string, at: Date): Promise<void>;
  markFailed(id: string, error: string, retryAt: Date | null, maxAttempts: number): Promise<void>;
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
}

export const DEFAULT_SENDER_OPTIONS: SenderOptions = {
  perConversation: TEAMS_CONVERSATION_WINDOWS,
  perTenant: [{ limit: 50, windowMs: 1_000 }],
  batchSize: 200,
  leaseMs: 60_000,
  maxAttempts: 8,
  concurrency: 8,
};

export interface SenderDeps {
  queue: OutboxQueue;
  conversations: ConversationStore;
  adapter: CloudAdapter;
  appId: string;
  logger: Logger;
  /** Admin user ids of a tenant, for admin notifications when no admin channel is set. */
  adminsOf(tenantId: string): Promise<string[]>;
  newId(): string;
  now?: () => number;
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

/** Exponential backoff from 5 s, capped at an hour, with jitter so retries don't arrive together. */
const backoffMs = (attempts: number): number => Math.min(3_600_000, 5_000 * 2 ** Math.max(0, attempts - 1)) * (0.8 + Math.random() * 0.4);

/**
 * Drains the outbox into Teams within its rate limits. botbuilder's connector already retries 429
 * and 5xx a few times per send; this layer does not retry on top of it in a loop, it reschedules the
 * row (honouring Retry-After) and moves on. Rows are leased when claimed and marked sent right after
 * Teams accepts them, so a restart resumes pending rows; a crash in the instant between Teams
 * accepting a message and the mark is the one case that can repeat a message (at-least-once).
 */
export class OutboxSender {
  private readonly perConversation: RateLimiter;
  private readonly perTenant: RateLimiter;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<unknown> | null = null;

  constructor(private readonly deps: SenderDeps, private readonly options: SenderOptions = DEFAULT_SENDER_OPTIONS) {
    this.perConversation = new RateLimiter(options.perConversation);
    this.perTenant = new RateLimiter(options.perTenant);
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Claims and sends one batch; returns how many rows it handled. */
  async drainOnce(): Promise<{ sent: number; failed: number }> {
    const { queue } = this.deps;
    const rows = await queue.claim(new Date(this.now()), this.options.batchSize, this.options.leaseMs, this.options.maxAttempts);
    const byConversation = new Map<string, Array<{ row: ClaimedNotification; ref: Partial<ConversationReference> }>>();
    let failed = 0;
    for (const row of rows) {
      const ref = await this.resolve(row);
      if (!ref) {
        failed++;
        continue;
      }
      const key = ref.conversation?.id ?? '';
      byConversation.set(key, [...(byConversation.get(key) ?? []), { row, ref }]);
    }
    let sent = 0;
    const groups = [...byConversation.values()];
    const worker = async () => {
      for (let group = groups.shift(); group; group = groups.shift()) {
        for (const { row, ref } of group) {
          if (await this.send(row, ref)) sent++;
          else failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, groups.length) }, worker));
    return { sent, failed };
  }

  /** Drains until nothing is due, then polls every `intervalMs`. */
  start(intervalMs = 2_000): void {
    const tick = async () => {
      try {
        for (;;) {
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

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.draining?.catch(() => undefined);
  }

  private async resolve(row: ClaimedNotification): Promise<Partial<ConversationReference> | null> {
    const { queue, conversations, logger } = this.deps;
    if (row.recipient.kind === 'admins') {
      const channel = await conversations.get(row.tenantId, ADMIN_CHANNEL_KEY);
      if (channel) return channel;
      const admins = await this.deps.adminsOf(row.tenantId);
      if (admins.length) await queue.expand(row, admins, this.deps.newId, this.options.maxAttempts);
      else await queue.markFailed(row.id, 'the tenant has no admins to notify', null, this.options.maxAttempts);
      return null;
    }
    const ref = await conversations.get(row.tenantId, userKey(row.recipient.userId));
    if (!ref) {
      // They haven't talked to the bot yet; when they do, the reference appears and a retry delivers.
      const retryAt = row.attempts >= this.options.maxAttempts ? null : new Date(this.now() + backoffMs(row.attempts));
      await queue.markFailed(row.id, 'no conversation with this person yet', retryAt, this.options.maxAttempts);
      logger.info({ id: row.id, kind: row.kind }, 'notification waiting for a conversation');
    }
    return ref;
  }

  private async waitForTurn(conversationKey: string, tenantKey: string): Promise<void> {
    for (;;) {
      const now = this.now();
      const wait = Math.max(this.perConversation.delay(conversationKey, now), this.perTenant.delay(tenantKey, now));
      if (wait <= 0) {
        this.perConversation.record(conversationKey, now);
        this.perTenant.record(tenantKey, now);
        return;
      }
      await this.sleep(wait);
    }
  }

  private async send(row: ClaimedNotification, ref: Partial<ConversationReference>): Promise<boolean> {
    const { adapter, appId, queue, logger } = this.deps;
    await this.waitForTurn(ref.conversation?.id ?? '', row.tenantId);
    try {
      // The adapter hands errors thrown inside a turn to onTurnError, so catch them here to see them.
      let failure: unknown = null;
      await adapter.continueConversationAsync(appId, ref, async (context) => {
        try {
          await context.sendActivity({ type: 'message', text: notificationText(row), channelData: { notificationId: row.id } });
        } catch (e) {
          failure = e;
        }
      });
      if (failure) throw failure;
    } catch (e) {
      const f = failureOf(e);
      const permanent = f.statusCode === 403 || f.statusCode === 404; // bot removed or blocked, conversation gone
      const retryAt = permanent || row.attempts >= this.options.maxAttempts ? null : new Date(this.now() + (f.retryAfterMs ?? backoffMs(row.attempts)));
      await queue.markFailed(row.id, `${f.statusCode ?? 'error'}: ${f.message}`, retryAt, this.options.maxAttempts);
      logger.warn({ id: row.id, kind: row.kind, status: f.statusCode, retryAt }, 'notification not delivered');
      return false;
    }
    await queue.markSent(row.id, new Date(this.now()));
    return true;
  }
}
