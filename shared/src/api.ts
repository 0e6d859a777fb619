// REST request bodies, validated by the server and used by the browser forms.
import { z } from './zod';
import { INSPECTION_KINDS, STAFF_ROLES } from './domain';

export const loginSchema = z
  .object({
    username: z.string().trim().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .strict();

export const createAccountSchema = z
  .object({
    username: z
      .string()
      .trim()
      .min(3)
      .max(64)
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
    displayName: z.string().trim().min(1).max(80),
    password: z.string().min(10, 'at least 10 characters').max(256),
    role: z.enum(STAFF_ROLES),
  })
  .strict();

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
export type CreateInspectionRequest = z.infer<typeof createInspectionSchema>;
export type EndInspectionRequest = z.infer<typeof endInspectionSchema>;
