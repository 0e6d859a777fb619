// Entities of the inspection itself: its lifecycle, crew links and the participant log, declared with EntitySchema (no decorators, so no emitDecoratorMetadata is
// needed by tsx/ts-jest). Column types are explicit; the schema itself lives in persistence/migrations/.
import { EntitySchema } from 'typeorm';
import type { InspectionKind, InspectionStatus, Role } from '@cloudship/shared';

export interface Inspection {
  id: string;
  vesselName: string;
  registrationNumber: string;
  kind: InspectionKind;
  place: string;
  scheduledAt: Date;
  status: InspectionStatus;
  surveyorId: string;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  /** Coordinates of the declared place, when given (field/: distance to the crew's position). */
  placeLat?: number | null;
  placeLon?: number | null;
  /** Ended before a conclusion, marked "to be continued" by the surveyor (InspectionLifecycle.end). */
  toBeContinued?: boolean;
}

export interface CrewLink {
  id: string;
  inspectionId: string;
  expiresAt: Date;
  revokedAt: Date | null;
  createdBy: string;
  createdAt: Date;
}

/** The short code of a crew link (`/j/<code>`): a pointer to the link's row, nothing of its own. */
export interface CrewLinkCode {
  code: string;
  crewLinkId: string;
  createdAt: Date;
}

/** One row per stay of a participant in the live room (a reconnect within grace keeps the row). */
export interface ParticipantSession {
  id: string;
  inspectionId: string;
  role: Role;
  accountId: string | null;
  crewLinkId: string | null;
  displayName: string;
  device: string;
  joinedAt: Date;
  leftAt: Date | null;
  leaveReason: string | null;
}

const id = { type: 'varchar', length: 36, primary: true } as const;
const createdAt = { type: 'datetime', createDate: true } as const;

export const InspectionEntity = new EntitySchema<Inspection>({
  name: 'Inspection',
  tableName: 'inspection',
  columns: {
    id,
    vesselName: { type: 'varchar', length: 120 },
    registrationNumber: { type: 'varchar', length: 64 },
    kind: { type: 'varchar', length: 32 },
    place: { type: 'varchar', length: 200 },
    scheduledAt: { type: 'datetime' },
    status: { type: 'varchar', length: 16 },
    surveyorId: { type: 'varchar', length: 36 },
    createdAt,
    startedAt: { type: 'datetime', nullable: true },
    endedAt: { type: 'datetime', nullable: true },
    placeLat: { type: 'double', nullable: true },
    placeLon: { type: 'double', nullable: true },
    toBeContinued: { type: 'boolean', default: false },
  },
});

export const CrewLinkEntity = new EntitySchema<CrewLink>({
  name: 'CrewLink',
  tableName: 'crew_link',
  columns: {
    id,
    inspectionId: { type: 'varchar', length: 36 },
    expiresAt: { type: 'datetime' },
    revokedAt: { type: 'datetime', nullable: true },
    createdBy: { type: 'varchar', length: 36 },
    createdAt,
  },
});

export const CrewLinkCodeEntity = new EntitySchema<CrewLinkCode>({
  name: 'CrewLinkCode',
  tableName: 'crew_link_code',
  columns: {
    code: { type: 'varchar', length: 16, primary: true },
    crewLinkId: { type: 'varchar', length: 36, unique: true },
    createdAt: { type: 'datetime' },
  },
});

export const ParticipantSessionEntity = new EntitySchema<ParticipantSession>({
  name: 'ParticipantSession',
  tableName: 'participant_session',
  columns: {
    id,
    inspectionId: { type: 'varchar', length: 36 },
    role: { type: 'varchar', length: 16 },
    accountId: { type: 'varchar', length: 36, nullable: true },
    crewLinkId: { type: 'varchar', length: 36, nullable: true },
    displayName: { type: 'varchar', length: 80 },
    device: { type: 'varchar', length: 200 },
    joinedAt: { type: 'datetime' },
    leftAt: { type: 'datetime', nullable: true },
    leaveReason: { type: 'varchar', length: 64, nullable: true },
  },
});

/** A surveyor invited by the lead surveyor (or an admin) to work on the inspection with them. */
export interface CoSurveyor {
  inspectionId: string;
  accountId: string;
  createdBy: string;
  createdAt: Date;
}

/** An auditor assigned to review the inspection (its record, report and recordings). */
export interface AuditAssignment {
  inspectionId: string;
  accountId: string;
  createdBy: string;
  createdAt: Date;
}

const member = (name: string, tableName: string) =>
  new EntitySchema<CoSurveyor>({
    name,
    tableName,
    columns: {
      inspectionId: { type: 'varchar', length: 36, primary: true },
      accountId: { type: 'varchar', length: 36, primary: true },
      createdBy: { type: 'varchar', length: 36 },
      createdAt,
    },
  });

export const CoSurveyorEntity = member('CoSurveyor', 'co_surveyor');
export const AuditAssignmentEntity: EntitySchema<AuditAssignment> = member('AuditAssignment', 'audit_assignment');

export const INSPECTION_ENTITIES = [
  InspectionEntity,
  CrewLinkEntity,
  CrewLinkCodeEntity,
  ParticipantSessionEntity,
  CoSurveyorEntity,
  AuditAssignmentEntity,
];
