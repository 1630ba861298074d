import type { NotificationIntent, NotificationKind } from '../domain/model';
import { price } from './format';
import { cardOf, execute, heading, only, refresh, text, type AdaptiveCard } from './ui';
import { VERBS } from './verbs';

type Data = NotificationIntent['data'];
const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const amount = (d: Data): string => (typeof d.amountMinor === 'number' && typeof d.currency === 'string' ? price({ amountMinor: d.amountMinor, currency: d.currency }) : '');
const day = (v: unknown): string => s(v).slice(0, 10);

/** The words of each notification: the text fallback and the first line of its card. */
const TEXT: Record<NotificationKind, (d: Data) => string> = {
  PurchaseCreated: (d) => `🛒 **${s(d.purchaserName)}** ${d.trial ? 'started a trial of' : 'bought'} **${s(d.productName)}** (${s(d.quantity)} licenses${d.trial ? '' : `, ${amount(d)}`}).`,
  ApprovalRequested: (d) => `✋ **${s(d.requesterName)}** asks to ${d.requestKind === 'Trial' ? 'start a trial of' : `buy ${s(d.quantity)} ×`} **${s(d.productName)}**.`,
  RequestApproved: (d) => `✅ Your request for **${s(d.productName)}** was approved. It's ready to use.`,
  RequestRejected: (d) => `❌ Your request for **${s(d.productName)}** was declined${d.note ? `: ${s(d.note)}` : '.'}`,
  RequestFailed: (d) => `⚠️ Your request for **${s(d.productName)}** was approved but couldn't be completed: ${s(d.note)}`,
  SubscriptionTakenOver: (d) => `ℹ️ ${s(d.adminName)} took over your **${s(d.productName)}** subscription and moved its ${s(d.usersMoved)} users to a subscription your organization manages. Your subscription is cancelled and you won't be charged again.`,
  SubscriptionCancelledByAdmin: (d) => `ℹ️ ${s(d.adminName)} cancelled your **${s(d.productName)}** subscription (reason: ${s(d.reason)}). ${s(d.usersAffected)} people lost access. You won't be charged again.`,
  CancelRequested: (d) => `🙏 ${s(d.adminName)} has given the ${s(d.usersCovered)} people on your **${s(d.productName)}** subscription licenses your organization pays for. Please cancel your subscription so you aren't charged twice.`,
  LicenseAssigned: (d) => `🎉 ${s(d.assignedBy)} gave you a **${s(d.productName)}** license.`,
  LicenseRemoved: (d) => `Your **${s(d.productName)}** license was removed${d.reason === 'Unassigned' ? '' : ` (the subscription is ${s(d.reason).toLowerCase()})`}.`,
  TrialEnding: (d) => `⏳ Your **${s(d.productName)}** trial ends on ${day(d.expiresAt)}.${d.recurring ? ` It then becomes a paid subscription (${amount(d)}).` : ''}`,
  TrialEnded: (d) => `Your **${s(d.productName)}** trial has ended.`,
  RenewalUpcoming: (d) => `⏳ **${s(d.productName)}** ${d.recurring ? `renews on ${day(d.expiresAt)} for ${amount(d)}` : `expires on ${day(d.expiresAt)} (recurring billing is off)`}.`,
  Renewed: (d) => `✅ **${s(d.productName)}** ${d.converted ? 'is now a paid subscription' : 'renewed'} until ${day(d.expiresAt)}; ${amount(d)} charged.`,
  PaymentFailed: (d) => `⚠️ We couldn't charge your card for **${s(d.productName)}**${d.amountMinor ? ` (${amount(d)})` : ''}. Pay the bill with another card to keep it.`,
  SubscriptionExpired: (d) => `Your **${s(d.productName)}** subscription has expired.`,
};

export const notificationText = (n: Pick<NotificationIntent, 'kind' | 'data'>): string => TEXT[n.kind](n.data);

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
 * and only the actions still possible.
 */
export const notificationCard = (n: Pick<NotificationIntent, 'kind' | 'data'>, opts: { refreshUserIds?: string[] } = {}): AdaptiveCard => {
  const d = n.data;
  const kind = n.kind;
  const subscriptionId = s(d.subscriptionId);
  const requestId = s(d.requestId);
  const clause =
    kind === 'PurchaseCreated' ? refresh('purchase', { subscriptionId, isNew: true })
      : kind === 'ApprovalRequested' ? refresh('approval', { requestId })
        : kind === 'CancelRequested' || MANAGE.has(kind) ? refresh('subscription', { subscriptionId })
          : undefined;
  const title = TITLES[kind] ?? '';
  return cardOf(
    [...only(title, heading(title)), text(TEXT[kind](d))],
    [
      // Admin notifications: the three answers to a new purchase, and the approval decision.
      ...only(
        kind === 'PurchaseCreated',
        execute('Take over', VERBS.takeOverConfirm, { subscriptionId }, { style: 'destructive' }),
        execute('Disable product', VERBS.disableProduct, { subscriptionId }),
        execute('Acknowledge', VERBS.acknowledge, { subscriptionId }, { style: 'positive' }),
      ),
      ...only(kind === 'ApprovalRequested', execute('Approve', VERBS.approve, { requestId }, { style: 'positive' }), execute('Reject', VERBS.reject, { requestId }, { style: 'destructive' })),
      // Purchaser notifications.
      ...only(kind === 'CancelRequested', execute('Cancel now', VERBS.cancelConfirm, { subscriptionId }, { style: 'destructive' }), execute('Later', VERBS.cancelLater, { subscriptionId })),
      ...only(kind === 'PaymentFailed', execute('Pay now', VERBS.bills, {}, { style: 'positive' })),
      ...only(MANAGE.has(kind) && subscriptionId, execute('Manage', VERBS.subscription, { subscriptionId })),
      ...only(kind === 'TrialEnded', execute('Buy it', VERBS.buyForm, { productId: s(d.productId), mode: 'buy' })),
    ],
    { refresh: clause && opts.refreshUserIds ? { ...clause, userIds: opts.refreshUserIds } : clause },
  );
};
