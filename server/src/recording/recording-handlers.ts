// Socket requests of the recording: the surveyor's switch.
import { requirePermission, type RequestHandlers } from '../session/participant-context';
import type { RecordingService } from './recording-service';

export function recordingHandlers(
  recording: Pick<RecordingService, 'start' | 'stop'>,
): RequestHandlers<'recording.start' | 'recording.stop'> {
  return {
    async 'recording.start'(ctx) {
      requirePermission(ctx, 'recording.control');
      return recording.start(ctx.inspectionId, ctx.identity.accountId);
    },

    async 'recording.stop'(ctx) {
      requirePermission(ctx, 'recording.control');
      return recording.stop(ctx.inspectionId, ctx.identity.accountId);
    },
  };
}
