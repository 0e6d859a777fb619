// The client's media watchdog (client/src/media-watchdog.ts): from the received counters of the
// transports' statistics, 'stalled' after 2 s without anything arriving while media is expected,
// cleared by the first counter that grows again; never stalled while nothing is expected.
import { MediaWatchdog, receivedCounters, type LinkStatus, type TransportStats } from '../../client/src/media-watchdog';

type Stat = Record<string, unknown>;

/** A Map-backed report, as RTCStatsReport. */
function report(stats: Stat[]): TransportStats['report'] {
  return new Map(stats.map((s) => [String(s.id), s]));
}

/** A receive transport's statistics with `n` packets received so far (everything grows with n). */
function recv(n: number, extra: Stat[] = []): TransportStats {
  return {
    id: 'recv-1',
    report: report([
      { id: 'IT01V', type: 'inbound-rtp', kind: 'video', packetsReceived: n * 30, bytesReceived: n * 30_000, timestamp: 1e12 + n },
      { id: 'CP1', type: 'candidate-pair', bytesReceived: n * 31_000, packetsReceived: n * 31, bytesSent: 5_000 * n },
      { id: 'T01', type: 'transport', bytesReceived: n * 31_000, bytesSent: 5_000 * n },
      ...extra,
    ]),
  };
}

/**
 * A send transport: `sent` packets sent (they keep growing during a cut), `feedback` RTCP reports
 * and transport-cc bytes received so far.
 */
function send(sent: number, feedback: number): TransportStats {
  return {
    id: 'send-1',
    report: report([
      { id: 'OT01V', type: 'outbound-rtp', kind: 'video', packetsSent: sent, bytesSent: sent * 1_000, timestamp: 1e12 + sent },
      { id: 'RI01V', type: 'remote-inbound-rtp', roundTripTimeMeasurements: feedback, totalRoundTripTime: feedback * 0.05 },
      { id: 'CP1', type: 'candidate-pair', bytesReceived: feedback * 200, bytesSent: sent * 1_000, packetsSent: sent },
      { id: 'T01', type: 'transport', bytesReceived: feedback * 200, bytesSent: sent * 1_000 },
    ]),
  };
}

function rig(initial: TransportStats[] = [], expecting = true) {
  let clock = 1_000_000;
  let stats = initial;
  let expected = expecting;
  const changes: LinkStatus[] = [];
  const watchdog = new MediaWatchdog({
    read: async () => stats,
    expecting: () => expected,
    onChange: (s) => changes.push(s),
    now: () => clock,
    intervalMs: 500,
    stallMs: 2_000,
  });
  return {
    watchdog,
    changes,
    setStats: (next: TransportStats[]) => (stats = next),
    setExpecting: (next: boolean) => (expected = next),
    /** Advance the clock by `ms` and read once. */
    async at(ms: number): Promise<LinkStatus> {
      clock += ms;
      return watchdog.check();
    },
  };
}

describe('receivedCounters', () => {
  test('reads only what was received, keyed by transport and stat, across both transports', () => {
    const counters = receivedCounters([recv(2), send(100, 7)]);
    expect(counters.get('recv-1/IT01V/packetsReceived')).toBe(60);
    expect(counters.get('recv-1/CP1/bytesReceived')).toBe(62_000);
    expect(counters.get('send-1/CP1/bytesReceived')).toBe(1_400);
    expect(counters.get('send-1/RI01V/roundTripTimeMeasurements')).toBe(7);
    // Sent counters and report timestamps of local stats are not signs of anything arriving.
    expect([...counters.keys()].filter((k) => /Sent|OT01V|IT01V\/timestamp/.test(k))).toEqual([]);
  });
});

