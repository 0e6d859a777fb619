// Notices within ~2.5 s that nothing arrives any more over the session's media transports (both
// pages), so the connection badge can say so at once. The client-side counterpart of
// server/src/session/media-watchdog.ts.
//
// Why: when the phone's network dies, the socket (ping timeout) and the ICE transports
// ('disconnected', then 'failed') take 10-20 s to notice; the crew phone kept showing "Connected"
// for 19 s of dead network in a fault run. What stops at once is what the server sends us: RTP of
// the consumers, RTCP about what we send (receiver reports, transport-cc feedback every ~100 ms),
// RTCP sender reports of the consumers, STUN responses. So every `intervalMs` the statistics of the
// live transports are read and the counters of what was received are compared with the previous
// read; while media is expected (we send, or consume a remote producer that is not paused) and
// none of them has grown for `stallMs`, the link is 'stalled'. The first counter that grows again
// clears it.
//
// Only received counters count (packetsSent keeps growing into a dead network). DOM-free, with the
// statistics reader and the clock injected: tested in Node (test/unit/media-watchdog.test.ts).

/** What `RTCStatsReport` (mediasoup-client `Transport.getStats()`) offers that is read here. */
export interface StatsReportLike {
  forEach(callback: (stat: Record<string, unknown>) => void): void;
}

/** One transport's statistics; `id` keeps two transports' stat ids apart (they may collide). */
export interface TransportStats {
  id: string;
  report: StatsReportLike;
}

export interface MediaWatchdogOptions {
  /** The statistics of the session's live transports (closed ones left out; none: nothing expected). */
  read(): Promise<TransportStats[]>;
  /** Whether media should be arriving: we send a track, or consume a remote one that is not paused. */
  expecting(): boolean;
  /** Called when the link becomes stalled or flows again. */
  onChange(link: LinkStatus): void;
  now?: () => number;
  /**
   * How often the statistics are read. With `stallMs` 2000, a cut is shown 2.0-2.5 s after the
   * last packet (a 1 s period would make that up to 3 s, plus the read itself).
   */
  intervalMs?: number;
  /**
   * Nothing received for this long = stalled. Above the longest gap of a healthy link that only
   * receives: the SFU's RTCP sender reports of a video consumer come every 0.5-1.5 s even when its
   * producer is silent, and the server marks a silent remote participant 'reconnecting' (the
   * consumer is then not expected) within ~2.5 s.
   */
  stallMs?: number;
}

export interface LinkStatus {
  stalled: boolean;
  /** How long nothing has arrived (0 when flowing). */
  silentMs: number;
}

/** Counters of what the transport received: any of them growing means the server reached us. */
const RECEIVED: Record<string, readonly string[]> = {
  'inbound-rtp': ['packetsReceived', 'bytesReceived'],
  // RTCP receiver reports about what we send; Chrome's timestamp is the report's arrival time.
  'remote-inbound-rtp': ['timestamp', 'roundTripTimeMeasurements', 'totalRoundTripTime'],
  // RTCP sender reports of the consumers (they keep coming while a remote producer is silent).
  'remote-outbound-rtp': ['reportsSent', 'remoteTimestamp'],
  'candidate-pair': ['bytesReceived', 'packetsReceived', 'responsesReceived', 'requestsReceived', 'lastPacketReceivedTimestamp'],
  transport: ['bytesReceived', 'packetsReceived'],
};

/** The received counters of some transports, by `transportId/statId/field`. */
export function receivedCounters(transports: TransportStats[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { id, report } of transports) {
    report.forEach((stat) => {
      const fields = RECEIVED[String(stat.type)];
      if (!fields) return;
      for (const field of fields) {
        const value = stat[field];
        if (typeof value === 'number' && Number.isFinite(value)) out.set(`${id}/${String(stat.id)}/${field}`, value);
      }
    });
  }
  return out;
}

export class MediaWatchdog {
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly stallMs: number;
  private previous = new Map<string, number>();
  /** When something was last seen arriving (or when we started to expect something). */
  private lastArrival = 0;
  private _stalled = false;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by stop(): a read still in flight when the watch stopped is dropped. */
  private epoch = 0;

  constructor(private readonly options: MediaWatchdogOptions) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 500;
    this.stallMs = options.stallMs ?? 2_000;
  }

  get stalled(): boolean {
    return this._stalled;
  }

  /** Start watching (the session is connected); idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.reset();
    this.schedule();
  }

  /** Stop watching (the session is reconnecting or over); a stalled link is reported flowing. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.epoch++;
    clearTimeout(this.timer);
    this.reset();
    this.set(false, 0);
  }

  /** One read and comparison (what the timer runs; tests call it with their own clock). */
  async check(): Promise<LinkStatus> {
    const epoch = this.epoch;
    const transports = await this.options.read().catch(() => [] as TransportStats[]);
    if (epoch !== this.epoch) return { stalled: this._stalled, silentMs: 0 };
    const now = this.now();
    const counters = receivedCounters(transports);
    // Grown, or new and non-zero (a consumer or transport created since the last read).
    let arrived = false;
    for (const [key, value] of counters) {
      if (value > (this.previous.get(key) ?? 0)) {
        arrived = true;
        break;
      }
    }
    this.previous = counters;
    // Silence counts only while something should arrive: a muted surveyor watching a paused
    // camera receives nothing, on purpose.
    if (arrived || transports.length === 0 || !this.options.expecting()) this.lastArrival = now;
    const silentMs = now - this.lastArrival;
    this.set(silentMs >= this.stallMs, silentMs);
    return { stalled: this._stalled, silentMs };
  }

  private schedule(): void {
    if (!this.running) return;
    const epoch = this.epoch;
    this.timer = setTimeout(() => {
      void this.check().finally(() => {
        if (epoch === this.epoch) this.schedule();
      });
    }, this.intervalMs);
  }

  private reset(): void {
    this.previous = new Map();
    this.lastArrival = this.now();
  }

  private set(stalled: boolean, silentMs: number): void {
    if (stalled === this._stalled) return;
    this._stalled = stalled;
    this.options.onChange({ stalled, silentMs });
  }
}
