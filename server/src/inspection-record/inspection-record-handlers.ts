// Socket requests of the inspection record: the surveyor asks the crew phone for an HD still.
import { joined, requirePermission, type RequestHandlers } from '../session/participant-context';
import type { InspectionService } from '../inspection/inspection-service';
import type { EvidenceService } from './evidence-service';

export function inspectionRecordHandlers(inspections: InspectionService, evidence: EvidenceService): RequestHandlers<'evidence.capture'> {
  return {
    async 'evidence.capture'(ctx, req) {
      requirePermission(ctx, 'evidence.capture');
      // An ended inspection says so (not just "join first"); then a capture needs a joined session.
      inspections.assertOpen(await inspections.get(ctx.inspectionId));
      joined(ctx);
      return evidence.requestCapture(ctx.inspectionId, ctx.identity, req.checklistItemId);
    },
  };
}
