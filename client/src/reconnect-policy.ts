// When and how often the live session tries again, in one object (after livekit's
// ReconnectPolicy). LiveSession asks it; it touches neither the DOM nor socket.io, so it is tested
// in Node (test/unit/reconnect-policy.test.ts). The numbers are measured choices, see each field.

export interface ReconnectContext {
  /** How many join attempts have failed since the last successful join. */
  retryCount: number;
  /** Milliseconds since the first of those failures. */
  elapsedMs: number;
}

export interface ReconnectPolicy {
  /**
   * The wait before joining again after a refusal another try may fix (INTERNAL, INVALID_STATE,
   * NOT_FOUND...), on the same connection; null gives up (the session fails).
   */
  nextRetryDelayInMs(context: ReconnectContext): number | null;
  /** The server closed the socket on purpose: try once more after this, to hear why. */
  readonly serverKickRetryMs: number;
  /** Closed by the server twice within this window is final (a ping-pong with the server). */
  readonly serverKickWindowMs: number;
  /** A refused handshake that is not final (e.g. INTERNAL) is tried again after this. */
  readonly handshakeRetryMs: number;
  /** At most one fresh signalling connection per window: both transports fail together after a cut. */
  readonly signallingReconnectWindowMs: number;
  /** An ICE restart request not answered within this reconnects the signalling instead. */
  readonly iceRestartTimeoutMs: number;
  /** socket.io's own reconnection while the server is unreachable. */
  readonly socket: {
    reconnectionDelayMs: number;
    reconnectionDelayMaxMs: number;
    /**
     * An attempt made during a cut waits on TCP SYN retransmissions (1 s, 3 s, 7 s, 15 s apart),
     * so one that started before the network came back could connect up to ~20 s (socket.io's
     * default) late: give up on an attempt after this and start a fresh one.
     */
    attemptTimeoutMs: number;
  };
}

/** Join retries back off from 1 s, doubling up to 10 s, and never give up: the crew may be at sea for a while. */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  readonly serverKickRetryMs = 1_000;
  readonly serverKickWindowMs = 30_000;
  readonly handshakeRetryMs = 3_000;
  readonly signallingReconnectWindowMs = 3_000;
  readonly iceRestartTimeoutMs = 5_000;
  readonly socket = { reconnectionDelayMs: 500, reconnectionDelayMaxMs: 2_000, attemptTimeoutMs: 4_000 };

  nextRetryDelayInMs({ retryCount }: ReconnectContext): number | null {
    return Math.min(1_000 * 2 ** Math.min(retryCount, 10), 10_000);
  }
}

/**
 * The join-retry bookkeeping of LiveSession: counts the failures since the last successful join,
 * times them from the first, and asks the policy. Kept here, free of the DOM, so that what the
 * session would do with a given policy is testable in Node.
 */
export class RetrySchedule {
  private count = 0;
  private since = 0;

  constructor(
    private readonly policy: ReconnectPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** A join attempt failed: the wait before the next one, or null to give up. */
  next(): number | null {
    const now = this.now();
    if (this.count === 0) this.since = now;
    const delay = this.policy.nextRetryDelayInMs({ retryCount: this.count, elapsedMs: now - this.since });
    this.count++;
    return delay;
  }

  /** A join succeeded: the next failure starts from the policy's first delay again. */
  reset(): void {
    this.count = 0;
    this.since = 0;
  }
}
