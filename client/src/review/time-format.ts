// Times on the replay page: positions on a recording's clock as m:ss (h:mm:ss past an hour), and a
// recording's length in words.
import type { RecordingSummaryView } from '@cloudship/shared';
import { t } from '../i18n';

export function formatClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** Hours, minutes and seconds of a length in ms. */
export function durationParts(ms: number): { h: number; min: number; s: number } {
  const total = Math.max(0, Math.round(ms / 1000));
  return { h: Math.floor(total / 3600), min: Math.floor((total % 3600) / 60), s: total % 60 };
}

/** How long a recording ran (from its start to its end, or until now while live), e.g. "12 min 5 s". */
export function recordingLength(r: Pick<RecordingSummaryView, 'startedAt' | 'endedAt'>): string {
  const { h, min, s } = durationParts((r.endedAt ? Date.parse(r.endedAt) : Date.now()) - Date.parse(r.startedAt));
  return lengthText({ h, min, s });
}

/** A length in words: "1 h 5 min", "12 min 5 s", "19 s". */
export function lengthText(ms: number | { h: number; min: number; s: number }): string {
  const { h, min, s } = typeof ms === 'number' ? durationParts(ms) : ms;
  return h ? t('replay.durationHour', { h, min }) : min ? t('replay.durationMin', { min, s }) : t('replay.durationSec', { s });
}
