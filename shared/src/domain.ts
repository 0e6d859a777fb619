// Domain types shared by the server (REST responses) and the browser pages.

export const ROLES = ['admin', 'surveyor', 'auditor', 'crew'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that sign in with a password (the crew never does: it joins by link). */
export const STAFF_ROLES = ['admin', 'surveyor', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const INSPECTION_KINDS = ['periodic', 'intermediate', 'initial', 'occasional', 'new-build'] as const;
export type InspectionKind = (typeof INSPECTION_KINDS)[number];

/**
 * scheduled -> live -> ended (and scheduled -> ended for one that never went live). Ending is final:
 * the crew links die with it and the live room cannot be re-created. server/src/inspection/
 * inspection-lifecycle.ts is the only writer of these transitions.
 */
export const INSPECTION_STATUSES = ['scheduled', 'live', 'ended'] as const;
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];

/** The one rule for "is this inspection over?", on the server and in the pages. */
export function isClosed(status: InspectionStatus): boolean {
  return status === 'ended';
}

/**
 * Why a participant left the live room (stored in participant_session.leaveReason and sent in
 * `peer.left`). A room closes for one of the RoomCloseReasons; each of its participants leaves
 * with that same reason.
 */
export const ROOM_CLOSE_REASONS = ['inspection-ended', 'media-server-restarted', 'server-shutdown', 'empty'] as const;
export type RoomCloseReason = (typeof ROOM_CLOSE_REASONS)[number];
/**
 * Why the server ended a live connection because its credential ended (`session.revoked`): the
 * crew link was withdrawn, expired or died with its inspection; the staff session was signed out,
 * ended by a password change (the other sessions) or reset, expired, or its account was disabled
 * or given another role (what it may do changed: it signs in again).
 */
export const REVOCATION_REASONS = [
  'link-revoked',
  'link-expired',
  'inspection-ended',
  'signed-out',
  'password-changed',
  'password-reset',
  'session-expired',
  'account-disabled',
  'role-changed',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];
/**
 * Why a connection lost its seat to another one of the same identity (`session.replaced`): another
 * phone joined with the same crew link and took the seat over.
 */
export const REPLACED_REASONS = ['taken-over'] as const;
export type ReplacedReason = (typeof REPLACED_REASONS)[number];
/**
 * 'taken-over': the stay of a crew phone whose seat another phone took over (the participant goes
 * on, with a new row for the new device).
 */
export const LEAVE_REASONS = ['left', 'connection-lost', 'server-restart', 'taken-over', ...ROOM_CLOSE_REASONS] as const;
export type LeaveReason = (typeof LEAVE_REASONS)[number];

export interface AccountView {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  /** An admin disabled it: it cannot sign in. */
  disabled: boolean;
  /** Signed in with a generated password: change it before anything else. */
  mustChangePassword: boolean;
}

export interface InspectionView {
  id: string;
  vesselName: string;
  registrationNumber: string;
  kind: InspectionKind;
  place: string;
  /** Coordinates of the declared place, when the surveyor gave them. */
  placeLat?: number | null;
  placeLon?: number | null;
  scheduledAt: string;
  status: InspectionStatus;
  surveyorId: string;
  surveyorName: string;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** Ended before a conclusion, marked "to be continued" by the surveyor. */
  toBeContinued: boolean;
}

export interface ParticipantView {
  id: string;
  role: Role;
  displayName: string;
  device: string;
  joinedAt: string;
  leftAt: string | null;
  leaveReason: string | null;
}

/** Who works on an inspection besides its lead surveyor (InspectionView.surveyorId). */
export interface InspectionMembersView {
  leadId: string;
  coSurveyors: Array<{ id: string; displayName: string }>;
  auditors: Array<{ id: string; displayName: string }>;
}

export interface InspectionDetailView extends InspectionView {
  participants: ParticipantView[];
  members: InspectionMembersView;
}

export interface CrewLinkView {
  /** The signed link (`/join/<token>`): long, and as valid as the short one. */
  url: string;
  /** The short link (`/j/<code>`): what the console shows, the QR code and the SMS carry. */
  shortUrl: string;
  code: string;
  expiresAt: string;
  /** The QR code of `shortUrl` as an SVG document. */
  qrSvg: string;
  /** PUBLIC_URL is set; otherwise the links carry the host the console was opened with. */
  publicUrlConfigured: boolean;
  /** True when this answer made the link; false when it is the inspection's current link again. */
  created: boolean;
}

/** What the crew page learns about the inspection it was invited to (no internal ids beyond it). */
export interface CrewInvitationView {
  inspectionId: string;
  vesselName: string;
  registrationNumber: string;
  place: string;
  surveyorName: string;
  expiresAt: string;
}
