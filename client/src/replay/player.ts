// Synchronised replay of one recording. Every track was recorded separately, in segments stamped
// with wall-clock times; the player keeps one clock (ms since the recording's first segment) and
// one media element per lane: a <video> for the crew camera, an <audio> per microphone. Each lane
// loads the segment that covers the clock and is nudged back when it drifts more than 250 ms. The
// video is the master while it plays; in gaps (no video) a wall clock carries on.
import type { RecordingTimelineView, SegmentView, TrackView } from '@cloudship/shared';
import { t } from '../i18n';
import { button, el } from '../ui/dom';

const DRIFT_MS = 250;

interface Lane {
  media: HTMLMediaElement;
  segments: Array<SegmentView & { from: number; to: number }>;
  current: SegmentView | null;
  /** Offset (ms in the segment) to seek to once the new source has its metadata. */
  pendingOffset: number | null;
}

export interface ReplayPlayer {
  root: HTMLElement;
  position(): number;
  duration(): number;
  seek(ms: number): void;
  play(): void;
  pause(): void;
  video: HTMLVideoElement;
  dispose(): void;
}

export function createPlayer(view: RecordingTimelineView): ReplayPlayer {
  const t0 = Date.parse(view.startAt);
  const total = Math.max(1, Date.parse(view.endAt) - t0);
  const lanesOf = (pred: (tr: TrackView) => boolean) => view.tracks.filter(pred);
  const span = (segs: SegmentView[]) =>
    segs.map((s) => ({ ...s, from: Date.parse(s.startAt) - t0, to: Date.parse(s.endAt) - t0 })).sort((a, b) => a.from - b.from);

  const video = el('video', { class: 'replay-video', testid: 'replay-video', attrs: { playsinline: true, preload: 'auto' } });
  const lanes: Lane[] = [];
  // The crew camera: every camera track of the crew, merged in time (a rejoin may start a new track).
  lanes.push({
    media: video,
    segments: span(lanesOf((tr) => tr.kind === 'video' && tr.role === 'crew').flatMap((tr) => tr.segments)),
    current: null,
    pendingOffset: null,
  });
  for (const tr of lanesOf((x) => x.kind === 'audio')) {
    lanes.push({
      media: el('audio', { attrs: { preload: 'auto' }, data: { track: tr.trackKey } }),
      segments: span(tr.segments),
      current: null,
      pendingOffset: null,
    });
  }

  let playing = false;
  let clock = 0; // ms since t0
  let wallBase = performance.now();
  let clockBase = 0;

  const slider = el('input', { testid: 'replay-seek', attrs: { type: 'range', min: 0, max: total, step: 100, value: 0 } });
  const label = el('span', { class: 'replay-time', testid: 'replay-time' });
  const playButton = button({ kind: 'primary', testid: 'replay-play', t: 'replay.play' }, () => (playing ? pause() : play()));

  function fmt(ms: number): string {
    const s = Math.max(0, Math.round(ms / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }

  function sync(): void {
    // Master: the video while it plays inside a segment; otherwise the wall clock.
    const v = lanes[0]!;
    if (playing && v.current && !video.paused && video.readyState >= 2 && v.pendingOffset === null) {
      clock = Date.parse(v.current.startAt) - t0 + video.currentTime * 1000;
      clockBase = clock;
      wallBase = performance.now();
    } else if (playing) {
      clock = clockBase + (performance.now() - wallBase);
    }
    if (clock >= total) {
      clock = total;
      pause();
    }
    for (const lane of lanes) place(lane);
    slider.value = String(Math.round(clock));
    label.textContent = `${fmt(clock)} / ${fmt(total)}`;
  }

  function place(lane: Lane): void {
    const seg = lane.segments.find((s) => clock >= s.from && clock < s.to) ?? null;
    if (!seg) {
      if (!lane.media.paused) lane.media.pause();
      lane.current = null;
      lane.media.classList.add('in-gap');
      return;
    }
    lane.media.classList.remove('in-gap');
    const offset = clock - seg.from;
    if (lane.current?.id !== seg.id) {
      lane.current = seg;
      lane.pendingOffset = offset;
      lane.media.src = seg.url;
      lane.media.load();
      return;
    }
    if (lane.pendingOffset !== null) return; // still loading
    if (Math.abs(lane.media.currentTime * 1000 - offset) > DRIFT_MS) lane.media.currentTime = offset / 1000;
    if (playing && lane.media.paused) void lane.media.play().catch(() => undefined);
    if (!playing && !lane.media.paused) lane.media.pause();
  }

  for (const lane of lanes) {
    lane.media.addEventListener('loadedmetadata', () => {
      if (lane.pendingOffset === null) return;
      lane.media.currentTime = lane.pendingOffset / 1000;
      lane.pendingOffset = null;
      if (playing) void lane.media.play().catch(() => undefined);
    });
  }

  function play(): void {
    if (clock >= total) clock = 0;
    playing = true;
    clockBase = clock;
    wallBase = performance.now();
    playButton.textContent = t('replay.pause');
    sync();
  }
  function pause(): void {
    playing = false;
    clockBase = clock;
    playButton.textContent = t('replay.play');
    for (const lane of lanes) if (!lane.media.paused) lane.media.pause();
  }
  function seek(ms: number): void {
    clock = Math.min(Math.max(0, ms), total - 1);
    clockBase = clock;
    wallBase = performance.now();
    sync();
  }
  slider.addEventListener('input', () => seek(Number(slider.value)));
  const timer = setInterval(sync, 100);

  // The timeline: segments per lane, gaps, joins and leaves, as positioned marks on one bar.
  const pct = (ms: number) => `${Math.min(100, Math.max(0, (ms / total) * 100)).toFixed(3)}%`;
  const bar = el('div', { class: 'replay-timeline', testid: 'replay-timeline' });
  for (const tr of view.tracks) {
    const row = el('div', { class: 'replay-lane', attrs: { title: `${tr.displayName} · ${t(`recording.source.${tr.source}`)}` } });
    for (const s of span(tr.segments)) {
      const mark = el('span', {
        class: `replay-seg ${s.uploadState}`,
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
    bar.append(el('div', { class: 'replay-lane-label', text: `${tr.role} · ${tr.displayName} · ${tr.source}` }), row);
  }
  const events = el('ul', { class: 'replay-events', testid: 'replay-events' });
  const items: Array<{ at: number; text: string; kind: string }> = [];
  for (const p of view.participants) {
    items.push({ at: Date.parse(p.joinedAt) - t0, text: t('replay.joined', { name: p.displayName }), kind: 'join' });
    if (p.leftAt) items.push({ at: Date.parse(p.leftAt) - t0, text: t('replay.left', { name: p.displayName }), kind: 'leave' });
  }
  for (const g of view.gaps)
    items.push({
      at: Date.parse(g.from) - t0,
      text: `${t('replay.gap')}: ${g.displayName} · ${g.source}, ${fmt(Date.parse(g.to) - Date.parse(g.from))} (${t(`replay.gapCause.${g.cause}`)})`,
      kind: 'gap',
    });
  // The chat: who wrote what, who asked for or sent which document (with its SHA-256).
  for (const m of view.chat) {
    const who = `${m.senderName} (${t(`replay.role.${m.senderRole}`)})`;
    const text =
      m.kind === 'text'
        ? t('replay.chatText', { who, text: m.text })
        : m.kind === 'document-request'
          ? t('replay.chatRequest', { who, title: m.text })
          : t('replay.chatDocument', { who, name: m.text, sha256: m.document?.sha256.slice(0, 16) ?? '' });
    items.push({ at: Date.parse(m.sentAt) - t0, text, kind: m.kind === 'text' ? 'chat' : 'document' });
  }
  for (const it of items.sort((a, b) => a.at - b.at)) {
    const li = el('li', { class: `replay-event ${it.kind}`, data: { kind: it.kind } }, [
      button({ kind: 'ghost', text: fmt(Math.max(0, it.at)) }, () => seek(Math.max(0, it.at))),
      el('span', { text: ` ${it.text}` }),
    ]);
    events.append(li);
  }
  const audioBox = el(
    'div',
    { class: 'replay-audio' },
    lanes.slice(1).map((l) => l.media),
  );
  const root = el('section', { class: 'replay-player', testid: 'replay-player' }, [
    video,
    audioBox,
    el('div', { class: 'replay-controls' }, [playButton, slider, label]),
    bar,
    ...view.consents.map((c) => el('p', { class: 'muted', text: t('replay.consent', { time: new Date(c.consentedAt).toLocaleString() }) })),
    events,
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
    dispose() {
      clearInterval(timer);
      for (const lane of lanes) {
        lane.media.pause();
        lane.media.removeAttribute('src');
        lane.media.load();
      }
    },
  };
}
