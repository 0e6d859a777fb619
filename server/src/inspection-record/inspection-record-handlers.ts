// Socket requests of the inspection record: the surveyor asks the crew phone for an HD still, and
// guides the crew on the picture (pointer, a frozen still with drawings; guide-protocol.ts). Guide
// messages go to the crew of this inspection's room only; their coordinates were checked by the
// shared schema (finite, within 0..1) before they get here.
import type { GuideResponseData } from '@cloudship/shared';
import { joined, requirePermission, type RequestHandlers } from '../session/participant-context';
import type { InspectionService } from '../inspection/inspection-service';
import type { EvidenceService } from './evidence-service';

export type InspectionRecordRequest = 'evidence.capture' | keyof GuideResponseData;

export function inspectionRecordHandlers(
  inspections: InspectionService,
  evidence: EvidenceService,
): RequestHandlers<InspectionRecordRequest> {
  return {
    async 'evidence.capture'(ctx, req) {
      requirePermission(ctx, 'evidence.capture');
      // An ended inspection says so (not just "join first"); then a capture needs a joined session.
      inspections.assertOpen(await inspections.get(ctx.inspectionId));
      joined(ctx);
      return evidence.requestCapture(ctx.inspectionId, ctx.identity, req.checklistItemId);
    },

    async 'guide.pointer'(ctx, req) {
      requirePermission(ctx, 'crew.guide');
      const { room, peer } = joined(ctx);
      return { crewCount: room.broadcast('guide.pointer', { x: req.x, y: req.y, from: peer.id }, { role: 'crew' }) };
    },

    async 'guide.freeze'(ctx, req) {
      requirePermission(ctx, 'crew.guide');
      const { room } = joined(ctx);
      // Only a photo of this inspection can be shown; the phone fetches it with its own link.
      const photo = await evidence.photo(ctx.inspectionId, req.evidenceId);
      const url = `/api/crew/evidence/${encodeURIComponent(photo.id)}/file`;
      room.shownStill = photo.id;
      return { crewCount: room.broadcast('guide.frozen', { evidenceId: photo.id, url, layer: req.layer }, { role: 'crew' }) };
    },

    async 'guide.release'(ctx) {
      requirePermission(ctx, 'crew.guide');
      const { room } = joined(ctx);
      room.shownStill = null;
      return { crewCount: room.broadcast('guide.released', {}, { role: 'crew' }) };
    },
  };
}
