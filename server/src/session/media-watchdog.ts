// Watches the media each participant sends, from the producers' packet counters, and reacts when it
// stops and when it comes back.
//
// Why packet counters: when a phone's network drops, mediasoup's ICE state and the producer score
// do not change for many seconds (verified with mediasoup 3.12 and Chromium); the only prompt sign
// is that the producer's byte count stops growing.
//
// Why a key frame on resume: after a cut the receivers' decoders have lost their reference frames
// and would wait for the sender's next periodic key frame (2-3 s of frozen picture). Asking for one
// through every consumer of the producer as soon as packets resume brought that down to 0.3-0.5 s.
//
// Cost: one timer per room, and one `producer.getStats()` (a small worker request) per tick for the
// producers that tell whether a participant's media flows: its video producers, or its audio when
// it sends no video. Paused producers are skipped (a muted microphone sends nothing on purpose).
import { EventEmitter } from 'node:events';
import type { Producer } from 'mediasoup/types';
import { Logger } from '../logging/logger';
import type { Peer } from './peer';
import type { Room } from './room';
import type { RoomRegistry } from './room-registry';

const logger = new Logger('media-watchdog');

export interface MediaWatchdogOptions {
  /**
   * How often the counters of a producer that may have stopped are read (its last read saw no new
   * bytes, or its participant is stalled). The delay to notice a resumption is at most this.
   */
  intervalMs: number;
  /**
   * How often the counters of a producer that is flowing are read. Most producers flow most of the
   * time, so this sets the steady-state cost (one worker request per producer per read); a stall
   * is still noticed within stallMs + this.
   */
  flowingIntervalMs: number;
  /** No new bytes for this long from every watched producer of a peer = its media stalled. */
  stallMs: number;
  /**
   * A peer whose watched producers have not sent a single byte for this long since the watchdog
   * first saw them: its media never got through (the phone says so after 8 s of trying too).
   */
  neverArrivedMs: number;
}

export const DEFAULT_WATCHDOG_OPTIONS: MediaWatchdogOptions = {
  intervalMs: 250,
  flowingIntervalMs: 1_000,
  stallMs: 1_500,
  neverArrivedMs: 8_000,
};

interface Counter {
  bytes: number;
  changedAt: number;
  /** Not read again before this time (see flowingIntervalMs). */
  nextReadAt: number;
}

export interface MediaWatchdogEvents {
  /** The peer's media stopped arriving (its signalling may still look fine). */
  stalled: [room: Room, peer: Peer];
  /** Its media arrives again after `stalledMs`; key frames were requested for its video. */
  resumed: [room: Room, peer: Peer, stalledMs: number];
}

