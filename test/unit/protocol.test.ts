import { createInspectionSchema, handshakeSchema, schemas } from '@cloudship/shared';

test('produce accepts a well-formed request and fills defaults', () => {
  const r = schemas.produce.parse({ transportId: 't', kind: 'video', rtpParameters: { codecs: [] }, source: 'camera' });
  expect(r.paused).toBe(false);
});

test.each([
  ['unknown field', { transportId: 't', kind: 'video', rtpParameters: {}, source: 'camera', admin: true }],
  ['wrong kind', { transportId: 't', kind: 'hologram', rtpParameters: {}, source: 'camera' }],
  ['wrong source', { transportId: 't', kind: 'video', rtpParameters: {}, source: 'screen' }],
  ['id too long', { transportId: 'x'.repeat(65), kind: 'video', rtpParameters: {}, source: 'camera' }],
  ['parameters not an object', { transportId: 't', kind: 'video', rtpParameters: 'x', source: 'camera' }],
])('produce refuses %s', (_name, payload) => {
  expect(schemas.produce.safeParse(payload).success).toBe(false);
});

test('join trims the display name and refuses an empty or huge one', () => {
  expect(schemas['room.join'].parse({ displayName: '  Li  ', rtpCapabilities: {} }).displayName).toBe('Li');
  expect(schemas['room.join'].safeParse({ displayName: '   ', rtpCapabilities: {} }).success).toBe(false);
  expect(schemas['room.join'].safeParse({ displayName: 'x'.repeat(81), rtpCapabilities: {} }).success).toBe(false);
});

test('the handshake is either a crew token or an inspection id, nothing else', () => {
  expect(handshakeSchema.safeParse({ crewToken: 'abc' }).success).toBe(true);
  expect(handshakeSchema.safeParse({ inspectionId: 'abc' }).success).toBe(true);
  expect(handshakeSchema.safeParse({ crewToken: 'abc', inspectionId: 'x' }).success).toBe(false);
  expect(handshakeSchema.safeParse({}).success).toBe(false);
});

test('an inspection must be scheduled within a year and have a known kind', () => {
  const base = { vesselName: 'V', registrationNumber: 'R', kind: 'periodic', place: 'P' };
  expect(createInspectionSchema.safeParse({ ...base, scheduledAt: new Date().toISOString() }).success).toBe(true);
  expect(createInspectionSchema.safeParse({ ...base, scheduledAt: '2099-01-01T00:00:00Z' }).success).toBe(false);
  expect(createInspectionSchema.safeParse({ ...base, kind: 'x', scheduledAt: new Date().toISOString() }).success).toBe(false);
});
