// Many concluded inspections, fast, for the scale tests and `npm run bench:records`: bulk inserts
// (TypeORM's insert query builder, hundreds of rows per statement, thousands per transaction) of
// surveyor accounts, inspections and their records, on SQLite or PostgreSQL alike. A realistic
// mix, from a seeded generator (the same seed gives the same rows): five kinds, mostly passed, some
// with deficiencies, a few failed or to be continued on site, one in ten never concluded, one
// estimate in eight the calibrated average (no inputs).
import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { INSPECTION_KINDS, SAVINGS_MODEL_VERSION, type ConclusionOutcome, type InspectionKind } from '@cloudship/shared';
import { AccountEntity, type Account } from '../../server/src/auth/entities';
import { InspectionEntity, type Inspection } from '../../server/src/inspection/entities';
import { InspectionRecordEntity, type InspectionRecord } from '../../server/src/inspection-record/entities';

/** A small fast PRNG (mulberry32): reproducible rows without storing them. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededInspection {
  id: string;
  surveyorId: string;
  vesselName: string;
  registrationNumber: string;
  kind: InspectionKind;
  scheduledAt: Date;
  /** null: not concluded. */
  outcome: ConclusionOutcome | null;
  concludedAt: Date | null;
  co2SavedT: number | null;
  costSavedCny: number | null;
  basis: 'computed' | 'calibrated-average' | null;
}

export interface SeedOptions {
  inspections: number;
  surveyors: number;
  /** The inspections are spread evenly over this many years, ending at `end`. */
  years: number;
  end: Date;
  seed?: number;
  /** Rows per transaction (each statement holds a tenth of them). */
  batch?: number;
  /** Called with each batch as it was stored (a test keeps them; a bench counts them). */
  onBatch?(rows: SeededInspection[]): void;
}

const PORTS = ['济宁', '枣庄', '微山', '台儿庄', '梁山', '鱼台', '嘉祥', '汶上'];
const KIND_WEIGHTS: Array<[InspectionKind, number]> = [
  ['periodic', 0.45],
  ['intermediate', 0.3],
  ['occasional', 0.15],
  ['initial', 0.06],
  ['new-build', 0.04],
];
const pick = <T>(r: number, weighted: Array<[T, number]>): T => {
  let acc = 0;
  for (const [value, w] of weighted) if (r < (acc += w)) return value;
  return weighted[weighted.length - 1]![0];
};

/** `count` surveyor accounts (they cannot sign in: the hash is not a password's). */
export async function seedSurveyors(db: DataSource, count: number): Promise<string[]> {
  const rows: Account[] = Array.from({ length: count }, (_, n) => ({
    id: crypto.randomUUID(),
    username: `seed-surveyor-${n}`,
    displayName: `验船师 ${String(n + 1).padStart(3, '0')}`,
    role: 'surveyor',
    passwordHash: 'seeded-not-a-password',
    createdAt: new Date(),
  }));
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .createQueryBuilder()
      .insert()
      .into(AccountEntity)
      .values(rows.slice(i, i + 200))
      .updateEntity(false)
      .execute();
  }
  return rows.map((r) => r.id);
}

/** Inserts the inspections and their records; answers the surveyor ids it made. */
export async function seedRecords(db: DataSource, o: SeedOptions): Promise<string[]> {
  if (!INSPECTION_KINDS.length) throw new Error('no kinds');
  const rnd = random(o.seed ?? 1);
  const surveyorIds = await seedSurveyors(db, o.surveyors);
  const span = o.years * 365.25 * 86_400_000;
  const start = o.end.getTime() - span;
  const batch = o.batch ?? 5000;
  const statement = Math.max(1, Math.floor(batch / 10));
  for (let done = 0; done < o.inspections; done += batch) {
    const n = Math.min(batch, o.inspections - done);
    const seeded: SeededInspection[] = [];
    const inspections: Inspection[] = [];
    const records: InspectionRecord[] = [];
    for (let k = 0; k < n; k++) {
      const index = done + k;
      const id = crypto.randomUUID();
      // Evenly through the years, with some jitter; concluded within the day.
      const scheduledAt = new Date(Math.floor(start + ((index + rnd()) / o.inspections) * span));
      const concludedAt = new Date(scheduledAt.getTime() + 30 * 60_000 + Math.floor(rnd() * 3 * 3600_000));
      const r = rnd();
      const outcome: ConclusionOutcome | null =
        r < 0.1 ? null : r < 0.7 ? 'passed' : r < 0.88 ? 'passed-with-deficiencies' : r < 0.95 ? 'failed' : 'continue-on-site';
      const calibrated = rnd() < 0.125;
      const co2 = outcome ? (calibrated ? 10.46 : Math.round((4 + rnd() * 14) * 1e4) / 1e4) : null;
      const cost = outcome ? (calibrated ? 19_850 : Math.round(8_000 + rnd() * 30_000)) : null;
      const surveyorId = surveyorIds[Math.floor(rnd() * surveyorIds.length)]!;
      const port = PORTS[Math.floor(rnd() * PORTS.length)]!;
      const number = String(Math.floor(rnd() * 100_000)).padStart(5, '0');
      const row: SeededInspection = {
        id,
        surveyorId,
        vesselName: `鲁${port}货${number}`,
        registrationNumber: `JN-${scheduledAt.getUTCFullYear()}-${String(index).padStart(7, '0')}`,
        kind: pick(rnd(), KIND_WEIGHTS),
        scheduledAt,
        outcome,
        concludedAt: outcome ? concludedAt : null,
        co2SavedT: co2,
        costSavedCny: cost,
        basis: outcome ? (calibrated ? 'calibrated-average' : 'computed') : null,
      };
      seeded.push(row);
      inspections.push({
        id,
        vesselName: row.vesselName,
        registrationNumber: row.registrationNumber,
        kind: row.kind,
        place: `${port}港`,
        scheduledAt,
        status: outcome ? 'ended' : 'scheduled',
        surveyorId,
        createdAt: new Date(scheduledAt.getTime() - 86_400_000),
        startedAt: outcome ? scheduledAt : null,
        endedAt: outcome ? concludedAt : null,
        placeLat: null,
        placeLon: null,
        toBeContinued: false,
      });
      records.push({
        inspectionId: id,
        templateVersion: 1,
        outcome,
        remarks: '',
        concludedAt: row.concludedAt,
        concludedBy: outcome ? surveyorId : null,
        acknowledgedName: outcome ? '船长' : null,
        acknowledgedAt: row.concludedAt,
        savingsInputs: '{}',
        savingsProfile: 'published-calibrated',
        savingsEstimate: outcome
          ? JSON.stringify({
              modelVersion: SAVINGS_MODEL_VERSION,
              profile: 'published-calibrated',
              basis: row.basis,
              co2SavedT: co2,
              costSavedCny: cost,
            })
          : null,
        co2SavedT: co2,
        costSavedCny: cost,
        savingsBasis: row.basis,
        surveyorId,
      });
    }
    await db.transaction(async (m) => {
      for (let i = 0; i < n; i += statement) {
        await m
          .createQueryBuilder()
          .insert()
          .into(InspectionEntity)
          .values(inspections.slice(i, i + statement))
          .updateEntity(false)
          .execute();
      }
      for (let i = 0; i < n; i += statement) {
        await m
          .createQueryBuilder()
          .insert()
          .into(InspectionRecordEntity)
          .values(records.slice(i, i + statement))
          .updateEntity(false)
          .execute();
      }
    });
    o.onBatch?.(seeded);
  }
  return surveyorIds;
}
