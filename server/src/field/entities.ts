// Entities of the crew-phone-in-the-field features (field/): the GPS fixes a crew phone shares.
// The inspection's declared coordinates (placeLat/placeLon) are columns of `inspection` itself.
import { EntitySchema } from 'typeorm';

/** One GPS fix shared by a crew phone, stored with the inspection (evidence of where it was). */
export interface PositionFix {
  id: string;
  inspectionId: string;
  /** The participant_session row of the phone that sent it. */
  participantId: string;
  lat: number;
  lon: number;
  /** Metres (68% confidence radius). */
  accuracy: number;
  /** When the phone took the fix (its clock, checked against ours within a small skew). */
  capturedAt: Date;
  receivedAt: Date;
}

export const PositionFixEntity = new EntitySchema<PositionFix>({
  name: 'PositionFix',
  tableName: 'position_fix',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    inspectionId: { type: 'varchar', length: 36 },
    participantId: { type: 'varchar', length: 36 },
    lat: { type: 'double' },
    lon: { type: 'double' },
    accuracy: { type: 'double' },
    capturedAt: { type: 'datetime' },
    receivedAt: { type: 'datetime' },
  },
});

/**
 * A stretch in which the crew camera's stream, as the server received it, scored below
 * link-quality.ts DIP_BELOW: when, who, and the worst score (0-10). `endedAt` is null while it
 * lasts (or when the server stopped during it).
 */
export interface LinkQualityDip {
  id: string;
  inspectionId: string;
  participantId: string;
  source: string;
  startedAt: Date;
  endedAt: Date | null;
  worstScore: number;
}

export const LinkQualityDipEntity = new EntitySchema<LinkQualityDip>({
  name: 'LinkQualityDip',
  tableName: 'link_quality_dip',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    inspectionId: { type: 'varchar', length: 36 },
    participantId: { type: 'varchar', length: 36 },
    source: { type: 'varchar', length: 16 },
    startedAt: { type: 'datetime' },
    endedAt: { type: 'datetime', nullable: true },
    worstScore: { type: 'integer' },
  },
});

export const FIELD_ENTITIES = [PositionFixEntity, LinkQualityDipEntity];
