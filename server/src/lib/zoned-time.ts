// Calendar days and months in the authority's time zone (TIME_ZONE, an IANA name), as instants:
// a report "from 2026-03-01" starts at midnight in Shanghai, 2026-02-28 16:00 UTC. The platform's
// own time-zone data (Intl) answers every offset, daylight saving time included; nothing here
// assumes a fixed offset.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at `instant` (ms): its fields. */
function wallClock(instant: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts = formatter(timeZone).formatToParts(new Date(instant));
  const n = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: n('year'), m: n('month'), d: n('day'), h: n('hour'), min: n('minute'), s: n('second') };
}

/** How far `timeZone`'s clock is ahead of UTC at `instant`, in ms (+8 h in Shanghai). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s);
  return asUtc - (instant - (((instant % 1000) + 1000) % 1000));
}

/** The instant the wall clock in `timeZone` reads y-m-d 00:00 (the first such, on a DST day). */
export function zonedMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  // Two passes: the offset at the guess, then at the instant it gives (they differ across a change).
  const first = guess - zoneOffsetMs(guess, timeZone);
  return guess - zoneOffsetMs(first, timeZone);
}

/** Start of the day `date` (YYYY-MM-DD) in `timeZone`. */
export function startOfZonedDay(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(zonedMidnight(y, m, d, timeZone));
}

/** End of the day `date` (YYYY-MM-DD) in `timeZone`: the start of the next day (exclusive). */
export function endOfZonedDay(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return new Date(zonedMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone));
}

/** The month ("2026-03") the instant falls in, in `timeZone`. */
export function zonedMonth(instant: Date, timeZone: string): string {
  const w = wallClock(instant.getTime(), timeZone);
  return `${w.y}-${String(w.m).padStart(2, '0')}`;
}

export interface ZonedMonth {
  month: string;
  /** Its first instant (midnight of the 1st in the zone). */
  start: Date;
  /** The next month's first instant (exclusive). */
  end: Date;
}

/** Every month in `timeZone` that [from, to] touches, in order. */
export function zonedMonths(from: Date, to: Date, timeZone: string): ZonedMonth[] {
  const first = wallClock(from.getTime(), timeZone);
  const months: ZonedMonth[] = [];
  let y = first.y;
  let m = first.m;
  for (;;) {
    const start = new Date(zonedMidnight(y, m, 1, timeZone));
    if (start.getTime() > to.getTime()) break;
    const [ny, nm] = m === 12 ? [y + 1, 1] : [y, m + 1];
    months.push({ month: `${y}-${String(m).padStart(2, '0')}`, start, end: new Date(zonedMidnight(ny, nm, 1, timeZone)) });
    [y, m] = [ny, nm];
  }
  return months;
}
