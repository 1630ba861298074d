import type { Session } from '../lib/session';
import type { ActionResponse, SavedCardView } from '../../contracts/purchases';

/** What every part of the My purchases page shares: the session, the live region and how to act. */
export interface PageContext {
  session: Session;
  /**
   * Runs one action from a button (or switch): busy while it runs (a double click acts once), then the server's
   * answer in the live region. On success the page re-reads everything from the server and puts
   * focus on `focusId` (the subscription or bill acted on), so keyboard users keep their place.
   * Resolves to whether it succeeded.
   */
  act(control: HTMLElement, work: () => Promise<ActionResponse>, opts?: { focusId?: string; onRefused?: (e: unknown) => void }): Promise<boolean>;
  /** Tells the person something without an action (e.g. "check the card details"). */
  tell(message: string, kind?: 'info' | 'error' | 'success'): void;
  cancelReasons: string[];
  maxPeoplePerOperation: number;
  maxReasonDetails: number;
  savedCards: SavedCardView[];
}
