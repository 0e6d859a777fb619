import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764200000000 implements MigrationInterface {
  name = 'Initial1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "account" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "username" varchar(64) NOT NULL UNIQUE,
      "displayName" varchar(80) NOT NULL,
      "role" varchar(16) NOT NULL,
      "passwordHash" varchar(255) NOT NULL,
      "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
    await q.query(`CREATE TABLE "auth_session" (
      "tokenHash" varchar(64) PRIMARY KEY NOT NULL,
      "accountId" varchar(36) NOT NULL REFERENCES "account"("id") ON DELETE CASCADE,
      "expiresAt" timestamptz NOT NULL,
      "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
    await q.query(`CREATE TABLE "inspection" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "vesselName" varchar(120) NOT NULL,
      "registrationNumber" varchar(64) NOT NULL,
      "kind" varchar(32) NOT NULL,
      "place" varchar(200) NOT NULL,
      "scheduledAt" timestamptz NOT NULL,
      "status" varchar(16) NOT NULL,
      "surveyorId" varchar(36) NOT NULL REFERENCES "account"("id"),
      "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "startedAt" timestamptz,
      "endedAt" timestamptz)`);
    await q.query(`CREATE INDEX "idx_inspection_surveyor" ON "inspection" ("surveyorId")`);
    await q.query(`CREATE TABLE "crew_link" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "expiresAt" timestamptz NOT NULL,
      "revokedAt" timestamptz,
      "createdBy" varchar(36) NOT NULL,
      "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
    await q.query(`CREATE INDEX "idx_crew_link_inspection" ON "crew_link" ("inspectionId")`);
    await q.query(`CREATE TABLE "participant_session" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "role" varchar(16) NOT NULL,
      "accountId" varchar(36),
      "crewLinkId" varchar(36),
      "displayName" varchar(80) NOT NULL,
      "device" varchar(200) NOT NULL,
      "joinedAt" timestamptz NOT NULL,
      "leftAt" timestamptz,
      "leaveReason" varchar(64))`);
    await q.query(`CREATE INDEX "idx_participant_inspection" ON "participant_session" ("inspectionId")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['participant_session', 'crew_link', 'inspection', 'auth_session', 'account']) await q.query(`DROP TABLE "${t}"`);
  }
}
