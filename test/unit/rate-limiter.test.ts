import { RateLimiter } from '../../bot/rate-limiter';

describe('rate limiter', () => {
  test('a place taken at one time and moved to the real departure time shifts the window with it', () => {
    const l = new RateLimiter([{ limit: 2, windowMs: 1_000 }]);
    l.record('t', 0);
    l.record('t', 0);
    expect(l.delay('t', 0)).toBe(1_000);
    // The second message only left at 300 ms (its send was recorded first, then waited on the database).
    l.move('t', 0, 300);
    expect(l.delay('t', 999)).toBe(1); // the first place frees at 1 000...
    l.record('t', 1_000);
    expect(l.delay('t', 1_000)).toBe(300); // ...the second only at 1 300, not at 1 000
    expect(l.delay('t', 1_300)).toBe(0);
  });

  test('moving keeps the times in order, and an unknown time is ignored', () => {
    const l = new RateLimiter([{ limit: 3, windowMs: 1_000 }]);
    l.record('t', 0);
    l.record('t', 10);
    l.record('t', 20);
    l.move('t', 0, 500); // now 10, 20, 500
    expect(l.delay('t', 100)).toBe(910); // the oldest of the three (10) leaves the window at 1 010
    l.move('t', 12345, 1);
    l.move('nobody', 0, 1);
    expect(l.delay('t', 100)).toBe(910);
  });
});

describe('rate limiter spacing', () => {
  test('places follow each other at the spacing; a late taker does not push the later ones back', () => {
    const l = new RateLimiter([{ limit: 50, windowMs: 1_000 }], { spacingMs: 20 });
    expect(l.delay('t', 0)).toBe(0);
    l.record('t', 0);
    expect(l.delay('t', 5)).toBe(15);
    l.record('t', 23); // woke 3 ms late: the next slot is still at 40
    expect(l.delay('t', 30)).toBe(10);
    l.record('t', 40);
    // After a pause, no burst beyond half a slot of credit.
    expect(l.delay('t', 10_000)).toBe(0);
    l.record('t', 10_000);
    expect(l.delay('t', 10_000)).toBe(10);
  });

  test('the window still caps a burst even with spacing', () => {
    const l = new RateLimiter([{ limit: 3, windowMs: 1_000 }], { spacingMs: 10 });
    for (const t of [0, 10, 20]) {
      expect(l.delay('t', t)).toBe(0);
      l.record('t', t);
    }
    expect(l.delay('t', 30)).toBe(970);
  });
});
