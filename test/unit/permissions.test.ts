import { can, PERMISSIONS, ROLES } from '@cloudship/shared';

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
