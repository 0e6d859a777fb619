import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Crew GPS fixes, and optional coordinates of an inspection's declared place (field/). */
export class FieldPosition1764400000000 implements MigrationInterface {
  name = 'FieldPosition1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "position_fix" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "participantId" varchar(36) NOT NULL,
      "lat" double precision NOT NULL,
      "lon" double precision NOT NULL,
      "accuracy" double precision NOT NULL,
      "capturedAt" timestamptz NOT NULL,
      "receivedAt" timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX "idx_position_fix_inspection" ON "position_fix" ("inspectionId", "capturedAt")`);
    await q.query(`ALTER TABLE "inspection" ADD COLUMN "placeLat" double precision`);
    await q.query(`ALTER TABLE "inspection" ADD COLUMN "placeLon" double precision`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "position_fix"`);
    await q.query(`ALTER TABLE "inspection" DROP COLUMN "placeLon"`);
    await q.query(`ALTER TABLE "inspection" DROP COLUMN "placeLat"`);
  }
}
