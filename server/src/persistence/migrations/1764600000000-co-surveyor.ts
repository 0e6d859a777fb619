import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access by ownership: the surveyors a lead surveyor (or an admin) invited to work on an
 * inspection with them. Auditors' assignments stay in audit_assignment.
 */
export class CoSurveyor1764600000000 implements MigrationInterface {
  name = 'CoSurveyor1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "co_surveyor" (
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "accountId" varchar(36) NOT NULL REFERENCES "account"("id") ON DELETE CASCADE,
      "createdBy" varchar(36) NOT NULL,
      "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
      PRIMARY KEY ("inspectionId", "accountId"))`);
    await q.query(`CREATE INDEX "idx_co_surveyor_account" ON "co_surveyor" ("accountId")`);
    await q.query(`CREATE INDEX "idx_audit_assignment_account" ON "audit_assignment" ("accountId")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_audit_assignment_account"`);
    await q.query(`DROP TABLE "co_surveyor"`);
  }
}
