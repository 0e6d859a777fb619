// The inspection list's query (GET /api/inspections on the console, GET /api/replay/inspections on
// the replay page): paged by cursor, searched, filtered, sorted by schedule. Every key is checked;
// an unknown one, or a malformed value, is a 400 naming it.
import { z } from './zod';
import { INSPECTION_KINDS, INSPECTION_STATUSES, type InspectionView } from './domain';

/** A calendar date YYYY-MM-DD (a day in the authority's time zone, TIME_ZONE). */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && d.getUTCFullYear() >= 2000 && d.getUTCFullYear() <= 2200;
  }, 'must be a real date between 2000 and 2200');

export const LIST_SORTS = ['-scheduledAt', 'scheduledAt'] as const;
export type ListSort = (typeof LIST_SORTS)[number];
export const LIST_PAGE_DEFAULT = 50;
export const LIST_PAGE_MAX = 100;
export const LIST_SEARCH_MAX = 100;

export const inspectionListQuerySchema = z
  .object({
    /** Vessel name or registration number, any part of it, letter case ignored. */
    q: z.string().trim().max(LIST_SEARCH_MAX, `at most ${LIST_SEARCH_MAX} characters`).optional(),
    status: z.enum(INSPECTION_STATUSES).optional(),
    kind: z.enum(INSPECTION_KINDS).optional(),
    surveyorId: z.uuid().optional(),
    /** The surveyor's display name or username, any part of it. */
    surveyor: z.string().trim().max(80).optional(),
    /** Scheduled on or after this day / on or before this day (days in the authority's zone). */
    from: calendarDate.optional(),
    to: calendarDate.optional(),
    sort: z.enum(LIST_SORTS).default('-scheduledAt'),
    /** nextCursor of the previous page, as it was answered. */
    cursor: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]+$/, 'must be a nextCursor as answered')
      .optional(),
    limit: z.coerce.number().int().min(1).max(LIST_PAGE_MAX).default(LIST_PAGE_DEFAULT),
  })
  .strict()
  .refine((r) => !r.from || !r.to || r.from <= r.to, { error: 'must not be before from', path: ['to'] });
export type InspectionListQuery = z.input<typeof inspectionListQuerySchema>;
export type InspectionListQueryParsed = z.output<typeof inspectionListQuerySchema>;

/** One page: the inspections, and the cursor of the next page (null: this was the last). */
export interface InspectionPage<T extends InspectionView = InspectionView> {
  inspections: T[];
  nextCursor: string | null;
}
