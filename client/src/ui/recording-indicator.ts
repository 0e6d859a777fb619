// The recording indicator, shown on the crew phone and the surveyor console: a red
// "REC" while the inspection is recorded. Staff get the switch next to it (recording.start/stop).
import type { RecordingStateEvent } from '@cloudship/shared';
import type { LiveSession } from '../live-session';
import { bindText } from '../i18n';
import { button, el } from './dom';

export function recordingIndicator(session: LiveSession, withSwitch: boolean): { el: HTMLElement; dispose(): void } {
  const dot = el('span', { class: 'rec-indicator', testid: 'recording-indicator', t: 'recording.off', data: { recording: 'false' } });
  let state: RecordingStateEvent | null = null;
  const toggle = button({ kind: 'ghost', testid: 'recording-toggle', t: 'recording.stop' }, () => {
    void session.setRecording(!state?.recording).catch(() => undefined);
  });
  const paint = (s: RecordingStateEvent) => {
    state = s;
    dot.dataset.recording = String(s.recording);
    dot.style.color = s.recording ? '#c0392b' : '#789';
    bindText(dot, s.recording ? 'recording.indicator' : 'recording.off');
    bindText(toggle, s.recording ? 'recording.stop' : 'recording.start');
  };
  const off = session.on('recording', paint);
  if (session.recordingState) paint(session.recordingState);
  return { el: el('span', { class: 'rec-box' }, withSwitch ? [dot, toggle] : [dot]), dispose: off };
}
