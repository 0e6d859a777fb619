// Signaling handlers of the crew-phone-in-the-field features (issue #6), merged into the handler
// table by signaling/handlers.ts. Each checks a permission (never a role name) and that the socket
// has joined the room; the services check the target.
import { AppError, can, type FieldResponseData, type ParsedRequest, type Permission } from '@cloudship/shared';
import type { SocketContext } from '../signaling/handlers';
import type { Peer } from '../session/peer';
import type { Room } from '../session/room';
import type { FieldFeatures } from './field-features';

type FieldRequest = keyof FieldResponseData;
type FieldHandlers = { [N in FieldRequest]: (ctx: SocketContext, req: ParsedRequest<N>) => Promise<FieldResponseData[N]> };

function allowed(ctx: SocketContext, permission: Permission): void {
  if (!can(ctx.identity.role, permission)) throw new AppError('FORBIDDEN', 'Your role may not do this.');
}

function joined(ctx: SocketContext): { room: Room; peer: Peer } {
  if (!ctx.room || !ctx.peer || ctx.peer.closed) throw new AppError('INVALID_STATE', 'Join the room first.');
  if (ctx.room.closed) throw new AppError('INSPECTION_ENDED', 'This live session is closed.');
  return { room: ctx.room, peer: ctx.peer };
}

export function fieldHandlers(field: FieldFeatures | undefined): FieldHandlers {
  const features = (): FieldFeatures => {
    if (!field) throw new AppError('INVALID_STATE', 'Not available on this server.');
    return field;
  };
  return {
    async 'position.report'(ctx, req) {
      allowed(ctx, 'position.share');
      const { room, peer } = joined(ctx);
      const event = await features().positions.report(room, peer, req);
      return { distanceKm: event.distanceKm };
    },

    async 'camera.capabilities'(ctx, req) {
      allowed(ctx, 'media.produceVideo');
      const { room, peer } = joined(ctx);
      features().camera.reportCapabilities(room, peer, req.capabilities);
      return {};
    },

    async 'camera.control'(ctx, req) {
      allowed(ctx, 'camera.control');
      const { room, peer } = joined(ctx);
      features().camera.command(room, peer, req.peerId, req.command);
      return {};
    },

    async 'video.setProfile'(ctx, req) {
      allowed(ctx, 'camera.control');
      const { room, peer } = joined(ctx);
      await features().camera.setProfile(room, peer, req.peerId, req.profile);
      return {};
    },
  };
}
