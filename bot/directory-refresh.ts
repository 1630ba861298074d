import type { Deps } from '../domain/ports';
import { refreshFromDirectory, syncDirectory } from '../domain/directory/sync-directory';
import type { Logger } from './logger';

export interface DirectoryRefreshOptions {
  /** How long a person's refresh from the directory stands before their next turn asks again. */
  personEveryMs: number;
  /** How often a tenant this process serves is read whole (names, emails, guests, who left). */
  tenantEveryMs: number;
  now?: () => number;
}

/** Memo sizes: past these, the oldest are forgotten (and simply asked again). */
const MAX_PEOPLE = 100_000;
const MAX_TENANTS = 10_000;

/**
 * Keeps the people of the organizations the bot serves current from their directory (Microsoft Graph,
 * the domain's `deps.directory`): the person in a turn, before the turn acts (R1: a guest the directory
 * knows is a guest cannot buy, whatever a roster said), at most once per `personEveryMs` each; the whole
 * tenant in the background when this process first serves it and every `tenantEveryMs` after
 * (people who left, R11). Never fails a turn: a directory that can't answer leaves what is stored.
 */
export class DirectoryRefresher {
  private readonly people = new Map<string, number>();
  private readonly tenants = new Map<string, number>();
  private readonly syncing = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private stopped = false;

  constructor(
    private readonly deps: Deps,
    private readonly logger: Logger,
    private readonly options: DirectoryRefreshOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The person acting in a turn, refreshed when their last refresh is older than `personEveryMs`. */
  async speaker(tenantId: string, userId: string): Promise<void> {
    if (!this.deps.directory || this.stopped) return;
    this.tenant(tenantId);
    const key = `${tenantId}\u0000${userId}`;
    const last = this.people.get(key);
    if (last !== undefined && this.now() - last < this.options.personEveryMs) return;
    try {
      if (await refreshFromDirectory(this.deps, tenantId, userId)) remember(this.people, key, this.now(), MAX_PEOPLE);
    } catch (err) {
      this.logger.warn({ err, tenantId }, 'directory refresh of the speaker failed; their stored entry stands');
    }
  }

  /** The tenant read whole in the background, when it was not in the last `tenantEveryMs`. */
  tenant(tenantId: string): void {
    const last = this.tenants.get(tenantId);
    if (this.stopped || this.syncing.has(tenantId) || (last !== undefined && this.now() - last < this.options.tenantEveryMs)) return;
    remember(this.tenants, tenantId, this.now(), MAX_TENANTS);
    const run = this.sync(tenantId).finally(() => this.syncing.delete(tenantId));
    this.syncing.set(tenantId, run);
  }

  /** The tenants this process served, each read again once due (call it on a timer). */
  tick(): void {
    for (const tenantId of [...this.tenants.keys()]) this.tenant(tenantId);
  }

  /** Starts no more; the syncs in progress stop after the page they are on. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.syncing.values());
  }

  private async sync(tenantId: string): Promise<void> {
    try {
      const r = await syncDirectory(this.deps, tenantId, { goOn: () => !this.stopped });
      if (r) this.logger.info({ tenantId, ...r }, 'directory synced from Microsoft Graph');
    } catch (err) {
      // Asked again at its next turn after tenantEveryMs/10, not at once: a tenant without consent fails every time.
      this.tenants.set(tenantId, this.now() - this.options.tenantEveryMs + this.options.tenantEveryMs / 10);
      this.logger.warn({ err: { message: (err as Error).message }, tenantId }, 'directory sync from Microsoft Graph failed; the people stored stand');
    }
  }
}

const remember = (memo: Map<string, number>, key: string, at: number, max: number) => {
  memo.delete(key);
  memo.set(key, at);
  if (memo.size > max) memo.delete(memo.keys().next().value!);
};
