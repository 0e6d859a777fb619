// One handler per request. Payloads arrive already parsed; each handler checks the permission it
// needs (never a role name) and delegates the media work to the Room.
import type { DtlsParameters, RtpCapabilities, RtpParameters } from 'mediasoup/node/lib/types';
import { AppError, can, type ParsedRequest, type Permission, type RequestName, type ResponseData } from '@cloudship/shared';
import type { Peer, PeerChannel, PeerIdentity } from '../session/peer';
import type { Room } from '../session/room';
import type { SignalingDeps } from './socket-server';
import { fieldHandlers } from '../field/field-handlers';

/** Per-socket state: who is on the other end, and once joined, their room and peer. */
export interface SocketContext {
  inspectionId: string;
  identity: PeerIdentity;
  /** The crew's token, re-checked at join (the link may be revoked after the handshake). */
  crewToken: string | null;
  channel?: PeerChannel;
  room?: Room;
  peer?: Peer;
}

type Handlers = { [N in RequestName]: (ctx: SocketContext, req: ParsedRequest<N>) => Promise<ResponseData[N]> };

function requirePermission(ctx: SocketContext, permission: Permission): void {
  if (!can(ctx.identity.role, permission)) throw new AppError('FORBIDDEN', 'Your role may not do this.');
}

function joined(ctx: SocketContext): { room: Room; peer: Peer } {
  if (!ctx.room || !ctx.peer || ctx.peer.closed) throw new AppError('INVALID_STATE', 'Join the room first.');
  if (ctx.room.closed) throw new AppError('INSPECTION_ENDED', 'This live session is closed.');
  return { room: ctx.room, peer: ctx.peer };
}

export function createHandlers(deps: SignalingDeps): Handlers {
  async function room(ctx: SocketContext): Promise<Room> {
    if (ctx.room && !ctx.room.closed) return ctx.room;
    ctx.room = await deps.rooms.getOrCreate(ctx.inspectionId);
    return ctx.room;
  }

  return {
    ...fieldHandlers(deps.field),

    async 'room.getCapabilities'(ctx) {
      requirePermission(ctx, 'room.join');
      return { routerRtpCapabilities: (await room(ctx)).router.rtpCapabilities };
    },

    async 'room.join'(ctx, req) {
      requirePermission(ctx, 'room.join');
      if (ctx.crewToken) await deps.inspections.resolveCrewToken(ctx.crewToken);
      else deps.inspections.assertOpen(await deps.inspections.get(ctx.inspectionId));
      if (ctx.peer && !ctx.peer.closed && ctx.room && !ctx.room.closed) throw new AppError('INVALID_STATE', 'Already joined.');
      const r = await room(ctx);
      const { peer, result } = await r.join(ctx.identity, ctx.channel!, {
        displayName: req.displayName,
        device: req.device,
        rtpCapabilities: req.rtpCapabilities as unknown as RtpCapabilities,
      });
      ctx.peer = peer;
      // TURN with credentials for this participant (issue #6); none configured: host candidates only.
      const iceServers = deps.field?.iceServers(peer.id) ?? [];
      if (iceServers.length > 0) result.iceServers = iceServers;
      // The crew page sends when its consent screen (which says the session is recorded) was accepted.
      if (req.consentedAt && peer.role === 'crew' && deps.recording) {
        await deps.recording.recordConsent({
          inspectionId: ctx.inspectionId,
          participantId: peer.id,
          crewLinkId: ctx.identity.crewLinkId,
          consentedAt: new Date(req.consentedAt),
        });
      }
      return result;
    },

    async 'room.leave'(ctx) {
      const { room, peer } = joined(ctx);
      await room.leave(peer, 'left');
      ctx.peer = undefined;
      return {};
    },

    async 'transport.create'(ctx, req) {
      const { room, peer } = joined(ctx);
      return room.createTransport(peer, req.direction);
    },

    async 'transport.connect'(ctx, req) {
      const { room, peer } = joined(ctx);
      await room.connectTransport(peer, req.transportId, req.dtlsParameters as unknown as DtlsParameters);
      return {};
    },

    async 'transport.restartIce'(ctx, req) {
      const { room, peer } = joined(ctx);
      return { iceParameters: await room.restartIce(peer, req.transportId) };
    },

    async produce(ctx, req) {
      const { room, peer } = joined(ctx);
      const producerId = await room.produce(peer, { ...req, rtpParameters: req.rtpParameters as unknown as RtpParameters });
      return { producerId };
    },

    async 'producer.pause'(ctx, req) {
      const { room, peer } = joined(ctx);
      await room.pauseProducer(peer, req.producerId);
      return {};
    },

    async 'producer.resume'(ctx, req) {
      const { room, peer } = joined(ctx);
      await room.resumeProducer(peer, req.producerId);
      return {};
    },

    async 'producer.close'(ctx, req) {
      const { room, peer } = joined(ctx);
      room.closeProducer(peer, req.producerId);
      return {};
    },

    async 'consumer.resume'(ctx, req) {
      const { room, peer } = joined(ctx);
      await room.resumeConsumer(peer, req.consumerId);
      return {};
    },

    async 'recording.start'(ctx) {
      requirePermission(ctx, 'recording.control');
      if (!deps.recording) throw new AppError('INVALID_STATE', 'Recording is not available.');
      return deps.recording.start(ctx.inspectionId, ctx.identity.accountId);
    },

    async 'recording.stop'(ctx) {
      requirePermission(ctx, 'recording.control');
      if (!deps.recording) throw new AppError('INVALID_STATE', 'Recording is not available.');
      return deps.recording.stop(ctx.inspectionId, ctx.identity.accountId);
    },

    async 'inspection.end'(ctx) {
      requirePermission(ctx, 'inspection.end');
      await deps.endInspection(ctx.inspectionId);
      return {};
    },

    async 'evidence.capture'(ctx, req) {
      requirePermission(ctx, 'evidence.capture');
      // An ended inspection says so (not just "join first"); then a capture needs a joined session.
      deps.inspections.assertOpen(await deps.inspections.get(ctx.inspectionId));
      joined(ctx);
      return deps.evidence.requestCapture(ctx.inspectionId, ctx.identity, req.checklistItemId);
    },
  };
}
