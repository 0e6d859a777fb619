import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The evidence log (server/src/seal): entries, one head row per inspection, signed checkpoints and
 * the public signing keys, old ones included (a rotated key still verifies what it signed). No
 * foreign key to "inspection": the log outlives anything done to the rows it describes, which is
 * what makes a hand edit of those rows detectable. Portable SQL.
 */
export class EvidenceSeal1765700000000 implements MigrationInterface {
  name = 'EvidenceSeal1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "evidence_entry" (
      "inspectionId" varchar(36) NOT NULL,
      "seq" integer NOT NULL,
      "type" varchar(32) NOT NULL,
      "at" varchar(24) NOT NULL,
      "prev" varchar(64) NOT NULL,
      "hash" varchar(64) NOT NULL,
      "body" text NOT NULL,
      PRIMARY KEY ("inspectionId", "seq"))`);
    await q.query(`CREATE TABLE "evidence_head" (
      "inspectionId" varchar(36) PRIMARY KEY NOT NULL,
      "count" integer NOT NULL,
      "head" varchar(64) NOT NULL,
      "signedCount" integer NOT NULL DEFAULT 0)`);
    await q.query(`CREATE INDEX "idx_evidence_head_unsigned" ON "evidence_head" ("signedCount", "count")`);
    await q.query(`CREATE TABLE "seal_checkpoint" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL,
      "count" integer NOT NULL,
      "head" varchar(64) NOT NULL,
      "at" varchar(24) NOT NULL,
      "final" boolean NOT NULL,
      "keyId" varchar(64) NOT NULL,
      "signature" varchar(128) NOT NULL,
      "tsaUrl" varchar(512),
      "tsaToken" text)`);
    await q.query(`CREATE INDEX "idx_seal_checkpoint_inspection" ON "seal_checkpoint" ("inspectionId", "count")`);
    await q.query(`CREATE TABLE "seal_key" (
      "keyId" varchar(64) PRIMARY KEY NOT NULL,
      "publicKey" varchar(64) NOT NULL,
      "createdAt" varchar(24) NOT NULL,
      "retiredAt" varchar(24))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "seal_key"`);
    await q.query(`DROP INDEX "idx_seal_checkpoint_inspection"`);
    await q.query(`DROP TABLE "seal_checkpoint"`);
    await q.query(`DROP INDEX "idx_evidence_head_unsigned"`);
    await q.query(`DROP TABLE "evidence_head"`);
    await q.query(`DROP TABLE "evidence_entry"`);
  }
}