describe('MediaWatchdog', () => {
  test('a receiver whose packets stop is stalled after 2 s, and flowing again at the first new packet', async () => {
    const r = rig([recv(1)]);
    for (let i = 2; i <= 6; i++) {
      r.setStats([recv(i)]);
      expect(await r.at(500)).toEqual({ stalled: false, silentMs: 0 });
    }
    // Cut: the counters freeze.
    expect((await r.at(500)).stalled).toBe(false);
    expect((await r.at(500)).silentMs).toBe(1_000);
    expect((await r.at(500)).stalled).toBe(false);
    expect(await r.at(500)).toEqual({ stalled: true, silentMs: 2_000 });
    expect(r.changes).toEqual([{ stalled: true, silentMs: 2_000 }]);
    expect((await r.at(5_000)).silentMs).toBe(7_000);
    expect(r.changes).toHaveLength(1); // reported once
    // Back: one more packet is enough.
    r.setStats([recv(7)]);
    expect(await r.at(500)).toEqual({ stalled: false, silentMs: 0 });
    expect(r.changes).toEqual([
      { stalled: true, silentMs: 2_000 },
      { stalled: false, silentMs: 0 },
    ]);
  });

  test('a sender is stalled when the RTCP feedback stops, although it keeps sending into the cut', async () => {
    const r = rig([send(100, 1)]);
    let sent = 100;
    for (let i = 2; i <= 4; i++) {
      r.setStats([send((sent += 50), i)]);
      expect((await r.at(500)).stalled).toBe(false);
    }
    const changes: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      r.setStats([send((sent += 50), 4)]);
      changes.push((await r.at(500)).stalled);
    }
    expect(changes).toEqual([false, false, false, true]);
    r.setStats([send(sent + 50, 5)]);
    expect((await r.at(500)).stalled).toBe(false);
  });

  test('either transport receiving is enough: a silent remote producer is not a cut of our link', async () => {
    const r = rig([recv(1), send(100, 1)]);
    let feedback = 1;
    for (let i = 0; i < 10; i++) {
      r.setStats([recv(1), send(100 + i * 50, ++feedback)]); // nothing on the receive side
      expect((await r.at(500)).stalled).toBe(false);
    }
  });

  test('RTCP sender reports of a consumer (every 0.5-1.5 s) keep a receive-only link flowing', async () => {
    const sr = (n: number): Stat[] => [{ id: 'RO01V', type: 'remote-outbound-rtp', reportsSent: n, remoteTimestamp: 1e12 + n * 1000 }];
    const r = rig([recv(1, sr(1))]);
    // The remote producer is silent; a sender report arrives every third read (1.5 s).
    for (let i = 1; i <= 12; i++) {
      r.setStats([recv(1, sr(1 + Math.floor(i / 3)))]);
      expect((await r.at(500)).stalled).toBe(false);
    }
  });

  test('nothing expected (muted, nothing consumed), or no transport: silence is not a stall', async () => {
    const r = rig([recv(1)], false);
    for (let i = 0; i < 10; i++) expect((await r.at(500)).stalled).toBe(false);
    // Expected from now on: the 2 s count from here, not from the last packet.
    r.setExpecting(true);
    expect((await r.at(500)).silentMs).toBe(500);
    await r.at(1_000);
    expect((await r.at(500)).stalled).toBe(true);
    // Nothing expected any more: cleared.
    r.setExpecting(false);
    expect((await r.at(500)).stalled).toBe(false);

    const none = rig([]);
    for (let i = 0; i < 10; i++) expect((await none.at(500)).stalled).toBe(false);
  });

  test('a new transport (rejoin) counts as arriving; a failing read is no stall (no transport to judge)', async () => {
    const r = rig([recv(5)]);
    await r.at(500);
    r.setStats([{ ...recv(1), id: 'recv-2' }]);
    expect((await r.at(500)).silentMs).toBe(0);
    r.setStats([]);
    const failing = new MediaWatchdog({
      read: () => Promise.reject(new Error('closed')),
      expecting: () => true,
      onChange: () => undefined,
    });
    await expect(failing.check()).resolves.toEqual({ stalled: false, silentMs: 0 });
  });

  test('start() reads on its timer (once, however often called), stop() ends the reads and clears a stall', async () => {
    jest.useFakeTimers();
    try {
      let clock = 0;
      let reads = 0;
      const changes: boolean[] = [];
      const w = new MediaWatchdog({
        read: async () => (reads++, [recv(1)]),
        expecting: () => true,
        onChange: (s) => changes.push(s.stalled),
        now: () => clock,
      });
      w.start();
      w.start(); // idempotent: one timer
      for (let i = 0; i < 6; i++) {
        clock += 500;
        await jest.advanceTimersByTimeAsync(500);
      }
      expect(reads).toBe(6);
      expect(w.stalled).toBe(true);
      w.stop();
      expect(w.stalled).toBe(false);
      expect(changes).toEqual([true, false]);
      clock += 5_000;
      await jest.advanceTimersByTimeAsync(5_000);
      expect(reads).toBe(6);
      expect(changes).toEqual([true, false]);
    } finally {
      jest.useRealTimers();
    }
  });
});
