// Per-connection state of a live-session participant, as every feature's socket handlers see it:
// who is on the other end, which inspection the connection is bound to, and once joined, the room
// and the peer. The signaling edge (signaling/) creates one per socket; feature handler modules
// (inspection/, inspection-record/, recording/, field/) receive it and never see socket.io.
import {
  AppError,
  allowedOn,
  type ParsedRequest,
  type Permission,
  type Relation,
  type RequestName,
  type ResponseData,
  type RevocationReason,
} from '@cloudship/shared';
import type { Peer, PeerChannel, PeerIdentity } from './peer';
import type { Room } from './room';

export interface ParticipantContext {
  inspectionId: string;
  identity: PeerIdentity;
  /** How the participant stands to the inspection (checked at the handshake: see shared/src/access.ts). */
  relation: Relation;
  /** The crew's token, re-checked at join (the link may be revoked after the handshake). */
  crewToken: string | null;
  /**
   * What the connection was opened with, so that its end ends the connection (signaling/): a crew
   * link, or a staff sign-in session (SHA-256 of its token); each expires at `expiresAt` (ms).
   */
  credential: { crewLinkId: string; expiresAt: number } | { accountId: string; sessionHash: string; expiresAt: number };
  /** Set when that credential ended: every further request is refused. */
  revoked?: RevocationReason;
  /** Staff: the inspection ended (the socket stays, told `inspection.ended`); every request is refused. */
  inspectionEnded?: boolean;
  /** When the credential was last read from the database (ms; signaling/ re-reads it now and then). */
  checkedAt?: number;
  channel?: PeerChannel;
  room?: Room;
  peer?: Peer;
}

/** A feature's slice of the request table: one handler per request name it answers. */
export type RequestHandlers<N extends RequestName> = {
  [K in N]: (ctx: ParticipantContext, req: ParsedRequest<K>) => Promise<ResponseData[K]>;
};

/** FORBIDDEN unless the participant's role and relation to the inspection allow the permission there. */
export function requirePermission(ctx: ParticipantContext, permission: Permission): void {
  if (!allowedOn(ctx.identity.role, ctx.relation, permission)) throw new AppError('FORBIDDEN', 'Your role may not do this.');
}

/** The room and peer of a joined participant, or INVALID_STATE / INSPECTION_ENDED. */
export function joined(ctx: ParticipantContext): { room: Room; peer: Peer } {
  if (!ctx.room || !ctx.peer || ctx.peer.closed) throw new AppError('INVALID_STATE', 'Join the room first.');
  // Another connection of the same identity took the peer over (a rejoin, a take-over).
  if (ctx.channel && ctx.peer.channel !== ctx.channel) throw new AppError('INVALID_STATE', 'This connection no longer holds the seat.');
  if (ctx.room.closed) throw new AppError('INSPECTION_ENDED', 'This live session is closed.');
  return { room: ctx.room, peer: ctx.peer };
}
