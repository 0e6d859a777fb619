// Socket requests of the inspection itself: a surveyor ends it from the live console.
import { requirePermission, type RequestHandlers } from '../session/participant-context';
import type { InspectionLifecycle } from './inspection-lifecycle';

export function inspectionHandlers(lifecycle: InspectionLifecycle): RequestHandlers<'inspection.end'> {
  return {
    async 'inspection.end'(ctx, req) {
      requirePermission(ctx, 'inspection.end');
      await lifecycle.end(ctx.inspectionId, req);
      return {};
    },
  };
}
