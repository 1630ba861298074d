import type { NotificationData, NotificationIntent, NotificationKind } from '../domain/model';
import { count, perPeriod, plainWords, price, reasonWords } from './format';
import { cardOf, execute, heading, only, refresh, text, type AdaptiveCard } from './ui';
import { VERBS } from './verbs';

const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const amount = (d: { amountMinor?: unknown; currency?: unknown }): string =>
  typeof d.amountMinor === 'number' && typeof d.currency === 'string' ? price({ amountMinor: d.amountMinor, currency: d.currency }) : '';
const day = (v: unknown): string => s(v).slice(0, 10);
/** A count from notification data (stored as JSON: a number, or missing in older rows). */
const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v) || 0);

/** The words of each notification: the text fallback and the first line of its card. */
const TEXT: { [K in NotificationKind]: (d: NotificationData[K]) => string } = {
  PurchaseCreated: (d) =>
    `🛒 **${s(d.purchaserName)}** ${d.trial ? 'started a trial of' : 'bought'} **${s(d.productName)}** (${count(n(d.quantity), 'license')}${d.trial ? '' : `, ${amount(d)}`}).`,
  ApprovalRequested: (d) =>
    `✋ **${s(d.requesterName)}** asks to ${d.requestKind === 'Trial' ? 'start a trial of' : `buy ${count(n(d.quantity), 'license')} of`} **${s(d.productName)}**${
      d.requestKind !== 'Trial' && amount(d) ? ` (${amount(d)} ${perPeriod(d.billingFrequency)})` : ''
    }.`,
  RequestApproved: (d) => `✅ Your request for **${s(d.productName)}** was approved. It's ready to use.`,
  RequestRejected: (d) => `❌ Your request for **${s(d.productName)}** was declined${d.note ? `: ${plainWords(d.note)}` : '.'}`,
  RequestFailed: (d) => `⚠️ Your request for **${s(d.productName)}** was approved but couldn't be completed: ${plainWords(d.note)}`,
  SubscriptionTakenOver: (d) => {
    const moved = n(d.usersMoved);
    const what =
      moved === 0
        ? ''
        : moved === 1
          ? ' and moved its user to a subscription your organization manages'
          : ` and moved its ${count(moved, 'user')} to a subscription your organization manages`;
    return `ℹ️ ${s(d.adminName)} took over your **${s(d.productName)}** subscription${what}${d.reason ? ` (reason: ${reasonWords(d.reason)})` : ''}. Your subscription is cancelled and you won't be charged again.`;
  },
  SubscriptionCancelledByAdmin: (d) => {
    const lost = n(d.usersAffected);
    return `ℹ️ ${s(d.adminName)} cancelled your **${s(d.productName)}** subscription (reason: ${reasonWords(d.reason)}). ${lost ? `${count(lost, 'person')} lost access. ` : ''}You won't be charged again.`;
  },
  CancelRequested: (d) => {
    const covered = n(d.usersCovered);
    const given =
      covered === 0
        ? `now provides **${s(d.productName)}** licenses through your organization, and nobody holds one on your subscription`
        : covered === 1
          ? `has given the person on your **${s(d.productName)}** subscription a license your organization pays for`
          : `has given the ${count(covered, 'person')} on your **${s(d.productName)}** subscription licenses your organization pays for`;
    return `🙏 ${s(d.adminName)} ${given}. Please cancel your subscription so you aren't charged ${covered === 0 ? 'for licenses nobody uses' : 'twice'}.`;
  },
  LicenseAssigned: (d) => `🎉 ${s(d.assignedBy)} gave you a **${s(d.productName)}** license.`,
  LicenseRemoved: (d) => `Your **${s(d.productName)}** license was removed${d.reason === 'Unassigned' ? '' : ` (the subscription is ${s(d.reason).toLowerCase()})`}.`,
  TrialEnding: (d) => `⏳ Your **${s(d.productName)}** trial ends on ${day(d.expiresAt)}.${d.recurring ? ` It then becomes a paid subscription (${amount(d)}).` : ''}`,
  TrialEnded: (d) => `Your **${s(d.productName)}** trial has ended.`,
  RenewalUpcoming: (d) =>
    `⏳ **${s(d.productName)}** ${d.recurring ? `renews on ${day(d.expiresAt)} for ${amount(d)}` : `expires on ${day(d.expiresAt)} (recurring billing is off)`}.`,
  Renewed: (d) => `✅ **${s(d.productName)}** ${d.converted ? 'is now a paid subscription' : 'renewed'} until ${day(d.expiresAt)}; ${amount(d)} charged.`,
  PaymentFailed: (d) => `⚠️ We couldn't charge your card for **${s(d.productName)}**${d.amountMinor ? ` (${amount(d)})` : ''}. Pay the bill with another card to keep it.`,
  SubscriptionExpired: (d) => `Your **${s(d.productName)}** subscription has expired.`,
};

