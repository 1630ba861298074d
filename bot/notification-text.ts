/** The words of each notification live with their cards (cards/notification-cards.ts). */
export { notificationText } from '../cards/notification-cards';
