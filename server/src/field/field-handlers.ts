// Socket requests of the crew-phone-in-the-field features (positions, camera control, video
// profiles), merged into the request table by the signaling edge. Each checks a permission (never
// a role name) and that the socket has joined the room; the services check the target.
import type { FieldResponseData } from '@cloudship/shared';
import { joined, requirePermission as allowed, type RequestHandlers } from '../session/participant-context';
import type { FieldFeatures } from './field-features';

export function fieldHandlers(field: FieldFeatures): RequestHandlers<keyof FieldResponseData> {
  const features = (): FieldFeatures => field;
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

    async 'video.setDataSaver'(ctx, req) {
      allowed(ctx, 'media.produceVideo');
      const { room, peer } = joined(ctx);
      await features().camera.setDataSaver(room, peer, req.on);
      return {};
    },
  };
}
