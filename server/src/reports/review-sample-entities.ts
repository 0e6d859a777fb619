// Entities of the review samples (review-sample-service.ts): one row per draw, one per inspection
// drawn. Declared with EntitySchema like the others; the schema lives in
// persistence/migrations/1765400000000-review-sample.ts.
import { EntitySchema } from 'typeorm';

export interface ReviewSample {
  id: string;
  drawnBy: string;
  /** The admin's display name when drawn (the record stays readable if the account changes). */
  drawnByName: string;
  drawnAt: Date;
  /** The period, calendar days YYYY-MM-DD in `timeZone`, both included. */
  periodFrom: string;
  periodTo: string;
  timeZone: string;
  percentage: number;
  /** Concluded inspections in the period when it was drawn. */
  population: number;
  size: number;
  /** How it was drawn: 'sql-random', the database's ORDER BY random() (not seeded; the ids are recorded). */
  method: string;
  auditorId: string | null;
  /** Of the drawn inspections, those the auditor was assigned to by this draw or before it. */
  assigned: number;
}

export interface ReviewSampleItem {
  sampleId: string;
  inspectionId: string;
}

export const ReviewSampleEntity = new EntitySchema<ReviewSample>({
  name: 'ReviewSample',
  tableName: 'review_sample',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    drawnBy: { type: 'varchar', length: 36 },
    drawnByName: { type: 'varchar', length: 80 },
    drawnAt: { type: 'datetime' },
    periodFrom: { type: 'varchar', length: 10 },
    periodTo: { type: 'varchar', length: 10 },
    timeZone: { type: 'varchar', length: 64 },
    percentage: { type: 'integer' },
    population: { type: 'integer' },
    size: { type: 'integer' },
    method: { type: 'varchar', length: 32 },
    auditorId: { type: 'varchar', length: 36, nullable: true },
    assigned: { type: 'integer', default: 0 },
  },
});

export const ReviewSampleItemEntity = new EntitySchema<ReviewSampleItem>({
  name: 'ReviewSampleItem',
  tableName: 'review_sample_item',
  columns: {
    sampleId: { type: 'varchar', length: 36, primary: true },
    inspectionId: { type: 'varchar', length: 36, primary: true },
  },
});

export const REVIEW_SAMPLE_ENTITIES = [ReviewSampleEntity, ReviewSampleItemEntity];
