import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Recording (recording/): recordings, track runs, segments and their upload queue, replay log, consent. */
export class Recording1764300300000 implements MigrationInterface {
  name = 'Recording1764300300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "recording" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "state" varchar(16) NOT NULL,
      "startedAt" timestamptz NOT NULL,
      "endedAt" timestamptz,
      "startedBy" varchar(36),
      "stoppedBy" varchar(36),
      "endReason" varchar(64))`);
    await q.query(`CREATE INDEX "idx_recording_inspection" ON "recording" ("inspectionId")`);
    await q.query(`CREATE TABLE "recording_track" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "recordingId" varchar(36) NOT NULL REFERENCES "recording"("id") ON DELETE CASCADE,
      "trackKey" varchar(80) NOT NULL,
      "participantId" varchar(36) NOT NULL,
      "role" varchar(16) NOT NULL,
      "displayName" varchar(80) NOT NULL,
      "kind" varchar(8) NOT NULL,
      "source" varchar(16) NOT NULL,
      "codec" varchar(32) NOT NULL,
      "startedAt" timestamptz NOT NULL,
      "endedAt" timestamptz,
      "dir" varchar(200) NOT NULL,
      "state" varchar(16) NOT NULL)`);
    await q.query(`CREATE INDEX "idx_track_recording" ON "recording_track" ("recordingId")`);
    await q.query(`CREATE TABLE "segment" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "recordingId" varchar(36) NOT NULL REFERENCES "recording"("id") ON DELETE CASCADE,
      "trackId" varchar(36) NOT NULL REFERENCES "recording_track"("id") ON DELETE CASCADE,
      "trackKey" varchar(80) NOT NULL,
      "index" integer NOT NULL,
      "startedAt" timestamptz NOT NULL,
      "endedAt" timestamptz NOT NULL,
      "mediaStartMs" integer NOT NULL,
      "durationMs" integer NOT NULL,
      "sizeBytes" integer NOT NULL,
      "sha256" varchar(64) NOT NULL,
      "objectKey" varchar(512) NOT NULL UNIQUE,
      "localPath" varchar(300),
      "uploadState" varchar(16) NOT NULL,
      "attempts" integer NOT NULL DEFAULT 0,
      "lastError" varchar(300),
      "nextAttemptAt" timestamptz NOT NULL,
      "uploadedAt" timestamptz,
      "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
      UNIQUE ("recordingId", "trackKey", "index"))`);
    await q.query(`CREATE INDEX "idx_segment_upload" ON "segment" ("uploadState", "nextAttemptAt")`);
    await q.query(`CREATE TABLE "replay_log" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "accountId" varchar(36) NOT NULL,
      "inspectionId" varchar(36) NOT NULL,
      "recordingId" varchar(36),
      "segmentId" varchar(36),
      "action" varchar(32) NOT NULL,
      "at" timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX "idx_replay_log_inspection" ON "replay_log" ("inspectionId")`);
    await q.query(`CREATE TABLE "recording_setting" (
      "inspectionId" varchar(36) PRIMARY KEY NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "enabled" boolean NOT NULL,
      "updatedBy" varchar(36),
      "updatedAt" timestamptz NOT NULL)`);
    await q.query(`CREATE TABLE "recording_consent" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "participantId" varchar(36) NOT NULL,
      "crewLinkId" varchar(36),
      "consentedAt" timestamptz NOT NULL,
      "recordedAt" timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX "idx_consent_inspection" ON "recording_consent" ("inspectionId")`);
    await q.query(`CREATE TABLE "audit_assignment" (
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "accountId" varchar(36) NOT NULL REFERENCES "account"("id") ON DELETE CASCADE,
      "createdBy" varchar(36) NOT NULL,
      "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
      PRIMARY KEY ("inspectionId", "accountId"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'audit_assignment',
      'recording_consent',
      'recording_setting',
      'replay_log',
      'segment',
      'recording_track',
      'recording',
    ]) {
      await q.query(`DROP TABLE "${t}"`);
    }
  }
}
