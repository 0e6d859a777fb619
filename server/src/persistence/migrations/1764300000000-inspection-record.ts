import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue #4: checklist templates and items, evidence, conclusion/acknowledgement/savings, savings log. */
export class InspectionRecord1764300000000 implements MigrationInterface {
  name = 'InspectionRecord1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "checklist_template" (
      "kind" varchar(32) PRIMARY KEY NOT NULL,
      "version" integer NOT NULL,
      "items" text NOT NULL,
      "updatedBy" varchar(36),
      "updatedAt" timestamptz NOT NULL)`);
    await q.query(`CREATE TABLE "checklist_item" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "position" integer NOT NULL,
      "code" varchar(64) NOT NULL,
      "sectionZh" varchar(80) NOT NULL,
      "sectionEn" varchar(80) NOT NULL,
      "titleZh" varchar(300) NOT NULL,
      "titleEn" varchar(300) NOT NULL,
      "result" varchar(16),
      "note" text NOT NULL DEFAULT '',
      "deficiencyDeadline" varchar(10),
      "updatedAt" timestamptz,
      "updatedBy" varchar(36))`);
    await q.query(`CREATE UNIQUE INDEX "idx_checklist_item_code" ON "checklist_item" ("inspectionId", "code")`);
    await q.query(`CREATE TABLE "evidence" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "checklistItemId" varchar(36) REFERENCES "checklist_item"("id") ON DELETE SET NULL,
      "type" varchar(16) NOT NULL,
      "storageKey" varchar(200),
      "contentType" varchar(32),
      "sizeBytes" integer,
      "sha256" varchar(64),
      "capturedAt" timestamptz NOT NULL,
      "lat" double precision,
      "lon" double precision,
      "accuracy" double precision,
      "note" text NOT NULL DEFAULT '',
      "authorRole" varchar(16) NOT NULL,
      "authorId" varchar(36) NOT NULL,
      "authorName" varchar(80) NOT NULL,
      "requestId" varchar(36),
      "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
    await q.query(`CREATE INDEX "idx_evidence_inspection" ON "evidence" ("inspectionId")`);
    await q.query(`CREATE TABLE "inspection_record" (
      "inspectionId" varchar(36) PRIMARY KEY NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "templateVersion" integer NOT NULL,
      "outcome" varchar(32),
      "remarks" text NOT NULL DEFAULT '',
      "concludedAt" timestamptz,
      "concludedBy" varchar(36),
      "acknowledgedName" varchar(80),
      "acknowledgedAt" timestamptz,
      "savingsInputs" text NOT NULL DEFAULT '{}',
      "savingsProfile" varchar(32) NOT NULL,
      "savingsEstimate" text,
      "co2SavedT" double precision,
      "costSavedCny" double precision)`);
    await q.query(`CREATE INDEX "idx_inspection_record_concluded" ON "inspection_record" ("concludedAt")`);
    await q.query(`CREATE TABLE "savings_change" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "changedBy" varchar(36) NOT NULL,
      "changedAt" timestamptz NOT NULL,
      "before" text NOT NULL,
      "after" text NOT NULL)`);
    await q.query(`CREATE INDEX "idx_savings_change_inspection" ON "savings_change" ("inspectionId")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['savings_change', 'inspection_record', 'evidence', 'checklist_item', 'checklist_template'])
      await q.query(`DROP TABLE "${t}"`);
  }
}
