// REST request bodies, validated by the server and used by the browser forms.
import { z } from './zod';
import { INSPECTION_KINDS, STAFF_ROLES } from './domain';

export const loginSchema = z
  .object({
    username: z.string().trim().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .strict();

/**
 * The one rule for usernames: the server's schema below and the browser's form (its `pattern`,
 * `minlength` and `maxlength` attributes and the hint under the field) both read it. `pattern` is
 * written for the HTML attribute, which browsers compile with the `v` flag (hence `\-`).
 * Usernames are unique regardless of case: "Li.Wei" is taken once "li.wei" exists.
 */
export const USERNAME_RULE = { minLength: 3, maxLength: 64, pattern: '[A-Za-z0-9_.\\-]+' } as const;

export const usernameSchema = z
  .string()
  .trim()
  .min(USERNAME_RULE.minLength, `at least ${USERNAME_RULE.minLength} characters`)
  .max(USERNAME_RULE.maxLength, `at most ${USERNAME_RULE.maxLength} characters`)
  .regex(new RegExp(`^(?:${USERNAME_RULE.pattern})$`), 'letters A-Z a-z, digits and _ . - only');

export const displayNameSchema = z.string().trim().min(1).max(80);

export const createAccountSchema = z
  .object({
    username: usernameSchema,
    displayName: displayNameSchema,
    password: z.string().min(10, 'at least 10 characters').max(256),
    role: z.enum(STAFF_ROLES),
  })
  .strict();

/** An admin edits an account (`PATCH /api/accounts/:id`): its display name, its role, or both. */
export const updateAccountSchema = z
  .object({
    displayName: displayNameSchema.optional(),
    role: z.enum(STAFF_ROLES).optional(),
  })
  .strict()
  .refine((r) => r.displayName !== undefined || r.role !== undefined, { error: 'give displayName or role' });

/** A calendar day, YYYY-MM-DD (a period's ends, read in the authority's time zone). */
const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'not a calendar date');

/**
 * An admin draws a random sample of the inspections concluded in [from, to] (whole days in the
 * authority's time zone) for review: `percentage` of them (an integer 1-100, rounded up to whole
 * inspections), optionally all assigned to one auditor.
 */
export const drawSampleSchema = z
  .object({
    from: calendarDay,
    to: calendarDay,
    percentage: z.number().int('a whole number').min(1, 'from 1 to 100').max(100, 'from 1 to 100'),
    auditorId: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((r) => r.from <= r.to, { error: 'must not be before from', path: ['to'] });

/** How many of `population` inspections a sample of `percentage` % holds: rounded up, so any is at least one. */
export function sampleSize(population: number, percentage: number): number {
  return Math.ceil((population * percentage) / 100);
}

export interface ReviewSampleView {
  id: string;
  drawnAt: string;
  drawnBy: { id: string; displayName: string };
  from: string;
  to: string;
  /** The IANA zone the period's days were read in (TIME_ZONE when it was drawn). */
  timeZone: string;
  percentage: number;
  /** Concluded inspections in the period when it was drawn. */
  population: number;
  /** Inspections drawn: sampleSize(population, percentage). */
  size: number;
  /** How they were drawn (the database's random order; the drawn ids are what is recorded). */
  method: string;
  auditor: { id: string; displayName: string } | null;
  /** Of the drawn inspections, those assigned to the auditor (one who worked on an inspection as a surveyor is not). */
  assigned: number;
}

export interface ReviewSampleItemView {
  inspectionId: string;
  vesselName: string;
  registrationNumber: string;
  surveyorName: string;
  concludedAt: string;
  outcome: string | null;
}

export const createInspectionSchema = z
  .object({
    vesselName: z.string().trim().min(1).max(120),
    registrationNumber: z.string().trim().min(1).max(64),
    kind: z.enum(INSPECTION_KINDS),
    place: z.string().trim().min(1).max(200),
    /** Optional coordinates of the place (both or neither): the crew's GPS is compared with them. */
    placeLat: z.number().min(-90).max(90).optional(),
    placeLon: z.number().min(-180).max(180).optional(),
    scheduledAt: z.iso
      .datetime({ offset: true })
      .refine((s) => Math.abs(Date.parse(s) - Date.now()) < 366 * 24 * 3600 * 1000, 'must be within a year from now'),
  })
  .strict()
  .refine((r) => (r.placeLat === undefined) === (r.placeLon === undefined), {
    error: 'give placeLat and placeLon together',
    path: ['placeLon'],
  });

/**
 * Ending an inspection (REST `POST …/end` and the socket's `inspection.end`). `toBeContinued`:
 * ended before a conclusion, to be finished later; stored with the end.
 */
export const endInspectionSchema = z.object({ toBeContinued: z.boolean().optional() }).strict();

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1).max(256),
    newPassword: z.string().min(10, 'at least 10 characters').max(256),
  })
  .strict();

export type LoginRequest = z.infer<typeof loginSchema>;
export type CreateAccountRequest = z.infer<typeof createAccountSchema>;
export type UpdateAccountRequest = z.infer<typeof updateAccountSchema>;
export type DrawSampleRequest = z.infer<typeof drawSampleSchema>;
export type CreateInspectionRequest = z.infer<typeof createInspectionSchema>;
export type EndInspectionRequest = z.infer<typeof endInspectionSchema>;
