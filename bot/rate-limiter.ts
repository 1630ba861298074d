/**
 * Sliding-window rate limits: a key may send at most `limit` messages in any `windowMs`. Teams'
 * per-bot, per-conversation limits are several such windows at once (7/1 s, 8/2 s, 60/30 s,
 * 1800/h), plus about 50 requests/s per app per tenant.
 */
export interface Window {
  limit: number;
  windowMs: number;
}

export const TEAMS_CONVERSATION_WINDOWS: Window[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
];

export interface RateLimiterOptions {
  /**
   * Places taken by a key follow each other at this interval (on the times they were taken, not moved
   * to): a window's sends are spread over it instead of going out in one burst.
   */
  spacingMs?: number;
}

export class RateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly nextSlot = new Map<string, number>();
  private readonly longest: number;
  private readonly spacingMs: number;

  constructor(
    private readonly windows: Window[],
    options: RateLimiterOptions = {},
  ) {
    this.longest = Math.max(...windows.map((w) => w.windowMs));
    this.spacingMs = options.spacingMs ?? 0;
  }

  /** Milliseconds to wait before `key` may send at `now` (0 = now). */
  delay(key: string, now: number): number {
    const times = this.sent.get(key) ?? [];
    const next = this.nextSlot.get(key);
    let wait = next !== undefined ? next - now : 0;
    for (const w of this.windows) {
      const inWindow = times.filter((t) => t > now - w.windowMs);
      if (inWindow.length >= w.limit) wait = Math.max(wait, inWindow[inWindow.length - w.limit] + w.windowMs - now);
    }
    return Math.max(0, wait);
  }

  record(key: string, now: number): void {
    const times = (this.sent.get(key) ?? []).filter((t) => t > now - this.longest);
    times.push(now);
    this.sent.set(key, times);
    if (this.spacingMs > 0) {
      // Slots follow each other at spacingMs; a sender that wakes a little late (timers, a busy event loop)
      // takes its slot without pushing every later one back, so the rate doesn't drift below the limit.
      const next = this.nextSlot.get(key);
      this.nextSlot.set(key, (next === undefined ? now : Math.max(next, now - this.spacingMs / 2)) + this.spacingMs);
    }
  }

  /**
   * Moves a send's place from `reserved` to the later time `actual` (when it really left, or was
   * answered): Teams counts messages when they arrive, so the windows are kept on times no earlier
   * than that. Taking the place first and moving it after keeps concurrent senders from all taking
   * the same free place.
   */
  move(key: string, reserved: number, actual: number): void {
    const times = this.sent.get(key);
    if (!times || actual === reserved) return;
    let i = times.lastIndexOf(reserved);
    if (i < 0) return;
    times[i] = actual;
    // Keep the list in time order (delay() reads the n-th latest); the moved time only ever grows.
    while (i + 1 < times.length && times[i + 1] < times[i]) {
      [times[i], times[i + 1]] = [times[i + 1], times[i]];
      i++;
    }
  }
}
