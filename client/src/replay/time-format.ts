// Times on the replay page: positions on a recording's clock as m:ss (h:mm:ss past an hour).
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** A recording's length in words for the list, e.g. "12 min 5 s" / "12分5秒" (the caller's template). */
export function durationParts(ms: number): { h: number; min: number; s: number } {
  const total = Math.max(0, Math.round(ms / 1000));
  return { h: Math.floor(total / 3600), min: Math.floor((total % 3600) / 60), s: total % 60 };
}
