// Synchronised replay of one recording. Every track was recorded separately, in segments stamped
// with wall-clock times; the player keeps one clock (ms since the recording's first segment) and
// one media element per lane: a <video> for the crew camera (every camera track of the crew,
// merged in time) and for each other camera, an <audio> per microphone. Each lane loads the
// segment that covers the clock and is nudged back when it drifts more than 250 ms.
//
// The clock: the crew video is the master while it plays (its position is the clock); in its gaps
// and while it loads, the wall clock carries on. After a seek (and when play starts) the clock
// holds until every lane with media at that moment has loaded and seeked (like a player buffering), so that all lanes start together from the same moment. A lane that is
// not ready within MAX_WAIT_MS (a broken segment) is left behind rather than holding the replay.
// A lane moving on to its next segment while playing does not hold the others: it catches up.
//
// A seek while playing used to snap back: the master's position was read (the video still at the
// old time) before the lanes were moved to the new one, and became the clock again. Now a seek
// moves every lane first, and a lane counts as ready only once its element is no longer seeking.
import type { RecordingTimelineView, SegmentView, TrackView } from '@cloudship/shared';
import { t } from '../i18n';
import { button, el } from '../ui/dom';
import { formatClock } from '../review/time-format';

const DRIFT_MS = 250;
const MAX_WAIT_MS = 8_000;
const TICK_MS = 100;

type TimedSegment = SegmentView & { from: number; to: number };

interface Lane {
  /** The track keys it plays (the crew camera lane: every crew camera track). */
  trackKeys: string[];
  kind: 'audio' | 'video';
  media: HTMLMediaElement;
  segments: TimedSegment[];
  current: TimedSegment | null;
  /** Offset (ms in the segment) to seek to once the new source has its metadata. */
  pendingOffset: number | null;
  /** The current segment failed to load: not waited for until the lane moves to another one. */
  failed: boolean;
}

/** One lane as a test or the page sees it: where its element is on the recording's clock. */
export interface LaneState {
  trackKeys: string[];
  kind: 'audio' | 'video';
  /** ms on the recording's clock, null while in a gap or loading. */
  position: number | null;
  playing: boolean;
  inGap: boolean;
}

export interface ReplayPlayer {
  root: HTMLElement;
  position(): number;
  duration(): number;
  /** ms since the recording's start of the timeline (view.startAt). */
  seek(ms: number): void;
  play(): void;
  pause(): void;
  /** 'buffering': playing, the clock held until every lane is ready. */
  state(): 'playing' | 'paused' | 'buffering';
  lanes(): LaneState[];
  video: HTMLVideoElement;
  /** Called on every tick with the clock (the timeline's cursor, the review panel). */
  onTick(listener: (ms: number) => void): void;
  dispose(): void;
}

