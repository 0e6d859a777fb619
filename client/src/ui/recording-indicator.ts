// The recording indicator, shown on the crew phone and the surveyor console. "REC" (red) means
// media of every track the room sends is being written; while one is not (its recorder starting or
// restarting, the disk full) it says "REC — not everything" (amber) and lists which track is not
// recorded and why (also a track whose media stopped and is expected back: a participant
// reconnecting, a restart). While this page has no connection to the server the last state it was
// told may no longer be true: it says so ("REC?", grey) instead of showing it. Staff get the switch
// next to it (recording.start/stop).
import type { RecordingStateEvent, RecordingTrackState } from '@cloudship/shared';
import type { LiveSession } from '../live-session';
import { bindText, onLanguageChange, t } from '../i18n';
import { button, el } from './dom';

/** What the indicator shows: 'on' (all tracks written), 'partial' (some are not), 'off'. */
export function recordingHealth(s: RecordingStateEvent): 'on' | 'partial' | 'off' {
  if (!s.recording) return 'off';
  return s.tracks.every((t) => t.state === 'recording') ? 'on' : 'partial';
}

const COLOR = { on: '#c0392b', partial: '#b7791f', off: '#789', unknown: '#789' } as const;
const LABEL = { on: 'recording.indicator', partial: 'recording.partial', off: 'recording.off', unknown: 'recording.unknown' } as const;

export function recordingIndicator(session: LiveSession, withSwitch: boolean): { el: HTMLElement; dispose(): void } {
  const dot = el('span', { class: 'rec-indicator', testid: 'recording-indicator', t: 'recording.off', data: { recording: 'false' } });
  const missing = el('ul', { class: 'rec-missing', testid: 'recording-missing', attrs: { hidden: true } });
  let state: RecordingStateEvent | null = null;
  const toggle = button({ kind: 'ghost', testid: 'recording-toggle', t: 'recording.stop' }, () => {
    void session.setRecording(!state?.recording).catch(() => undefined);
  });
  const missingItem = (tr: RecordingTrackState) => {
    const li = el('li', { data: { peer: tr.peerId, source: tr.source, state: tr.state } });
    // Plain text in the current language: the list is painted again when the language changes.
    li.textContent = t('recording.trackMissing', {
      name: tr.displayName,
      source: t(`recording.source.${tr.source}`),
      why:
        tr.state === 'no-media'
          ? t('recording.track.no-media', { cause: t(`replay.gapCause.${tr.cause ?? 'unexplained'}`) })
          : t(`recording.track.${tr.state as Exclude<RecordingTrackState['state'], 'recording' | 'no-media'>}`),
    });
    return li;
  };
  const paint = (s: RecordingStateEvent) => {
    state = s;
    const health = session.state === 'connected' || session.state === 'idle' ? recordingHealth(s) : 'unknown';
    dot.dataset.recording = String(s.recording);
    dot.dataset.health = health;
    dot.style.color = COLOR[health];
    bindText(dot, LABEL[health]);
    bindText(toggle, s.recording ? 'recording.stop' : 'recording.start');
    const notWritten = s.recording && health !== 'unknown' ? s.tracks.filter((t) => t.state !== 'recording') : [];
    missing.replaceChildren(...notWritten.map(missingItem));
    missing.hidden = notWritten.length === 0;
  };
  const offState = session.on('recording', paint);
  // Connection lost or back: the last state is painted as unknown, or as told again on rejoin.
  const offConnection = session.on('state', () => state && paint(state));
  const offLanguage = onLanguageChange(() => state && paint(state));
  if (session.recordingState) paint(session.recordingState);
  return {
    el: el('span', { class: 'rec-box' }, withSwitch ? [dot, toggle, missing] : [dot, missing]),
    dispose() {
      offState();
      offConnection();
      offLanguage();
    },
  };
}
