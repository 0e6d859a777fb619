import { endOfZonedDay, startOfZonedDay, zonedMonth, zonedMonths, zoneOffsetMs } from '../../server/src/lib/zoned-time';

test('a day in Shanghai starts at 16:00 UTC the day before and ends 24 h later', () => {
  expect(startOfZonedDay('2026-03-01', 'Asia/Shanghai').toISOString()).toBe('2026-02-28T16:00:00.000Z');
  expect(endOfZonedDay('2026-03-01', 'Asia/Shanghai').toISOString()).toBe('2026-03-01T16:00:00.000Z');
  expect(endOfZonedDay('2026-12-31', 'Asia/Shanghai').toISOString()).toBe('2026-12-31T16:00:00.000Z');
  expect(zoneOffsetMs(Date.parse('2026-07-01T00:00:00Z'), 'Asia/Shanghai')).toBe(8 * 3600_000);
});

test('the month of an instant is the zone’s: 1 March 00:30 in Shanghai is still February in UTC', () => {
  const t = new Date('2026-02-28T16:30:00Z');
  expect(zonedMonth(t, 'Asia/Shanghai')).toBe('2026-03');
  expect(zonedMonth(t, 'UTC')).toBe('2026-02');
});

test('daylight saving time: Berlin days of 23 and 25 hours, months exact on both sides of a change', () => {
  const spring = endOfZonedDay('2026-03-29', 'Europe/Berlin').getTime() - startOfZonedDay('2026-03-29', 'Europe/Berlin').getTime();
  const autumn = endOfZonedDay('2026-10-25', 'Europe/Berlin').getTime() - startOfZonedDay('2026-10-25', 'Europe/Berlin').getTime();
  expect([spring / 3600_000, autumn / 3600_000]).toEqual([23, 25]);
  const months = zonedMonths(new Date('2026-02-15T00:00:00Z'), new Date('2026-04-02T00:00:00Z'), 'Europe/Berlin');
  expect(months.map((m) => [m.month, m.start.toISOString(), m.end.toISOString()])).toEqual([
    ['2026-02', '2026-01-31T23:00:00.000Z', '2026-02-28T23:00:00.000Z'],
    ['2026-03', '2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z'],
    ['2026-04', '2026-03-31T22:00:00.000Z', '2026-04-30T22:00:00.000Z'],
  ]);
});

test('months cover the whole range, each ending where the next begins', () => {
  const months = zonedMonths(new Date('2021-01-01T00:00:00Z'), new Date('2025-12-31T12:00:00Z'), 'Asia/Shanghai');
  expect(months).toHaveLength(60);
  for (let k = 1; k < months.length; k++) expect(months[k]!.start).toEqual(months[k - 1]!.end);
});
