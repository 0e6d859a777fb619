import {
  CREW_LINK_CODE_ALPHABET,
  CREW_LINK_CODE_LENGTH,
  generateCrewLinkCode,
  normalizeCrewLinkCode,
} from '../../server/src/auth/crew-link-code';

test('codes are 10 characters of an alphabet without look-alikes (0/o, 1/l/i)', () => {
  expect(CREW_LINK_CODE_LENGTH).toBe(10);
  expect(CREW_LINK_CODE_ALPHABET).toHaveLength(31);
  for (const c of '01ilo') expect(CREW_LINK_CODE_ALPHABET).not.toContain(c);
  for (let i = 0; i < 200; i++) expect(generateCrewLinkCode()).toMatch(/^[2-9a-hjkmnp-z]{10}$/);
});

test('codes are drawn uniformly: every character appears, none far more often than the others', () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 3_100; i++) for (const c of generateCrewLinkCode()) counts.set(c, (counts.get(c) ?? 0) + 1);
  expect(counts.size).toBe(31);
  // 31,000 characters: about 1,000 each (standard deviation about 31).
  for (const n of counts.values()) expect(Math.abs(n - 1_000)).toBeLessThan(150);
});

test('input is taken case-insensitively and trimmed; anything that cannot be a code is null', () => {
  const code = generateCrewLinkCode();
  expect(normalizeCrewLinkCode(code)).toBe(code);
  expect(normalizeCrewLinkCode(` ${code.toUpperCase()} `)).toBe(code);
  for (const bad of [code.slice(0, 9), `${code}2`, `${code.slice(0, 9)}o`, `${code.slice(0, 9)}1`, '', 'x'.repeat(100), null, 42]) {
    expect(normalizeCrewLinkCode(bad)).toBeNull();
  }
});
