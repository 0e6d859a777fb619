// The request table of the signaling edge: the live room's own requests (join, transports,
// produce/consume) are answered here; every feature's requests come from that feature's handler
// module (inspection/, inspection-record/, recording/, field/, chat/) and are merged in. Payloads arrive
// already parsed; each handler checks the permission it needs (never a role name) and delegates
// the media work to the Room.
import type { DtlsParameters, RtpParameters } from 'mediasoup/types';
import { AppError, type RequestName } from '@cloudship/shared';
import type { ChatRequest } from '../chat/chat-handlers';
import type { FieldFeatures } from '../field/field-features';
import { fieldHandlers } from '../field/field-handlers';
import type { InspectionService } from '../inspection/inspection-service';
import type { InspectionRecordRequest } from '../inspection-record/inspection-record-handlers';
import type { RecordingService } from '../recording/recording-service';
import { recordingHandlers } from '../recording/recording-handlers';
import { joined, requirePermission, type ParticipantContext, type RequestHandlers } from '../session/participant-context';
import type { Room } from '../session/room';
import type { RoomRegistry } from '../session/room-registry';

export interface HandlerDeps {
  inspections: InspectionService;
  rooms: RoomRegistry;
  /** Crew phone in the field: position, camera control, video profiles, TURN. */
  field: FieldFeatures;
  /** The surveyor's recording switch and the crew's consent. */
  recording: Pick<RecordingService, 'start' | 'stop' | 'recordConsent'>;
  /** The inspection's own requests (inspection/inspection-handlers.ts). */
  inspection: RequestHandlers<'inspection.end'>;
  /** The inspection record's requests (inspection-record/inspection-record-handlers.ts). */
  inspectionRecord: RequestHandlers<InspectionRecordRequest>;
  /** Chat and document requests (chat/chat-handlers.ts). */
  chat: RequestHandlers<ChatRequest>;
}

type RoomRequest = Exclude<
  RequestName,
  'inspection.end' | InspectionRecordRequest | ChatRequest | 'recording.start' | 'recording.stop' | keyof ReturnType<typeof fieldHandlers>
>;

export function createHandlers(deps: HandlerDeps): RequestHandlers<RequestName> {
  async function room(ctx: ParticipantContext): Promise<Room> {
    if (ctx.room && !ctx.room.closed) return ctx.room;
    ctx.room = await deps.rooms.getOrCreate(ctx.inspectionId);
    return ctx.room;
  }

  const roomHandlers: RequestHandlers<RoomRequest> = {
    async 'room.getCapabilities'(ctx) {
      requirePermission(ctx, 'room.join');
      return { routerRtpCapabilities: (await room(ctx)).router.rtpCapabilities };
    },

    async 'room.join'(ctx, req) {
      requirePermission(ctx, 'room.join');
      const inspection = ctx.crewToken
        ? (await deps.inspections.resolveCrewToken(ctx.crewToken)).inspection
        : await deps.inspections.get(ctx.inspectionId);
      deps.inspections.assertOpen(inspection);
      if (ctx.peer && !ctx.peer.closed && ctx.room && !ctx.room.closed) throw new AppError('INVALID_STATE', 'Already joined.');
      const r = await room(ctx);
      const { peer, result } = await r.join(ctx.identity, ctx.channel!, {
        displayName: req.displayName,
        device: req.device,
        rtpCapabilities: req.rtpCapabilities,
        takeOver: req.takeOver,
      });
      ctx.peer = peer;
      // TURN with credentials for this participant; none configured: host candidates only.
      const iceServers = deps.field.iceServers(peer.id);
      if (iceServers.length > 0) result.iceServers = iceServers;
      if (peer.role === 'crew') result.dataSaver = deps.field.camera.dataSaverAtJoin(r, peer, inspection.kind);
      // The crew page sends when its consent screen (which says the session is recorded) was accepted.
      if (req.consentedAt && peer.role === 'crew') {
        await deps.recording.recordConsent({
          inspectionId: ctx.inspectionId,
          participantId: peer.id,
          crewLinkId: ctx.identity.crewLinkId,
          consentedAt: new Date(req.consentedAt),
          ...(req.consentTextSha256 ? { textSha256: req.consentTextSha256 } : {}),
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

    async 'consumer.setLayer'(ctx, req) {
      const { room, peer } = joined(ctx);
      await room.setConsumerLayer(peer, req.consumerId, req.spatialLayer);
      return {};
    },
  };

  return {
    ...roomHandlers,
    ...fieldHandlers(deps.field),
    ...recordingHandlers(deps.recording),
    ...deps.inspection,
    ...deps.inspectionRecord,
    ...deps.chat,
  };
}
