// Permissions derived from roles. Handlers check a permission, never a role name, so that a new
// role (for example an "expert" invited by a surveyor) is a change in this table only.
import type { Role } from './domain';

export const PERMISSIONS = [
  'inspection.create',
  'inspection.read',
  'inspection.end',
  'crewLink.manage',
  'room.join',
  'media.produceVideo',
  'media.produceAudio',
  'media.consume',
  'account.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: ['inspection.create', 'inspection.read', 'inspection.end', 'crewLink.manage', 'room.join', 'media.produceVideo', 'media.produceAudio', 'media.consume', 'account.manage'],
  surveyor: ['inspection.create', 'inspection.read', 'inspection.end', 'crewLink.manage', 'room.join', 'media.produceVideo', 'media.produceAudio', 'media.consume'],
  // Auditors replay recordings later; they never take part in a live session.
  auditor: ['inspection.read'],
  crew: ['room.join', 'media.produceVideo', 'media.produceAudio', 'media.consume'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