export class MediaWatchdog extends EventEmitter<MediaWatchdogEvents> {
  private readonly counters = new WeakMap<Producer, Counter>();
  private readonly stalledSince = new WeakMap<Peer, number>();
  /** Since when a peer has had watched producers that never sent a byte. */
  private readonly silentSince = new WeakMap<Peer, number>();
  /** Peers told to the room as 'media never arrived'. */
  private readonly neverArrived = new WeakSet<Peer>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: MediaWatchdogOptions = DEFAULT_WATCHDOG_OPTIONS) {
    super();
  }

  /** Watches every room the registry creates from now on. */
  attach(registry: RoomRegistry): this {
    registry.on('roomCreated', (room) => this.watch(room));
    return this;
  }

  /** A peer producing without a byte yet: after neverArrivedMs, the room is told. */
  private watchSilence(room: Room, peer: Peer, now: number): void {
    const since = this.silentSince.get(peer);
    if (since === undefined) {
      this.silentSince.set(peer, now);
      return;
    }
    if (now - since < this.options.neverArrivedMs || this.neverArrived.has(peer)) return;
    this.neverArrived.add(peer);
    logger.warn('tick() | producing -> media never arrived', {
      inspectionId: room.inspectionId,
      participantId: peer.id,
      silentMs: now - since,
    });
    room.setMediaNeverArrived(peer, true);
  }

  watch(room: Room): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return; // a slow worker: skip a tick rather than pile requests up
      busy = true;
      this.tick(room)
        .catch((e) => logger.warn('tick() | could not read producer stats', { inspectionId: room.inspectionId, error: String(e) }))
        .finally(() => (busy = false));
    }, this.options.intervalMs);
    timer.unref();
    this.timers.add(timer);
    room.on('close', () => {
      clearInterval(timer);
      this.timers.delete(timer);
    });
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
  }

  private async tick(room: Room): Promise<void> {
    if (room.closed) return;
    const now = Date.now();
    for (const peer of [...room.peers.values()]) {
      const watched = watchedProducers(peer);
      if (watched.length === 0) {
        this.stalledSince.delete(peer);
        // Its next producer starts its own wait for a first byte.
        this.silentSince.delete(peer);
        continue;
      }
      let flowing = false;
      let started = false;
      const peerStalled = this.stalledSince.has(peer);
      for (const producer of watched) {
        const counter = this.counters.get(producer);
        if (counter && !peerStalled && now < counter.nextReadAt) {
          // Flowing at its last read, less than flowingIntervalMs ago: no worker request.
          flowing ||= now - counter.changedAt < this.options.stallMs;
          if (counter.bytes > 0) started = true;
          continue;
        }
        const stats = await producer.getStats().catch(() => []);
        if (producer.closed) continue;
        const bytes = stats.reduce((sum, s) => sum + (s.byteCount ?? 0), 0);
        if (!counter || bytes !== counter.bytes) {
          this.counters.set(producer, { bytes, changedAt: now, nextReadAt: now + this.options.flowingIntervalMs });
          if (counter) flowing = true;
        } else {
          counter.nextReadAt = now; // no new bytes: read it at every tick until it flows again
          if (now - counter.changedAt < this.options.stallMs) flowing = true;
        }
        // A producer that has never sent a byte is still starting, not stalled.
        if (bytes > 0) started = true;
      }
      if (peer.closed) continue;
      if (!started) {
        this.watchSilence(room, peer, now);
        continue;
      }
      this.silentSince.delete(peer);
      if (this.neverArrived.delete(peer)) {
        logger.info('tick() | media never arrived -> flowing', { inspectionId: room.inspectionId, participantId: peer.id });
        room.setMediaNeverArrived(peer, false);
      }
      const since = this.stalledSince.get(peer);
      if (!flowing && since === undefined) {
        this.stalledSince.set(peer, now);
        logger.info('tick() | media flowing -> stalled', { inspectionId: room.inspectionId, participantId: peer.id });
        room.setMediaInterrupted(peer, true);
        this.safeEmit('stalled', room, peer);
      } else if (flowing && since !== undefined) {
        this.stalledSince.delete(peer);
        const stalledMs = now - since + this.options.stallMs;
        const requested = requestKeyFrames(room, peer);
        logger.info('tick() | media stalled -> flowing; key frames requested', {
          inspectionId: room.inspectionId,
          participantId: peer.id,
          stalledMs,
          consumers: requested,
        });
        room.setMediaInterrupted(peer, false);
        this.safeEmit('resumed', room, peer, stalledMs);
      }
    }
  }

  private safeEmit<E extends keyof MediaWatchdogEvents>(event: E, ...args: MediaWatchdogEvents[E]): void {
    try {
      (this.emit as (e: E, ...a: MediaWatchdogEvents[E]) => boolean)(event, ...args);
    } catch (e) {
      logger.error(`safeEmit() | a '${event}' listener threw`, {}, e);
    }
  }
}

/** The producers that tell whether a peer's media flows: its live video, else its live audio. */
function watchedProducers(peer: Peer): Producer[] {
  const active = [...peer.producers.values()].filter((p) => !p.closed && !p.paused);
  const video = active.filter((p) => p.kind === 'video');
  return video.length > 0 ? video : active;
}

/** Asks every consumer of the peer's video for a key frame; returns how many were asked. */
function requestKeyFrames(room: Room, peer: Peer): number {
  const videoIds = new Set([...peer.producers.values()].filter((p) => p.kind === 'video').map((p) => p.id));
  let count = 0;
  for (const other of room.peers.values()) {
    if (other === peer) continue;
    for (const consumer of other.consumers.values()) {
      if (!videoIds.has(consumer.producerId) || consumer.closed) continue;
      count++;
      consumer.requestKeyFrame().catch(() => undefined); // closed meanwhile: nothing to do
    }
  }
  return count;
}
