import type { NotificationIntent, NotificationKind } from '../domain/model';
import { price } from './text';

type Data = NotificationIntent['data'];
const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const amount = (d: Data): string => (typeof d.amountMinor === 'number' && typeof d.currency === 'string' ? price({ amountMinor: d.amountMinor, currency: d.currency }) : '');
const day = (v: unknown): string => s(v).slice(0, 10);

/** The words of each notification; cards with actions build on these in the cards/ layer. */
const TEXT: Record<NotificationKind, (d: Data) => string> = {
  PurchaseCreated: (d) => `🛒 **${s(d.purchaserName)}** ${d.trial ? 'started a trial of' : 'bought'} **${s(d.productName)}** (${s(d.quantity)} licenses${d.trial ? '' : `, ${amount(d)}`}).`,
  ApprovalRequested: (d) => `✋ **${s(d.requesterName)}** asks to ${d.requestKind === 'Trial' ? 'start a trial of' : `buy ${s(d.quantity)} ×`} **${s(d.productName)}**. Say **approvals** to decide.`,
  RequestApproved: (d) => `✅ Your request for **${s(d.productName)}** was approved. It's ready: say **my purchases**.`,
  RequestRejected: (d) => `❌ Your request for **${s(d.productName)}** was declined${d.note ? `: ${s(d.note)}` : '.'}`,
  RequestFailed: (d) => `⚠️ Your request for **${s(d.productName)}** was approved but couldn't be completed: ${s(d.note)}`,
  SubscriptionTakenOver: (d) => `ℹ️ ${s(d.adminName)} took over your **${s(d.productName)}** subscription and moved its ${s(d.usersMoved)} users to a subscription your organization manages. Your subscription is cancelled and you won't be charged again.`,
  SubscriptionCancelledByAdmin: (d) => `ℹ️ ${s(d.adminName)} cancelled your **${s(d.productName)}** subscription (reason: ${s(d.reason)}). ${s(d.usersAffected)} people lost access. You won't be charged again.`,
  CancelRequested: (d) => `🙏 ${s(d.adminName)} has given the ${s(d.usersCovered)} people on your **${s(d.productName)}** subscription licenses your organization pays for. Please cancel your subscription so you aren't charged twice: say **cancel**.`,
  LicenseAssigned: (d) => `🎉 ${s(d.assignedBy)} gave you a **${s(d.productName)}** license.`,
  LicenseRemoved: (d) => `Your **${s(d.productName)}** license was removed${d.reason === 'Unassigned' ? '' : ` (the subscription is ${s(d.reason).toLowerCase()})`}.`,
  TrialEnding: (d) => `⏳ Your **${s(d.productName)}** trial ends on ${day(d.expiresAt)}.${d.recurring ? ` It then becomes a paid subscription (${amount(d)}).` : ''}`,
  TrialEnded: (d) => `Your **${s(d.productName)}** trial has ended. Say **catalog** to buy it.`,
  RenewalUpcoming: (d) => `⏳ **${s(d.productName)}** ${d.recurring ? `renews on ${day(d.expiresAt)} for ${amount(d)}` : `expires on ${day(d.expiresAt)} (recurring billing is off)`}.`,
  Renewed: (d) => `✅ **${s(d.productName)}** ${d.converted ? 'is now a paid subscription' : 'renewed'} until ${day(d.expiresAt)}; ${amount(d)} charged.`,
  PaymentFailed: (d) => `⚠️ We couldn't charge your card for **${s(d.productName)}**${d.amountMinor ? ` (${amount(d)})` : ''}. Say **bills** to pay it with another card.`,
  SubscriptionExpired: (d) => `Your **${s(d.productName)}** subscription has expired.`,
};

export const notificationText = (n: Pick<NotificationIntent, 'kind' | 'data'>): string => TEXT[n.kind](n.data);
