// Reading inspections (list, details, the views the API answers with) and their crew links. The
// transitions (scheduled -> live -> ended) belong to InspectionLifecycle; the participant log to
// ParticipantLog.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { In, IsNull } from 'typeorm';
import { AppError, isClosed, type CrewInvitationView, type InspectionDetailView, type InspectionView } from '@cloudship/shared';
import { generateCrewLinkCode, normalizeCrewLinkCode } from '../auth/crew-link-code';
import type { CrewTokenSigner } from '../auth/crew-tokens';
import { AccountEntity, type Account } from '../auth/entities';
import { SafeEmitter } from '../lib/safe-emitter';
import { Logger } from '../logging/logger';
import type { InspectionAccess } from './inspection-access';
import {
  CrewLinkCodeEntity,
  CrewLinkEntity,
  InspectionEntity,
  ParticipantSessionEntity,
  type CrewLink,
  type CrewLinkCode,
  type Inspection,
  type ParticipantSession,
} from './entities';

const logger = new Logger('inspections');

export interface CrewCredential {
  inspection: Inspection;
  link: CrewLink;
}

/** A crew link as the console gets it: the signed token, the short code, and whether it is new. */
export interface IssuedCrewLink {
  token: string;
  code: string;
  expiresAt: Date;
  /** False: the inspection's current link, handed out again. */
  created: boolean;
}

export interface InspectionServiceEvents extends Record<string, unknown[]> {
  /**
   * Every crew link of the inspection was withdrawn: by the surveyor ('link-revoked') or with the
   * inspection's end ('inspection-ended'). Emitted after the rows say so.
   */
  linksRevoked: [inspectionId: string, reason: 'link-revoked' | 'inspection-ended'];
}

