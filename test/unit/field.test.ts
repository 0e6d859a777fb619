// Pure parts of the crew-phone-in-the-field features: distance, time checks, TURN credentials, config.
import crypto from 'node:crypto';
import { distanceKm, positionTimeProblem } from '@cloudship/shared';
import { loadConfig } from '../../server/src/config/config';
import { iceServersFor, turnCredential } from '../../server/src/field/turn-credentials';

test('distanceKm: one degree of latitude is about 111 km; same point is 0', () => {
  expect(distanceKm({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111.2, 0);
  expect(distanceKm({ lat: 35.4, lon: 116.5 }, { lat: 35.4, lon: 116.5 })).toBe(0);
  // Shanghai -> Wuhan, about 690 km.
  expect(distanceKm({ lat: 31.23, lon: 121.47 }, { lat: 30.59, lon: 114.31 })).toBeGreaterThan(670);
});

test('positionTimeProblem: accepts now and a small skew, refuses the future and stale fixes', () => {
  const now = 1_764_400_000_000;
  expect(positionTimeProblem(now, now)).toBeNull();
  expect(positionTimeProblem(now + 10_000, now)).toBeNull();
  expect(positionTimeProblem(now - 9 * 60_000, now)).toBeNull();
  expect(positionTimeProblem(now + 60_000, now)).toMatch(/future/);
  expect(positionTimeProblem(now - 11 * 60_000, now)).toMatch(/older/);
});

test('TURN credential: username expiry:participant, credential base64 HMAC-SHA1 of it', () => {
  const c = turnCredential('s3cret', 'p1', 1_700_000_000_999);
  expect(c.username).toBe('1700000000:p1');
  expect(c.credential).toBe(crypto.createHmac('sha1', 's3cret').update('1700000000:p1').digest('base64'));
  expect(iceServersFor({ turnUrls: [], turnSecret: null, turnCredentialTtlMs: 1 }, 'p1')).toEqual([]);
});

test('config: TURN_URLS must be turn:/stun: URLs and TURN needs TURN_SECRET; POSITION_WARN_KM defaults to 5', () => {
  expect(loadConfig({}).field.positionWarnKm).toBe(5);
  expect(() => loadConfig({ TURN_URLS: 'http://x' })).toThrow(/TURN_URLS/);
  expect(() => loadConfig({ TURN_URLS: 'turn:turn.example.org:3478' })).toThrow(/TURN_SECRET/);
  const ok = loadConfig({ TURN_URLS: 'turn:turn.example.org:3478, turns:turn.example.org:5349', TURN_SECRET: 'x'.repeat(16) });
  expect(ok.field.turnUrls).toEqual(['turn:turn.example.org:3478', 'turns:turn.example.org:5349']);
  expect(() => loadConfig({ POSITION_WARN_KM: '-1' })).toThrow(/POSITION_WARN_KM/);
});
