// The tables of the evidence log (seal format v1, shared/src/seal.ts). `evidence_entry` is append
// only: nothing in the server updates or deletes a row of it. `evidence_head` is the one row per
// inspection that appends take in turn (a row lock on PostgreSQL; SQLite runs one transaction at a
// time), so that seq and prev never fork. Times the hash covers are kept as the exact ISO strings
// that were hashed, bodies as the canonical JSON that was hashed.
import { EntitySchema } from 'typeorm';

export interface EvidenceEntryRow {
  inspectionId: string;
  seq: number;
  type: string;
  at: string;
  prev: string;
  hash: string;
  /** canonicalJson(body) */
  body: string;
}

export const EvidenceEntryEntity = new EntitySchema<EvidenceEntryRow>({
  name: 'EvidenceEntry',
  tableName: 'evidence_entry',
  columns: {
    inspectionId: { type: 'varchar', length: 36, primary: true },
    seq: { type: 'integer', primary: true },
    type: { type: 'varchar', length: 32 },
    at: { type: 'varchar', length: 24 },
    prev: { type: 'varchar', length: 64 },
    hash: { type: 'varchar', length: 64 },
    body: { type: 'text' },
  },
});

export interface EvidenceHeadRow {
  inspectionId: string;
  count: number;
  head: string;
  /** How many entries the newest checkpoint covers (0: none yet). */
  signedCount: number;
}

export const EvidenceHeadEntity = new EntitySchema<EvidenceHeadRow>({
  name: 'EvidenceHead',
  tableName: 'evidence_head',
  columns: {
    inspectionId: { type: 'varchar', length: 36, primary: true },
    count: { type: 'integer' },
    head: { type: 'varchar', length: 64 },
    signedCount: { type: 'integer', default: 0 },
  },
});

export interface SealCheckpointRow {
  id: string;
  inspectionId: string;
  count: number;
  head: string;
  at: string;
  final: boolean;
  keyId: string;
  signature: string;
  tsaUrl: string | null;
  tsaToken: string | null;
}

export const SealCheckpointEntity = new EntitySchema<SealCheckpointRow>({
  name: 'SealCheckpoint',
  tableName: 'seal_checkpoint',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    inspectionId: { type: 'varchar', length: 36 },
    count: { type: 'integer' },
    head: { type: 'varchar', length: 64 },
    at: { type: 'varchar', length: 24 },
    final: { type: 'boolean' },
    keyId: { type: 'varchar', length: 64 },
    signature: { type: 'varchar', length: 128 },
    tsaUrl: { type: 'varchar', length: 512, nullable: true },
    tsaToken: { type: 'text', nullable: true },
  },
});

export interface SealKeyRow {
  keyId: string;
  publicKey: string;
  createdAt: string;
  retiredAt: string | null;
}

export const SealKeyEntity = new EntitySchema<SealKeyRow>({
  name: 'SealKey',
  tableName: 'seal_key',
  columns: {
    keyId: { type: 'varchar', length: 64, primary: true },
    publicKey: { type: 'varchar', length: 64 },
    createdAt: { type: 'varchar', length: 24 },
    retiredAt: { type: 'varchar', length: 24, nullable: true },
  },
});

export const SEAL_ENTITIES = [EvidenceEntryEntity, EvidenceHeadEntity, SealCheckpointEntity, SealKeyEntity];
