import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dips in the crew's link quality (field/link-quality.ts): who, when it started and ended, the
 * worst score. Read by inspection and start time for the replay timeline. Portable SQL.
 */
export class LinkQuality1765650000000 implements MigrationInterface {
  name = 'LinkQuality1765650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "link_quality_dip" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "participantId" varchar(36) NOT NULL,
      "source" varchar(16) NOT NULL,
      "startedAt" timestamptz NOT NULL,
      "endedAt" timestamptz,
      "worstScore" integer NOT NULL)`);
    await q.query(`CREATE INDEX "idx_link_quality_dip_inspection" ON "link_quality_dip" ("inspectionId", "startedAt")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_link_quality_dip_inspection"`);
    await q.query(`DROP TABLE "link_quality_dip"`);
  }
}
