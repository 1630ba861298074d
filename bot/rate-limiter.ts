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

export class RateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly longest: number;

  constructor(private readonly windows: Window[]) {
    this.longest = Math.max(...windows.map((w) => w.windowMs));
  }

  /** Milliseconds to wait before `key` may send at `now` (0 = now). */
  delay(key: string, now: number): number {
    const times = this.sent.get(key) ?? [];
    let wait = 0;
    for (const w of this.windows) {
      const inWindow = times.filter((t) => t > now - w.windowMs);
      if (inWindow.length >= w.limit) wait = Math.max(wait, inWindow[inWindow.length - w.limit] + w.windowMs - now);
    }
    return wait;
  }

  record(key: string, now: number): void {
    const times = (this.sent.get(key) ?? []).filter((t) => t > now - this.longest);
    times.push(now);
    this.sent.set(key, times);
  }
}
