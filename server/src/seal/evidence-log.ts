// The append-only evidence log of each inspection (seal format v1, shared/src/seal.ts). A feature
// that writes a fact that matters (a segment, a still, a verdict, the conclusion...) appends its
// entry with the EntityManager of the transaction that writes the fact: both are committed, or
// neither. Nothing here updates or deletes an entry; a correction is a new entry.
//
// Appends to one inspection take turns on its `evidence_head` row: a row lock on PostgreSQL (the
// pool runs transactions side by side), and on SQLite the one connection runs one transaction at
// a time (persistence/data-source.ts). So seq runs 1..n without gaps and each prev is the hash of
// the entry before it.
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  GENESIS_HASH,
  SEAL_VERSION,
  canonicalJson,
  entryBytes,
  type JsonObject,
  type SealEntry,
  type SealEntryCore,
  type SealEntryType,
} from '@cloudship/shared';
import { EvidenceEntryEntity, EvidenceHeadEntity, type EvidenceEntryRow, type EvidenceHeadRow } from './entities';

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/**
 * A body as JSON can carry it: Dates become ISO strings, undefined fields go. What is hashed is
 * then exactly what is stored and what a package carries.
 */
export function toJsonBody(body: Record<string, unknown>): JsonObject {
  return JSON.parse(JSON.stringify(body)) as JsonObject;
}

export function rowToEntry(r: EvidenceEntryRow): SealEntry {
  return {
    v: SEAL_VERSION,
    inspectionId: r.inspectionId,
    seq: r.seq,
    type: r.type as SealEntryType,
    at: r.at,
    prev: r.prev,
    body: JSON.parse(r.body) as JsonObject,
    hash: r.hash,
  };
}

export interface AppendOptions {
  /** When the fact happened (default: now). */
  at?: Date;
}

export class EvidenceLog {
  private readonly postgres: boolean;

  constructor(private readonly db: DataSource) {
    this.postgres = db.options.type === 'postgres';
  }

  /**
   * Appends one entry inside the caller's transaction `m` (from `db.transaction(...)`), after the
   * facts it describes are written with the same `m`.
   */
  async append(
    m: EntityManager,
    inspectionId: string,
    type: SealEntryType,
    body: Record<string, unknown>,
    opts: AppendOptions = {},
  ): Promise<SealEntry> {
    if (!m.queryRunner?.isTransactionActive) throw new Error('EvidenceLog.append() needs the EntityManager of an open transaction');
    const head = await this.lockHead(m, inspectionId);
    const core: SealEntryCore = {
      v: SEAL_VERSION,
      inspectionId,
      seq: head.count + 1,
      type,
      at: (opts.at ?? new Date()).toISOString(),
      prev: head.head,
      body: toJsonBody(body),
    };
    const hash = sha256Hex(entryBytes(core));
    await m.insert(EvidenceEntryEntity, {
      inspectionId,
      seq: core.seq,
      type,
      at: core.at,
      prev: core.prev,
      hash,
      body: canonicalJson(core.body),
    });
    await m.update(EvidenceHeadEntity, { inspectionId }, { count: core.seq, head: hash });
    return { ...core, hash };
  }

  /** Appends in a transaction of its own: for facts that are not rows of ours (a report PDF exported). */
  appendAlone(inspectionId: string, type: SealEntryType, body: Record<string, unknown>, opts: AppendOptions = {}): Promise<SealEntry> {
    return this.db.transaction((m) => this.append(m, inspectionId, type, body, opts));
  }

  /** The log in order, the first `upTo` entries (default: all). */
  async entries(inspectionId: string, upTo?: number): Promise<SealEntry[]> {
    const qb = this.db
      .getRepository(EvidenceEntryEntity)
      .createQueryBuilder('e')
      .where('e.inspectionId = :inspectionId', { inspectionId })
      .orderBy('e.seq', 'ASC');
    if (upTo !== undefined) qb.andWhere('e.seq <= :upTo', { upTo });
    return (await qb.getMany()).map(rowToEntry);
  }

  /** The head (count 0 and 64 zeros for an inspection with no log yet). */
  async head(inspectionId: string): Promise<EvidenceHeadRow> {
    const row = await this.db.getRepository(EvidenceHeadEntity).findOneBy({ inspectionId });
    return row ?? { inspectionId, count: 0, head: GENESIS_HASH, signedCount: 0 };
  }

  /** The head row, created on the first append, and held until the transaction ends. */
  private async lockHead(m: EntityManager, inspectionId: string): Promise<EvidenceHeadRow> {
    // INSERT OR IGNORE / ON CONFLICT DO NOTHING: two first appends at once both end up locking one row.
    await m
      .createQueryBuilder()
      .insert()
      .into(EvidenceHeadEntity)
      .values({ inspectionId, count: 0, head: GENESIS_HASH, signedCount: 0 })
      .orIgnore()
      .execute();
    const qb = m.getRepository(EvidenceHeadEntity).createQueryBuilder('h').where('h.inspectionId = :inspectionId', { inspectionId });
    if (this.postgres) qb.setLock('pessimistic_write');
    const head = await qb.getOne();
    if (!head) throw new AppError('INTERNAL', `evidence_head of ${inspectionId} vanished inside its transaction`);
    return head;
  }
}
