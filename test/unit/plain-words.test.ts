import { plainWords } from '../../cards/format';
import { notificationText } from '../../cards/notification-cards';

describe('words people typed, inside the Markdown others read', () => {
  test('never become a link or formatting', () => {
    expect(plainWords('[Approve here](https://example.test/phish) **now** _please_ `x` ~y~')).toBe('(Approve here)(https://example.test/phish) now please x y');
    expect(plainWords('Moving to the team plan')).toBe('Moving to the team plan');
    expect(plainWords(null)).toBe('');
  });

  test('a reason in a notification is shown as the words, not as what they would render', () => {
    const text = notificationText({
      kind: 'SubscriptionCancelledByAdmin',
      data: { subscriptionId: 's', productId: 'p', productName: 'Power BI Pro', adminName: 'Alex Wilber', reason: 'Other: [Details](https://example.test/x)', usersAffected: 0 },
    });
    // Their own words ("Other: …" as stored) as the reason, without the label.
    expect(text).toMatch(/\(reason: \(Details\)\(https:\/\/example\.test\/x\)\)/);
    expect(text).not.toMatch(/\[Details\]/);
    const rejected = notificationText({
      kind: 'RequestRejected',
      data: { requestId: 'r', productId: 'p', productName: 'Power BI Pro', note: '*Click* [here](https://example.test)' } as never,
    });
    expect(rejected).toMatch(/declined: Click \(here\)\(https:\/\/example\.test\)/);
  });
});
