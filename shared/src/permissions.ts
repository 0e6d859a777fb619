// Permissions derived from roles. Handlers check a permission, never a role name, so that a new
// role (for example an "expert" invited by a surveyor) is a change in this table only.
import type { Role } from './domain';

export const PERMISSIONS = [
  'inspection.create',
  'inspection.read',
  'inspection.end',
  'inspection.members', // invite co-surveyors, assign auditors
  'crewLink.manage',
  'room.join',
  'media.produceVideo',
  'media.produceAudio',
  'media.consume',
  'account.manage',
  'review.sample', // draw a random sample of concluded inspections for review (reports/review-sample-*)
  // A crew phone in the field (field/)
  'camera.control', // torch, zoom, camera switch and video profile of a crew phone
  'position.share', // send the phone's GPS position (with the crew's consent)
  'position.view', // see crew positions
  // Recording (recording/)
  'recording.control', // the surveyor's recording switch
  'recording.replay', // list, timeline and media of recordings (scoped per inspection)
  'recording.storage', // upload state of every recording
  // Inspection record (inspection-record/)
  'record.edit', // checklist, bookmarks, conclusion, savings inputs
  'evidence.capture', // ask the crew phone for an HD still
  'crew.guide', // point at and draw on the crew's picture (guide-protocol.ts)
  // Chat (chat/, chat-protocol.ts)
  'chat.send', // send a text message to the others in the inspection
  'document.request', // ask the crew for a document (the phone sends it with evidence.upload)
  'evidence.upload', // the phone uploads it
  'record.acknowledge', // the crew acknowledges the conclusion
  'checklist.manage', // edit checklist templates
  'report.read',
  // Review (recording/review-*): pin comments to moments of a recording, mark the inspection
  // 'reviewed' or 'query-raised'. Reading the review log needs inspection.read only.
  'review.write',
  // Sealed evidence (seal/): download the evidence package (log, signatures, every file, report).
  'evidence.package',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: [
    'camera.control',
    'position.view',
    'position.share',
    'inspection.create',
    'inspection.read',
    'inspection.end',
    'inspection.members',
    'crewLink.manage',
    'room.join',
    'media.produceVideo',
    'media.produceAudio',
    'media.consume',
    'account.manage',
    'review.sample',
    'recording.control',
    'recording.replay',
    'recording.storage',
    'record.edit',
    'evidence.capture',
    'crew.guide',
    'chat.send',
    'document.request',
    'evidence.upload',
    'record.acknowledge',
    'checklist.manage',
    'report.read',
    'review.write',
    'evidence.package',
  ],
  surveyor: [
    'camera.control',
    'position.view',
    'inspection.create',
    'inspection.read',
    'inspection.end',
    'inspection.members',
    'crewLink.manage',
    'room.join',
    'media.produceVideo',
    'media.produceAudio',
    'media.consume',
    'recording.control',
    'recording.replay',
    'record.edit',
    'evidence.capture',
    'crew.guide',
    'chat.send',
    'document.request',
    'report.read',
    'evidence.package',
  ],
  // Auditors replay recordings later; they never take part in a live session.
  auditor: ['inspection.read', 'recording.replay', 'report.read', 'review.write', 'evidence.package'],
  crew: [
    'position.share',
    'room.join',
    'media.produceVideo',
    'media.produceAudio',
    'media.consume',
    'chat.send',
    'evidence.upload',
    'record.acknowledge',
  ],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