/** The text of one notification: its kind's words over its kind's data (TypeScript can't correlate the two through an index, hence the one cast). */
export const notificationText = (n: Pick<NotificationIntent, 'kind' | 'data'>): string => (TEXT[n.kind] as (d: NotificationData[NotificationKind]) => string)(n.data);

const TITLES: Partial<Record<NotificationKind, string>> = {
  PurchaseCreated: 'New self-service purchase',
  ApprovalRequested: 'Approval request',
  SubscriptionCancelledByAdmin: 'Your subscription was cancelled',
  SubscriptionTakenOver: 'Your subscription was taken over',
  CancelRequested: 'Please cancel your subscription',
  PaymentFailed: 'Payment failed',
  TrialEnding: 'Trial ending soon',
};

const MANAGE: ReadonlySet<NotificationKind> = new Set(['RequestApproved', 'TrialEnding', 'RenewalUpcoming', 'Renewed']);

/**
 * The card a notification is first delivered as. Cards about something that can still change (a new
 * purchase, an approval request) carry a refresh, so whoever looks at them later sees current state
 * and only the actions still possible for them. A card posted where several people read it (the admin
 * channel) carries no changing action of its own: Review opens the reader's own view.
 */
export const notificationCard = (n: Pick<NotificationIntent, 'kind' | 'data'>, opts: { refreshUserIds?: string[] } = {}): AdaptiveCard => {
  const d = n.data as Partial<{ subscriptionId: string | null; requestId: string; productId: string }>;
  const kind = n.kind;
  const subscriptionId = s(d.subscriptionId);
  const requestId = s(d.requestId);
  const users = opts.refreshUserIds;
  const clause =
    kind === 'PurchaseCreated'
      ? refresh('purchase', { subscriptionId, isNew: true }, users)
      : kind === 'ApprovalRequested'
        ? refresh('approval', { requestId }, users)
        : kind === 'CancelRequested' || MANAGE.has(kind)
          ? refresh('subscription', { subscriptionId }, users)
          : undefined;
  const title = TITLES[kind] ?? '';
  return cardOf(
    [...only(title, heading(title)), text(notificationText(n))],
    [
      // Admin notifications are read by everyone in the admin channel, and Teams refreshes them only for
      // the admins listed in `refresh.userIds` (at most 60). Until then, and for everyone else, the card
      // offers nothing but opening the current view: what that reader may do there is the domain's answer.
      ...only((kind === 'PurchaseCreated' || kind === 'ApprovalRequested') && clause, execute('Review', VERBS.refresh, { ...clause?.action.data })),
      // Purchaser notifications.
      ...only(
        kind === 'CancelRequested',
        execute('Cancel now', VERBS.cancelConfirm, { subscriptionId }, { style: 'destructive' }),
        execute('Later', VERBS.cancelLater, { subscriptionId }),
      ),
      ...only(kind === 'PaymentFailed', execute('Pay now', VERBS.bills, {}, { style: 'positive' })),
      ...only(MANAGE.has(kind) && subscriptionId, execute('Manage', VERBS.subscription, { subscriptionId })),
      ...only(kind === 'TrialEnded', execute('Buy it', VERBS.buyForm, { productId: s(d.productId), mode: 'buy' })),
    ],
    { refresh: clause },
  );
};
