// Times in the printed report are the authority's (TIME_ZONE), each with its offset.
import { reportTime } from '../../server/src/reports/print-view';

test('a UTC instant printed in the configured zone, with its offset', () => {
  expect(reportTime('2026-12-03T13:30:00Z', 'Asia/Shanghai')).toBe('2026-12-03 21:30 UTC+8');
  // Past midnight there: the date moves too.
  expect(reportTime('2026-12-03T16:05:00Z', 'Asia/Shanghai')).toBe('2026-12-04 00:05 UTC+8');
  expect(reportTime('2026-12-03T13:30:00Z', 'UTC')).toBe('2026-12-03 13:30 UTC');
  // Summer time where there is one.
  expect(reportTime('2026-07-01T12:00:00Z', 'Europe/Berlin')).toBe('2026-07-01 14:00 UTC+2');
  expect(reportTime('2026-12-01T12:00:00Z', 'Europe/Berlin')).toBe('2026-12-01 13:00 UTC+1');
  expect(reportTime(null, 'Asia/Shanghai')).toBe('—');
});
