// Media elements for remote tracks: one <audio> and one <video> per remote peer and source.
//
// Why `play()` may reject: browsers only let a page start sound on its own after the user has
// interacted with it (Chrome's "sticky activation"). Both pages start the session from a click
// (join), so this normally succeeds; when it does not (a reload while live, a strict policy) the
// audio element stays paused and we report it so the page can show a "tap to enable sound" button
// whose click calls `retryPlayback()`. An AbortError only means that srcObject changed before the
// previous play() settled: harmless, ignored.
//
// Video elements are always `muted`: the sound comes from the separate audio element, and a muted
// video is allowed to autoplay under every policy, so the picture never waits for a gesture.
import type { MediaSource } from '@cloudship/shared';

export type MediaKind = 'audio' | 'video';

export class RemoteMedia {
  private readonly elements = new Map<string, HTMLMediaElement>();
  private blocked = false;

  /**
   * @param audioContainer where the (invisible) audio elements live; audio plays without being in
   *   the DOM, but there it can be inspected and it is removed with the page.
   * @param onAutoplayBlocked called once when the browser refuses to start sound on its own.
   */
  constructor(
    private readonly audioContainer: HTMLElement,
    private readonly onAutoplayBlocked: () => void,
  ) {}

  private static key(peerId: string, source: MediaSource): string {
    return `${peerId}:${source}`;
  }

  element(peerId: string, source: MediaSource): HTMLMediaElement | null {
    return this.elements.get(RemoteMedia.key(peerId, source)) ?? null;
  }

  /** Show `track` in the element of (peer, source), creating it if needed. */
  attach(peerId: string, source: MediaSource, kind: MediaKind, track: MediaStreamTrack): HTMLMediaElement {
    const key = RemoteMedia.key(peerId, source);
    let media = this.elements.get(key);
    if (!media || media.tagName.toLowerCase() !== kind) {
      media?.remove();
      media = kind === 'audio' ? this.createAudio() : this.createVideo();
      media.dataset.peerId = peerId;
      media.dataset.source = source;
      this.elements.set(key, media);
    }
    media.srcObject = new MediaStream([track]);
    this.play(media);
    return media;
  }

  /** Remove the element of (peer, source) if it still shows `track` (or any track when omitted). */
  detach(peerId: string, source: MediaSource, track?: MediaStreamTrack): boolean {
    const key = RemoteMedia.key(peerId, source);
    const media = this.elements.get(key);
    if (!media) return false;
    const stream = media.srcObject as MediaStream | null;
    if (track && stream && !stream.getTracks().includes(track)) return false;
    media.pause();
    media.srcObject = null;
    media.remove();
    this.elements.delete(key);
    return true;
  }

  /** Start every paused element again; call from a click handler after autoplay was blocked. */
  retryPlayback(): void {
    this.blocked = false;
    for (const media of this.elements.values()) {
      if (media.paused) this.play(media);
    }
  }

  clear(): void {
    for (const media of this.elements.values()) {
      media.pause();
      media.srcObject = null;
      media.remove();
    }
    this.elements.clear();
  }

  private createAudio(): HTMLAudioElement {
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.dataset.testid = 'remote-audio';
    this.audioContainer.appendChild(audio);
    return audio;
  }

  private createVideo(): HTMLVideoElement {
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true; // iOS/Android: play in the page, never force full screen
    video.muted = true;
    video.dataset.testid = 'remote-video';
    return video;
  }

  private play(media: HTMLMediaElement): void {
    media.play().catch((err: unknown) => {
      const name = err instanceof Error ? err.name : '';
      if (name === 'NotAllowedError' && !this.blocked) {
        this.blocked = true;
        this.onAutoplayBlocked();
      }
      // AbortError (srcObject replaced) and others: nothing to do, the next attach plays again.
    });
  }
}