export class InspectionService extends SafeEmitter<InspectionServiceEvents> {
  private readonly inspections: Repository<Inspection>;
  private readonly links: Repository<CrewLink>;
  private readonly participants: Repository<ParticipantSession>;
  private readonly accounts: Repository<Account>;
  private readonly codes: Repository<CrewLinkCode>;
  private readonly issuing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly ds: DataSource,
    private readonly signer: CrewTokenSigner,
    private readonly crewLinkTtlMs: number,
    private readonly access: InspectionAccess,
  ) {
    super(logger);
    this.inspections = ds.getRepository(InspectionEntity);
    this.links = ds.getRepository(CrewLinkEntity);
    this.participants = ds.getRepository(ParticipantSessionEntity);
    this.accounts = ds.getRepository(AccountEntity);
    this.codes = ds.getRepository(CrewLinkCodeEntity);
  }

  async get(id: string): Promise<Inspection> {
    const inspection = typeof id === 'string' && id.length <= 64 ? await this.inspections.findOneBy({ id }) : null;
    if (!inspection) throw new AppError('NOT_FOUND', 'No such inspection.');
    return inspection;
  }

  async detail(id: string): Promise<InspectionDetailView> {
    const inspection = await this.get(id);
    const [view] = await this.views([inspection]);
    const members = await this.access.members(inspection);
    const participants = await this.participants.find({ where: { inspectionId: id }, order: { joinedAt: 'ASC' } });
    return {
      ...view!,
      members,
      participants: participants.map((p) => ({
        id: p.id,
        role: p.role,
        displayName: p.displayName,
        device: p.device,
        joinedAt: p.joinedAt.toISOString(),
        leftAt: p.leftAt?.toISOString() ?? null,
        leaveReason: p.leaveReason,
      })),
    };
  }

  async views(rows: Inspection[]): Promise<InspectionView[]> {
    const ids = [...new Set(rows.map((r) => r.surveyorId))];
    const names = new Map((await this.accounts.findBy({ id: In(ids) })).map((a) => [a.id, a.displayName]));
    return rows.map((r) => ({
      id: r.id,
      vesselName: r.vesselName,
      registrationNumber: r.registrationNumber,
      kind: r.kind,
      place: r.place,
      placeLat: r.placeLat ?? null,
      placeLon: r.placeLon ?? null,
      scheduledAt: r.scheduledAt.toISOString(),
      status: r.status,
      surveyorId: r.surveyorId,
      surveyorName: names.get(r.surveyorId) ?? '',
      createdAt: r.createdAt.toISOString(),
      startedAt: r.startedAt?.toISOString() ?? null,
      endedAt: r.endedAt?.toISOString() ?? null,
      toBeContinued: Boolean(r.toBeContinued),
    }));
  }

  /**
   * The inspection's current crew link: the newest one neither revoked nor expired, handed out
   * again (every view of the console shows the same link), or a new one when there is none.
   */
  async currentCrewLink(inspectionId: string, by: Account): Promise<IssuedCrewLink> {
    return this.oneAtATime(inspectionId, async () => {
      this.assertOpen(await this.get(inspectionId));
      const live = (await this.links.find({ where: { inspectionId, revokedAt: IsNull() }, order: { createdAt: 'DESC' } })).filter(
        (l) => l.expiresAt.getTime() > Date.now(),
      );
      const codes = live.length ? await this.codes.findBy({ crewLinkId: In(live.map((l) => l.id)) }) : [];
      const byLink = new Map(codes.map((c) => [c.crewLinkId, c.code]));
      const current = live.find((l) => byLink.has(l.id));
      if (current) return { token: this.tokenOf(current), code: byLink.get(current.id)!, expiresAt: current.expiresAt, created: false };
      return this.issue(inspectionId, by);
    });
  }

  /** One more crew link for the inspection (another phone: one seat per link), whatever exists. */
  async createCrewLink(inspectionId: string, by: Account): Promise<IssuedCrewLink> {
    return this.oneAtATime(inspectionId, async () => {
      this.assertOpen(await this.get(inspectionId));
      return this.issue(inspectionId, by);
    });
  }

  /** A new link row and its short code, written together. */
  private async issue(inspectionId: string, by: Account): Promise<IssuedCrewLink> {
    const link: CrewLink = {
      id: crypto.randomUUID(),
      inspectionId,
      expiresAt: new Date(Date.now() + this.crewLinkTtlMs),
      revokedAt: null,
      createdBy: by.id,
      createdAt: new Date(),
    };
    for (let attempt = 1; ; attempt++) {
      const code = generateCrewLinkCode();
      try {
        await this.ds.transaction(async (m) => {
          await m.getRepository(CrewLinkEntity).insert(link);
          await m.getRepository(CrewLinkCodeEntity).insert({ code, crewLinkId: link.id, createdAt: link.createdAt });
        });
        logger.info('issue() | link issued', { inspectionId, linkId: link.id });
        return { token: this.tokenOf(link), code, expiresAt: link.expiresAt, created: true };
      } catch (e) {
        // A code drawn twice (1 in 8e14 per pair): draw again.
        if (attempt >= 3 || !(await this.codes.existsBy({ code }))) throw e;
      }
    }
  }

  /** The signed token of a link row: the same token every time (its claims come from the row). */
  private tokenOf(link: CrewLink): string {
    return this.signer.sign({ i: link.inspectionId, l: link.id, e: link.expiresAt.getTime() });
  }

  /** Calls for one inspection run one after the other (two console tabs must not make two links). */
  private oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.issuing.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.issuing.set(key, run);
    run
      .catch(() => undefined)
      .finally(() => this.issuing.get(key) === run && this.issuing.delete(key))
      .catch(() => undefined);
    return run;
  }

  /** The surveyor withdraws every crew link of the inspection; returns how many were live. */
  async revokeCrewLinks(inspectionId: string): Promise<number> {
    await this.get(inspectionId);
    return this.revokeAll(inspectionId, 'link-revoked');
  }

  /** Checks signature, expiry, revocation and the inspection's state; throws a coded AppError. */
  async resolveCrewToken(token: string): Promise<CrewCredential> {
    const claims = this.signer.verify(token);
    const link = await this.links.findOneBy({ id: claims.l });
    if (!link || link.inspectionId !== claims.i) throw new AppError('UNAUTHENTICATED', 'This inspection link is not valid.');
    const inspection = await this.get(claims.i);
    this.assertOpen(inspection); // ending also revokes links; "ended" is the more useful answer
    if (link.revokedAt) throw new AppError('LINK_REVOKED', 'This inspection link was withdrawn by the surveyor.');
    return { inspection, link };
  }

  /**
   * A short link's code: the link row it names, through the very checks of its signed token
   * (expiry, revocation, the inspection's state). BAD_REQUEST for what cannot be a code (cut
   * short, mistyped), NOT_FOUND for a code that names no link. Returns the token too: the short
   * link leads the phone on to the signed one.
   */
  async resolveCrewCode(input: string): Promise<CrewCredential & { token: string }> {
    const code = normalizeCrewLinkCode(input);
    if (!code) throw new AppError('BAD_REQUEST', 'This inspection link is incomplete or mistyped.');
    const row = await this.codes.findOneBy({ code });
    const link = row ? await this.links.findOneBy({ id: row.crewLinkId }) : null;
    if (!link) throw new AppError('NOT_FOUND', 'No inspection link has this code.');
    const token = this.tokenOf(link);
    return { ...(await this.resolveCrewToken(token)), token };
  }

  async invitation(cred: CrewCredential): Promise<CrewInvitationView> {
    const surveyor = await this.accounts.findOneBy({ id: cred.inspection.surveyorId });
    return {
      inspectionId: cred.inspection.id,
      vesselName: cred.inspection.vesselName,
      registrationNumber: cred.inspection.registrationNumber,
      place: cred.inspection.place,
      surveyorName: surveyor?.displayName ?? '',
      expiresAt: cred.link.expiresAt.toISOString(),
    };
  }

  assertOpen(inspection: Inspection): void {
    if (isClosed(inspection.status)) throw new AppError('INSPECTION_ENDED', 'This inspection has ended.');
  }

  /** When an inspection ends its links die with it (InspectionLifecycle 'ended'). */
  async revokeAllOnEnd(inspectionId: string): Promise<void> {
    try {
      await this.revokeAll(inspectionId, 'inspection-ended');
    } catch (e) {
      // The rows could not be written, but the links died with the inspection anyway (its status
      // says so, and resolveCrewToken checks it first): the crew's connections end regardless.
      this.safeEmit('linksRevoked', inspectionId, 'inspection-ended');
      throw e;
    }
  }

  /** Marks every live link of the inspection revoked, then tells the listeners (signaling). */
  private async revokeAll(inspectionId: string, reason: 'link-revoked' | 'inspection-ended'): Promise<number> {
    const r = await this.links.update({ inspectionId, revokedAt: IsNull() }, { revokedAt: new Date() });
    logger.info('revokeAll() | links revoked', { inspectionId, reason, count: r.affected ?? 0 });
    this.safeEmit('linksRevoked', inspectionId, reason);
    return r.affected ?? 0;
  }
}
