import { allowedOn, can, PERMISSION_SCOPE, PERMISSIONS, ROLES } from '@cloudship/shared';

test('the crew may join and send media but not end, manage links or read the inspection list', () => {
  expect(can('crew', 'room.join')).toBe(true);
  expect(can('crew', 'media.produceVideo')).toBe(true);
  expect(can('crew', 'inspection.end')).toBe(false);
  expect(can('crew', 'crewLink.manage')).toBe(false);
  expect(can('crew', 'inspection.read')).toBe(false);
});

test('auditors read but never take part in a live session', () => {
  expect(can('auditor', 'inspection.read')).toBe(true);
  for (const p of ['room.join', 'media.consume', 'inspection.end', 'inspection.create'] as const) expect(can('auditor', p)).toBe(false);
});

test('only admins manage accounts; admins can do everything', () => {
  for (const role of ROLES) expect(can(role, 'account.manage')).toBe(role === 'admin');
  for (const p of PERMISSIONS) expect(can('admin', p)).toBe(true);
});

test('the chat: surveyors and crews send messages, only the surveyor side asks for documents, auditors only read', () => {
  expect(can('crew', 'chat.send')).toBe(true);
  expect(can('surveyor', 'chat.send')).toBe(true);
  expect(can('crew', 'document.request')).toBe(false);
  expect(can('surveyor', 'document.request')).toBe(true);
  for (const p of ['chat.send', 'document.request'] as const) expect(can('auditor', p)).toBe(false);
});

test('the review: auditors and admins write it, surveyors never (their own work), the crew never', () => {
  for (const role of ['admin', 'auditor'] as const) expect(can(role, 'review.write')).toBe(true);
  for (const role of ['surveyor', 'crew'] as const) expect(can(role, 'review.write')).toBe(false);
});

test('on one inspection only an assigned auditor or an admin reviews it; the lead and co-surveyors read it', () => {
  expect(allowedOn('auditor', 'assigned-auditor', 'review.write')).toBe(true);
  expect(allowedOn('admin', 'admin', 'review.write')).toBe(true);
  expect(allowedOn('auditor', 'other', 'review.write')).toBe(false);
  for (const relation of ['lead', 'co-surveyor', 'other'] as const) {
    expect(allowedOn('surveyor', relation, 'review.write')).toBe(false);
    expect(allowedOn('surveyor', relation, 'inspection.read')).toBe(relation !== 'other');
  }
  // An auditor not assigned may not even read it: the routes answer 404 (inspection-access.ts).
  expect(allowedOn('auditor', 'other', 'inspection.read')).toBe(false);
  expect(PERMISSION_SCOPE['review.write']).toBe('review');
});
