// Domain types shared by the server (REST responses) and the browser pages.

export const ROLES = ['admin', 'surveyor', 'auditor', 'crew'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that sign in with a password (the crew never does: it joins by link). */
export const STAFF_ROLES = ['admin', 'surveyor', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const INSPECTION_KINDS = ['periodic', 'intermediate', 'initial', 'occasional', 'new-build'] as const;
export type InspectionKind = (typeof INSPECTION_KINDS)[number];

/** scheduled -> live -> ended; scheduled -> cancelled. */
export const INSPECTION_STATUSES = ['scheduled', 'live', 'ended', 'cancelled'] as const;
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];

export interface AccountView {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
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

export interface InspectionDetailView extends InspectionView {
  participants: ParticipantView[];
}

export interface CrewLinkView {
  url: string;
  expiresAt: string;
  /** The QR code of `url` as an SVG document. */
  qrSvg: string;
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