export function createPlayer(view: RecordingTimelineView): ReplayPlayer {
  const t0 = Date.parse(view.startAt);
  const total = Math.max(1, Date.parse(view.endAt) - t0);
  const span = (segs: SegmentView[]): TimedSegment[] =>
    segs.map((s) => ({ ...s, from: Date.parse(s.startAt) - t0, to: Date.parse(s.endAt) - t0 })).sort((a, b) => a.from - b.from);

  const video = el('video', { class: 'replay-video', testid: 'replay-video', attrs: { playsinline: true, preload: 'auto' } });
  const lanes: Lane[] = [];
  const lane = (media: HTMLMediaElement, kind: Lane['kind'], tracks: TrackView[]): Lane => ({
    trackKeys: tracks.map((tr) => tr.trackKey),
    kind,
    media,
    segments: span(tracks.flatMap((tr) => tr.segments)),
    current: null,
    pendingOffset: null,
    failed: false,
  });
  const crewCameras = view.tracks.filter((tr) => tr.kind === 'video' && tr.role === 'crew');
  lanes.push(lane(video, 'video', crewCameras));
  const otherVideos: HTMLVideoElement[] = [];
  for (const tr of view.tracks.filter((x) => x.kind === 'video' && x.role !== 'crew')) {
    const v = el('video', {
      class: 'replay-video-small',
      attrs: { playsinline: true, preload: 'auto', muted: true, title: `${tr.displayName} · ${t(`recording.source.${tr.source}`)}` },
      data: { track: tr.trackKey },
    });
    v.muted = true; // its sound is the microphone's lane
    otherVideos.push(v);
    lanes.push(lane(v, 'video', [tr]));
  }
  for (const tr of view.tracks.filter((x) => x.kind === 'audio')) {
    lanes.push(lane(el('audio', { attrs: { preload: 'auto' }, data: { track: tr.trackKey } }), 'audio', [tr]));
  }
  const master = lanes[0]!;

  let playing = false;
  let holding = false;
  /** Since a seek (or the start of play): the clock holds until every lane is ready. */
  let settling = false;
  let waitingSince: number | null = null;
  let clock = 0; // ms since t0
  let wallBase = performance.now();
  let clockBase = 0;
  let dragging = false;
  const tickListeners: Array<(ms: number) => void> = [];

  const slider = el('input', { testid: 'replay-seek', attrs: { type: 'range', min: 0, max: total, step: 100, value: 0 } });
  const label = el('span', { class: 'replay-time', testid: 'replay-time' });
  const playButton = button({ kind: 'primary', testid: 'replay-play', t: 'replay.play' }, () => (playing ? pause() : play()));

  /** Loaded, not seeking, with data to play on (or at its end); a lane in a gap is never waited for. */
  function ready(l: Lane): boolean {
    if (!l.current || l.failed) return true;
    if (l.pendingOffset !== null || l.media.seeking) return false;
    return l.media.ended || l.media.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA;
  }

  function sync(): void {
    const now = performance.now();
    if (playing) {
      const waiting = settling && lanes.some((l) => !ready(l));
      if (waiting && (waitingSince === null || now - waitingSince < MAX_WAIT_MS)) {
        // Buffering after a seek: the clock holds until the slowest lane is ready.
        waitingSince ??= now;
        holding = true;
      } else {
        settling = false;
        waitingSince = null;
        holding = false;
        const m = master.current;
        if (m && ready(master) && !video.paused && !video.ended) clock = m.from + video.currentTime * 1000;
        else clock = clockBase + (now - wallBase);
      }
      clockBase = clock;
      wallBase = now;
    }
    if (clock >= total) {
      clock = total;
      pause();
    }
    for (const l of lanes) place(l);
    if (!dragging) slider.value = String(Math.round(clock));
    label.textContent = `${formatClock(clock)} / ${formatClock(total)}`;
    playButton.dataset.state = state();
    for (const listener of tickListeners) listener(clock);
  }

  function place(l: Lane, exact = false): void {
    const seg = l.segments.find((s) => clock >= s.from && clock < s.to) ?? null;
    if (!seg) {
      if (!l.media.paused) l.media.pause();
      l.current = null;
      l.media.classList.add('in-gap');
      return;
    }
    l.media.classList.remove('in-gap');
    const offset = clock - seg.from;
    if (l.current?.id !== seg.id) {
      l.current = seg;
      l.failed = false;
      l.pendingOffset = offset;
      l.media.src = seg.url;
      l.media.load();
      return;
    }
    if (l.pendingOffset !== null) {
      l.pendingOffset = offset; // still loading: it will start from where the clock is then
      return;
    }
    if (exact || Math.abs(l.media.currentTime * 1000 - offset) > DRIFT_MS) l.media.currentTime = offset / 1000;
    const shouldPlay = playing && !holding;
    if (shouldPlay && l.media.paused && !l.media.ended) void l.media.play().catch(() => undefined);
    if (!shouldPlay && !l.media.paused) l.media.pause();
  }

  for (const l of lanes) {
    l.media.addEventListener('loadedmetadata', () => {
      if (l.pendingOffset === null) return;
      l.media.currentTime = l.pendingOffset / 1000;
      l.pendingOffset = null;
    });
    l.media.addEventListener('error', () => {
      if (!l.current) return;
      l.failed = true;
      l.pendingOffset = null;
      console.warn('replay | segment failed to load', l.current.id);
    });
  }

  function state(): 'playing' | 'paused' | 'buffering' {
    return !playing ? 'paused' : holding ? 'buffering' : 'playing';
  }

  function play(): void {
    if (clock >= total) seek(0);
    playing = true;
    settling = true;
    waitingSince = null;
    clockBase = clock;
    wallBase = performance.now();
    playButton.textContent = t('replay.pause');
    sync();
  }
  function pause(): void {
    playing = false;
    holding = false;
    clockBase = clock;
    playButton.textContent = t('replay.play');
    for (const l of lanes) if (!l.media.paused) l.media.pause();
  }
  function seek(ms: number): void {
    clock = Math.min(Math.max(0, ms), total - 1);
    clockBase = clock;
    wallBase = performance.now();
    settling = true;
    waitingSince = null;
    // Every lane to the new moment first; the master's old position must not become the clock again.
    for (const l of lanes) place(l, true);
    sync();
  }
  slider.addEventListener('pointerdown', () => (dragging = true));
  slider.addEventListener('pointerup', () => (dragging = false));
  slider.addEventListener('input', () => seek(Number(slider.value)));
  slider.addEventListener('change', () => {
    dragging = false;
    seek(Number(slider.value));
  });
  const timer = setInterval(sync, TICK_MS);

  // The media timeline: segments per track (colour = upload state) and gaps, hatched, with their cause.
  const pct = (ms: number) => `${Math.min(100, Math.max(0, (ms / total) * 100)).toFixed(3)}%`;
  const bar = el('div', { class: 'replay-timeline', testid: 'replay-timeline' });
  for (const tr of view.tracks) {
    const row = el('div', { class: 'replay-lane', attrs: { title: `${tr.displayName} · ${t(`recording.source.${tr.source}`)}` } });
    for (const s of span(tr.segments)) {
      const mark = el('span', {
        class: `replay-seg ${s.uploadState}`,
        testid: 'replay-seg',
        data: { segment: s.id },
        attrs: { title: `#${s.index} ${t(`replay.upload.${s.uploadState}`)}` },
      });
      mark.style.left = pct(s.from);
      mark.style.width = pct(s.to - s.from);
      row.append(mark);
    }
    // Every gap of the lane, with its cause: a hatched stretch, at least a hairline wide.
    for (const g of view.gaps.filter((x) => x.trackKey === tr.trackKey)) {
      const from = Date.parse(g.from) - t0;
      const mark = el('span', {
        class: 'replay-gapmark',
        testid: 'replay-gap',
        data: { cause: g.cause },
        attrs: { title: `${t('replay.gap')}: ${t(`replay.gapCause.${g.cause}`)}` },
      });
      mark.style.left = pct(from);
      mark.style.width = `max(2px, ${pct(Date.parse(g.to) - t0 - from)})`;
      row.append(mark);
    }
    bar.append(
      el('div', {
        class: 'replay-lane-label',
        text: `${tr.displayName} · ${t(`replay.role.${tr.role}`)} · ${t(`recording.source.${tr.source}`)}`,
      }),
      row,
    );
  }

  const videos = el('div', { class: 'replay-videos' }, [
    video,
    otherVideos.length ? el('div', { class: 'replay-video-side' }, otherVideos) : null,
  ]);
  const audioBox = el(
    'div',
    { class: 'replay-audio' },
    lanes.filter((l) => l.kind === 'audio').map((l) => l.media),
  );
  const root = el('section', { class: 'replay-player', testid: 'replay-player' }, [
    videos,
    audioBox,
    el('div', { class: 'replay-controls' }, [playButton, slider, label]),
    bar,
  ]);
  sync();

  return {
    root,
    video,
    position: () => clock,
    duration: () => total,
    seek,
    play,
    pause,
    state,
    lanes: () =>
      lanes.map((l) => ({
        trackKeys: l.trackKeys,
        kind: l.kind,
        position: l.current && l.pendingOffset === null && !l.failed ? l.current.from + l.media.currentTime * 1000 : null,
        playing: !l.media.paused && !l.media.ended,
        inGap: !l.current,
      })),
    onTick: (listener) => tickListeners.push(listener),
    dispose() {
      clearInterval(timer);
      for (const l of lanes) {
        l.media.pause();
        l.media.removeAttribute('src');
        l.media.load();
      }
    },
  };
}
