// Dips in the crew's link quality as the server saw them, for the replay timeline's network lane.
//
// What is measured: mediasoup's score of each crew camera stream (0-10, from the packet loss and
// retransmissions of what the server receives: the worker computes it, so the phone cannot
// overstate it). The best layer arriving counts, since the surveyor and the recorder are moved to
// whichever layer arrives. A dip starts when that score falls below DIP_BELOW and ends when it is
// back, when the camera stops or when the phone leaves; its worst score is kept.
//
// What is not: a cut (nothing arrives at all) leaves the score where it was for seconds; the media
// watchdog notices those from the packet counters and the recording stores them as gaps, which the
// same lane shows.
//
// A dip's row is written when it starts (a server that dies in a dip still leaves it on record) and
// closed when it ends.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { And, In, IsNull, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import type { TimelineMarkView } from '@cloudship/shared';
import { ParticipantSessionEntity } from '../inspection/entities';
import { Logger } from '../logging/logger';
import type { Peer, PeerProducer } from '../session/peer';
import type { Room } from '../session/room';
import type { RoomRegistry } from '../session/room-registry';
import { LinkQualityDipEntity, type LinkQualityDip } from './entities';

const logger = new Logger('link-quality');

/** Scores 7-10 are a link that loses little; at 6 and under the picture visibly suffers. */
export const DIP_BELOW = 7;

/** Days of recording with a link that dips every few seconds. */
const MAX_DIPS = 2000;

interface OpenDip {
  id: string;
  worst: number;
  /** The row's insert; the close waits for it. */
  written: Promise<unknown>;
}

/** The best score among a producer's encodings (0 when nothing arrives). */
export function bestScore(scores: ReadonlyArray<{ score: number }>): number {
  return scores.reduce((best, s) => Math.max(best, s.score), 0);
}

export class LinkQualityService {
  private readonly dips: Repository<LinkQualityDip>;
  private readonly open = new WeakMap<PeerProducer, OpenDip>();

  constructor(private readonly db: DataSource) {
    this.dips = db.getRepository(LinkQualityDipEntity);
  }

  attach(registry: RoomRegistry): this {
    registry.on('roomCreated', (room) => {
      room.on('producerAdded', (peer, producer) => {
        if (peer.role === 'crew' && producer.kind === 'video') this.watch(room, peer, producer);
      });
    });
    return this;
  }

  private watch(room: Room, peer: Peer, producer: PeerProducer): void {
    // A score of 0 before the first packets is not a dip: wait until the stream has scored well once.
    let scored = false;
    producer.on('score', (scores) => {
      const score = bestScore(scores);
      if (score >= DIP_BELOW) {
        scored = true;
        this.end(producer, room.inspectionId);
      } else if (scored) this.dip(room, peer, producer, score);
    });
    producer.observer.once('close', () => this.end(producer, room.inspectionId));
  }

  private dip(room: Room, peer: Peer, producer: PeerProducer, score: number): void {
    const current = this.open.get(producer);
    if (current) {
      if (score >= current.worst) return;
      current.worst = score;
      current.written = current.written.then(() => this.dips.update({ id: current.id }, { worstScore: score }));
      return;
    }
    const id = crypto.randomUUID();
    const written = this.dips
      .insert({
        id,
        inspectionId: room.inspectionId,
        participantId: peer.id,
        source: producer.appData.source,
        startedAt: new Date(),
        endedAt: null,
        worstScore: score,
      })
      .catch((err: unknown) => logger.warn('dip() | not stored', { inspectionId: room.inspectionId, error: String(err) }));
    this.open.set(producer, { id, worst: score, written });
    logger.info('dip() | link quality dipped', { inspectionId: room.inspectionId, participantId: peer.id, score });
  }

  private end(producer: PeerProducer, inspectionId: string): void {
    const current = this.open.get(producer);
    if (!current) return;
    this.open.delete(producer);
    const endedAt = new Date();
    void current.written
      .then(() => this.dips.update({ id: current.id, endedAt: IsNull() }, { endedAt }))
      .then(() => logger.info('end() | link quality back', { inspectionId, worstScore: current.worst }))
      .catch((err: unknown) => logger.warn('end() | not stored', { inspectionId, error: String(err) }));
  }

  /** The replay timeline's marks of the dips that started between `from` and `to`. */
  timeline() {
    const participants = this.db.getRepository(ParticipantSessionEntity);
    return async (inspectionId: string, from: Date, to: Date): Promise<TimelineMarkView[]> => {
      const rows = await this.dips.find({
        where: { inspectionId, startedAt: And(MoreThanOrEqual(from), LessThanOrEqual(to)) },
        order: { startedAt: 'ASC' },
        take: MAX_DIPS,
      });
      if (!rows.length) return [];
      const ids = [...new Set(rows.map((r) => r.participantId))];
      const found = await participants.find({ select: { id: true, displayName: true }, where: { id: In(ids) } });
      const names = new Map(found.map((p) => [p.id, p.displayName]));
      return rows.map((d) => ({
        lane: 'network',
        kind: 'quality-dip',
        at: d.startedAt.toISOString(),
        who: names.get(d.participantId) ?? '',
        text: '',
        ref: null,
        score: d.worstScore,
        untilAt: d.endedAt?.toISOString() ?? null,
      }));
    };
  }
}
