// Network-quality indicator (both pages) and mobile data used this session (crew page), from the
// WebRTC statistics of the session's transports.
//
// Quality: RTCP-based, so it reflects the media path, not the signalling: the selected candidate
// pair's round-trip time, and packet loss (on the crew side from the SFU's receiver reports,
// `remote-inbound-rtp.fractionLost`; on the surveyor side from `inbound-rtp` packetsLost deltas).
// Data used: `transport` stats bytesSent + bytesReceived (RTP, RTCP, DTLS and ICE), summed over
// every transport of the session including those closed by a rejoin. Firefox has no `transport`
// stats: there the bytes of every `candidate-pair` are summed (the pairs of one transport carry
// all of its packets, a pair given up after an ICE restart keeps its count). Signalling (a few kB) and the
// page itself are not counted. 'offline' as soon as the session's media watchdog finds the link
// stalled (nothing received for 2 s), without waiting for the next poll.
import type { Transport } from 'mediasoup-client/types';
import { bindText } from './i18n';
import type { LiveSession, SessionState } from './live-session';
import { el } from './ui/dom';

export type LinkLevel = 'good' | 'fair' | 'poor' | 'offline';

const POLL_MS = 2_000;

interface Sample {
  bytes: number;
  rttMs: number | null;
  lossFraction: number | null;
  received: number;
  lost: number;
}

async function sample(transport: Transport): Promise<Sample> {
  const report = await transport.getStats();
  const s: Sample = { bytes: 0, rttMs: null, lossFraction: null, received: 0, lost: 0 };
  let selectedPair: string | undefined;
  const pairs = new Map<string, Record<string, unknown>>();
  let transportBytes: number | null = null;
  let pairBytes = 0;
  report.forEach((stat: Record<string, unknown>) => {
    const num = (k: string) => (typeof stat[k] === 'number' ? stat[k] : 0);
    if (stat.type === 'transport') {
      if (typeof stat.bytesSent === 'number') transportBytes = (transportBytes ?? 0) + num('bytesSent') + num('bytesReceived');
      if (typeof stat.selectedCandidatePairId === 'string') selectedPair = stat.selectedCandidatePairId;
    } else if (stat.type === 'candidate-pair') {
      pairs.set(String(stat.id), stat);
      pairBytes += num('bytesSent') + num('bytesReceived');
    } else if (stat.type === 'remote-inbound-rtp' && typeof stat.fractionLost === 'number') {
      s.lossFraction = Math.max(s.lossFraction ?? 0, stat.fractionLost);
    } else if (stat.type === 'inbound-rtp') {
      s.received += num('packetsReceived');
      s.lost += Math.max(0, num('packetsLost'));
    }
  });
  s.bytes = transportBytes ?? pairBytes;
  const pair = selectedPair ? pairs.get(selectedPair) : [...pairs.values()].find((p) => p.nominated && p.state === 'succeeded');
  if (pair && typeof pair.currentRoundTripTime === 'number') s.rttMs = pair.currentRoundTripTime * 1000;
  return s;
}

export function levelOf(rttMs: number | null, loss: number | null): LinkLevel {
  const r = rttMs ?? 0;
  const l = loss ?? 0;
  if (l < 0.02 && r < 300) return 'good';
  if (l < 0.08 && r < 800) return 'fair';
  return 'poor';
}

/** A bitrate for people: 850 kbit/s, 1.4 Mbit/s. */
export function formatBitrate(bitsPerSecond: number): string {
  if (bitsPerSecond < 1_000_000) return `${Math.round(bitsPerSecond / 1000)} kbit/s`;
  return `${(bitsPerSecond / 1_000_000).toFixed(1)} Mbit/s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * `[data-testid=network-quality][data-level=good|fair|poor|offline]` and, with `showData`,
 * `[data-testid=data-used][data-bytes=N]`.
 */
export function createLinkIndicator(session: LiveSession, options: { showData: boolean }) {
  const quality = el('span', { class: 'link-quality', testid: 'network-quality', attrs: { role: 'status' } });
  const data = el('span', { class: 'data-used', testid: 'data-used', attrs: { hidden: !options.showData } });
  const root = el('span', { class: 'link-indicator' }, [quality, data]);
  const totals = new Map<string, number>();
  let previous = { received: 0, lost: 0 };
  let state: SessionState = session.state;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let bytesUsed = 0;

  function paint(level: LinkLevel, bytes: number): void {
    quality.dataset.level = level;
    quality.className = `link-quality link-${level}`;
    bindText(quality, `field.quality.${level}`);
    data.dataset.bytes = String(bytes);
    bindText(data, 'field.dataUsed', { amount: formatBytes(bytes) });
  }

  function liveTransports(): Transport[] {
    const { send, recv } = session.mediaTransports();
    return [send, recv].filter((t): t is Transport => t !== null && !t.closed);
  }

  /**
   * "Good signal" only while the media flows: a transport still connecting (one that may never get
   * through a network that blocks media) or cut is no signal, whatever the socket says.
   */
  function mediaFlows(live: Transport[]): boolean {
    const mediaDown = live.some((t) => ['connecting', 'disconnected', 'failed'].includes(t.connectionState));
    const mediaUp = live.some((t) => t.connectionState === 'connected');
    return state === 'connected' && mediaUp && !mediaDown && !session.linkStalled;
  }

  async function poll(): Promise<void> {
    const live = liveTransports();
    const samples = await Promise.all(live.map((t) => sample(t).catch(() => null)));
    let rtt: number | null = null;
    let loss: number | null = null;
    let received = 0;
    let lost = 0;
    live.forEach((t, i) => {
      const s = samples[i];
      if (!s) return;
      totals.set(t.id, s.bytes);
      if (s.rttMs !== null) rtt = Math.max(rtt ?? 0, s.rttMs);
      if (s.lossFraction !== null) loss = Math.max(loss ?? 0, s.lossFraction);
      received += s.received;
      lost += s.lost;
    });
    const dReceived = received - previous.received;
    const dLost = lost - previous.lost;
    if (dReceived + dLost > 0 && dLost >= 0) loss = Math.max(loss ?? 0, dLost / (dReceived + dLost));
    previous = { received, lost };
    const offline = !mediaFlows(live);
    bytesUsed = [...totals.values()].reduce((a, b) => a + b, 0);
    paint(offline ? 'offline' : levelOf(rtt, loss), bytesUsed);
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => void poll().finally(schedule), POLL_MS);
  }

  const offState = session.on('state', (next) => (state = next));
  const offLink = session.on('link', ({ stalled }) => {
    if (stalled) paint('offline', bytesUsed);
  });
  // Until the first reading: good only if the media already flows (a view opened mid-session).
  paint(mediaFlows(liveTransports()) ? 'good' : 'offline', 0);
  schedule();
  return {
    el: root,
    stop(): void {
      stopped = true;
      clearTimeout(timer);
      offState();
      offLink();
    },
  };
}
