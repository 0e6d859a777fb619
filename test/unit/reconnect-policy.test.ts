// The live session's timing in one object: the default's numbers, its back-off and that it never
// gives up; and the error-code table every page translates with.
import { ERROR_CODES } from '@cloudship/shared';
import { CLIENT_ERROR_CODES, ERROR_MESSAGES, isClientErrorCode } from '../../client/src/error-codes';
import { DefaultReconnectPolicy, RetrySchedule, type ReconnectContext, type ReconnectPolicy } from '../../client/src/reconnect-policy';

describe('DefaultReconnectPolicy', () => {
  const policy: ReconnectPolicy = new DefaultReconnectPolicy();

  test('join retries back off from 1 s, doubling, capped at 10 s', () => {
    const delays = Array.from({ length: 7 }, (_, retryCount) => policy.nextRetryDelayInMs({ retryCount, elapsedMs: 0 }));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
  });

  test('it never gives up: a vessel may be out of coverage for hours', () => {
    expect(policy.nextRetryDelayInMs({ retryCount: 10_000, elapsedMs: 6 * 3_600_000 })).toBe(10_000);
  });

  test('the windows the session uses', () => {
    expect(policy.serverKickRetryMs).toBe(1_000);
    expect(policy.serverKickWindowMs).toBe(30_000);
    expect(policy.handshakeRetryMs).toBe(3_000);
    expect(policy.signallingReconnectWindowMs).toBe(3_000);
    expect(policy.iceRestartTimeoutMs).toBe(5_000);
    // An attempt gives up after 4 s (TCP SYN retransmissions would hold it ~20 s) and the next
    // starts within 2 s.
    expect(policy.socket).toEqual({ reconnectionDelayMs: 500, reconnectionDelayMaxMs: 2_000, attemptTimeoutMs: 4_000 });
  });

  test('a custom policy can give up', () => {
    const impatient: ReconnectPolicy = {
      ...new DefaultReconnectPolicy(),
      nextRetryDelayInMs: ({ retryCount }) => (retryCount < 2 ? 500 : null),
    };
    expect([0, 1, 2].map((retryCount) => impatient.nextRetryDelayInMs({ retryCount, elapsedMs: 0 }))).toEqual([500, 500, null]);
  });
});

describe('RetrySchedule (the join-retry bookkeeping LiveSession uses)', () => {
  test('with the default policy: 1, 2, 4, 8, 10 s, then 1 s again after a successful join', () => {
    const schedule = new RetrySchedule(new DefaultReconnectPolicy(), () => 0);
    expect([1, 2, 3, 4, 5].map(() => schedule.next())).toEqual([1_000, 2_000, 4_000, 8_000, 10_000]);
    schedule.reset();
    expect(schedule.next()).toBe(1_000);
  });

  test("a custom policy's answers are the session's waits; it sees the count and the time since the first failure", () => {
    let clock = 50_000;
    const seen: ReconnectContext[] = [];
    const custom: ReconnectPolicy = {
      ...new DefaultReconnectPolicy(),
      nextRetryDelayInMs(context) {
        seen.push(context);
        return context.elapsedMs < 5_000 ? 250 + context.retryCount : null;
      },
    };
    const schedule = new RetrySchedule(custom, () => clock);
    expect(schedule.next()).toBe(250);
    clock += 2_000;
    expect(schedule.next()).toBe(251);
    clock += 3_000;
    expect(schedule.next()).toBeNull(); // 5 s after the first failure: give up
    expect(seen).toEqual([
      { retryCount: 0, elapsedMs: 0 },
      { retryCount: 1, elapsedMs: 2_000 },
      { retryCount: 2, elapsedMs: 5_000 },
    ]);
    schedule.reset();
    clock += 60_000;
    expect(schedule.next()).toBe(250);
    expect(seen[3]).toEqual({ retryCount: 0, elapsedMs: 0 });
  });
});

describe('client error codes', () => {
  test('every wire code and every client code has its own message key', () => {
    for (const code of [...ERROR_CODES, ...CLIENT_ERROR_CODES]) expect(ERROR_MESSAGES[code]).toBe(`error.${code}`);
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual([...ERROR_CODES, ...CLIENT_ERROR_CODES].sort());
  });

  test('an unknown string is not taken for a code', () => {
    expect(isClientErrorCode('LINK_EXPIRED')).toBe(true);
    expect(isClientErrorCode('link expired')).toBe(false);
    expect(isClientErrorCode(410)).toBe(false);
  });
});
