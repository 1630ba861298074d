import { CardFactory, type Activity } from 'botbuilder';
import type { NotificationIntent } from '../domain/model';
import { notificationCard, notificationText } from '../cards/notification-cards';

export { notificationText };

/**
 * What a notification is delivered as: its card (with the buttons its reader can act on, and a
 * refresh so it shows current state when looked at later) and its words as the text that Teams
 * shows in the activity feed and in clients without cards. `readers` are the user ids of who it goes
 * to, in the form `refresh.userIds` takes (bot/conversations.ts refreshUserIds).
 */
export const notificationActivity = (row: Pick<NotificationIntent, 'id' | 'kind' | 'data'>, readers: readonly string[]): Partial<Activity> => ({
  type: 'message',
  summary: notificationText(row).replace(/\*\*/g, ''),
  attachments: [CardFactory.adaptiveCard(notificationCard(row, { refreshUserIds: readers.slice(0, 60) }))],
  channelData: { notificationId: row.id },
});
