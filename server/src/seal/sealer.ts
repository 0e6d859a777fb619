// Signed checkpoints of the evidence log. A checkpoint signs (inspection, entry count, head hash,
// time, final?) with the server's Ed25519 key; the log is append-only, so any (count, head) read
// at any moment is a true statement and needs no lock. Signed:
//   - every few minutes (SEAL_CHECKPOINT_MINUTES) for each log that grew since its last checkpoint
//     (final once the inspection has had a final one: entries that follow an end, such as the last
//     segments ffmpeg closes after the room, belong to it);
//   - final, when an inspection has ended and its room has closed, and for each evidence package.
// Until the next checkpoint, the newest entries are "not sealed yet", and the verifier says so.
// A final checkpoint gets an RFC 3161 token when TSA_URL is set; a TSA that cannot be reached
// leaves the checkpoint signed without a token (logged), and the next final one asks again.
import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  AppError,
  SEAL_VERSION,
  checkpointBytes,
  type CheckpointCore,
  type SealCheckpoint,
  type SealEntry,
  type SealPublicKey,
  type SealedFile,
} from '@cloudship/shared';
import { Logger } from '../logging/logger';
import { EvidenceHeadEntity, SealCheckpointEntity, type SealCheckpointRow } from './entities';
import type { EvidenceLog } from './evidence-log';
import { publishedKeys, type SigningKey } from './signing-key';
import type { Timestamper } from './tsa-client';

const logger = new Logger('sealer');

export const rowToCheckpoint = (r: SealCheckpointRow): SealCheckpoint => ({
  v: SEAL_VERSION,
  kind: 'checkpoint',
  inspectionId: r.inspectionId,
  count: r.count,
  head: r.head,
  at: r.at,
  final: Boolean(r.final),
  keyId: r.keyId,
  signature: r.signature,
  ...(r.tsaUrl && r.tsaToken ? { timestamp: { tsaUrl: r.tsaUrl, token: r.tsaToken } } : {}),
});

export interface SealerOptions {
  timestamper?: Timestamper | null;
  /** Periodic checkpoints of live logs; 0: none. */
  intervalMs: number;
}

export class Sealer {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly db: DataSource,
    readonly log: EvidenceLog,
    private readonly key: SigningKey,
    private readonly opts: SealerOptions,
  ) {}

  start(): this {
    if (this.opts.intervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.sweep(), this.opts.intervalMs);
      this.timer.unref();
    }
    return this;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /** Signs the current head. NOT_FOUND when the inspection has no log. */
  async checkpoint(inspectionId: string, opts: { final: boolean }): Promise<SealCheckpoint> {
    const head = await this.log.head(inspectionId);
    if (head.count === 0) throw new AppError('NOT_FOUND', 'This inspection has no evidence log.');
    const core: CheckpointCore = {
      v: SEAL_VERSION,
      kind: 'checkpoint',
      inspectionId,
      count: head.count,
      head: head.head,
      at: new Date().toISOString(),
      final: opts.final,
    };
    const bytes = checkpointBytes(core);
    const signature = this.key.sign(bytes);
    let timestamp: SealCheckpoint['timestamp'];
    if (opts.final && this.opts.timestamper) {
      timestamp = await this.opts.timestamper(bytes).catch((e: unknown) => {
        logger.warn('checkpoint() | no timestamp token: the checkpoint is signed without one', { inspectionId }, e);
        return undefined;
      });
    }
    const row: SealCheckpointRow = {
      id: crypto.randomUUID(),
      inspectionId,
      count: core.count,
      head: core.head,
      at: core.at,
      final: core.final,
      keyId: this.key.keyId,
      signature,
      tsaUrl: timestamp?.tsaUrl ?? null,
      tsaToken: timestamp?.token ?? null,
    };
    await this.db.getRepository(SealCheckpointEntity).insert(row);
    // signedCount only grows (two checkpoints may finish out of order).
    await this.db
      .getRepository(EvidenceHeadEntity)
      .createQueryBuilder()
      .update()
      .set({ signedCount: core.count })
      .where('inspectionId = :inspectionId AND signedCount < :count', { inspectionId, count: core.count })
      .execute();
    logger.debug('checkpoint() | signed', { inspectionId, count: core.count, final: core.final, tsa: Boolean(timestamp) });
    return rowToCheckpoint(row);
  }

  /** Signs every log that grew since its last checkpoint; the timer's work, callable from tests. */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const grown = await this.db.getRepository(EvidenceHeadEntity).createQueryBuilder('h').where('h.count > h.signedCount').getMany();
        for (const h of grown) {
          // Signed meanwhile (the end's final checkpoint, a package): nothing to add.
          const now = await this.log.head(h.inspectionId);
          if (now.count <= now.signedCount) continue;
          // Final stays final: what an ended inspection still logs (its last segments, written as
          // ffmpeg closes them after the room, a savings correction) is sealed as part of its end.
          const final = await this.db.getRepository(SealCheckpointEntity).existsBy({ inspectionId: h.inspectionId, final: true });
          await this.checkpoint(h.inspectionId, { final }).catch((e: unknown) =>
            logger.error('sweep() | checkpoint failed', { inspectionId: h.inspectionId }, e),
          );
        }
      } catch (e) {
        logger.error('sweep() | failed', {}, e);
      } finally {
        this.sweeping = null;
      }
    })();
    return this.sweeping;
  }

  /** The final checkpoint of an inspection that has ended; nothing when it has no log. */
  async sealEnded(inspectionId: string): Promise<SealCheckpoint | null> {
    if ((await this.log.head(inspectionId)).count === 0) return null;
    return this.checkpoint(inspectionId, { final: true });
  }

  /** The `report` entry of an exported report PDF (its bytes are kept by the caller). */
  appendReport(inspectionId: string, file: SealedFile): Promise<SealEntry> {
    return this.log.appendAlone(inspectionId, 'report', { file: { ...file } });
  }

  /** The log, its checkpoints and every published key: what a manifest (or the replay page) needs. */
  manifestParts(inspectionId: string): Promise<ManifestParts> {
    return readManifestParts(this.db, this.log, inspectionId);
  }
}

export interface ManifestParts {
  entries: SealEntry[];
  checkpoints: SealCheckpoint[];
  publicKeys: SealPublicKey[];
}

/** Reads what is sealed, with no signing key at hand (the live check of `npm run verify`). */
export async function readManifestParts(db: DataSource, log: EvidenceLog, inspectionId: string): Promise<ManifestParts> {
  const [entries, rows, keys] = await Promise.all([
    log.entries(inspectionId),
    db.getRepository(SealCheckpointEntity).find({ where: { inspectionId }, order: { count: 'ASC', at: 'ASC' } }),
    publishedKeys(db),
  ]);
  return { entries, checkpoints: rows.map(rowToCheckpoint), publicKeys: keys.keys };
}
