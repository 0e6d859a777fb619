// The part of the signaling protocol with which the surveyor guides the crew on the picture
// (guide/): a pointer at a spot of the live video, and a frozen frame (or HD still) with drawings
// on it shown on the phone until the surveyor releases it. protocol.ts merges these schemas and
// event maps into its own; the server parses every payload with them, and the annotation layer
// saved as evidence is validated with the same schema.
//
// Every coordinate is normalized to the video frame (or still) as sent by the phone: x from its
// left edge (0) to its right edge (1), y from top to bottom, whatever size, letterboxing or
// mirroring either screen shows it with. Each side converts to and from its own screen.
import { z } from './zod';

const id = z.string().min(1).max(64);

/** A drawing holds at most this many shapes, and this many points over all its freehand lines. */
export const MAX_ANNOTATION_SHAPES = 40;
export const MAX_ANNOTATION_POINTS = 2_000;
/** A label is a few words ("this valve", "裂纹"), not a note: notes go on the checklist item. */
export const MAX_ANNOTATION_TEXT = 60;
/** How long the crew's phone shows a pointer marker. */
export const POINTER_FADE_MS = 4_000;

/** Finite and within the frame: NaN, Infinity and anything outside 0..1 are refused. */
const unit = z.number().min(0).max(1);
export const normalizedPointSchema = z.object({ x: unit, y: unit }).strict();
export type NormalizedPoint = z.infer<typeof normalizedPointSchema>;

export const ANNOTATION_COLORS = ['red', 'yellow', 'cyan'] as const;
export type AnnotationColor = (typeof ANNOTATION_COLORS)[number];
const color = z.enum(ANNOTATION_COLORS);

export const annotationShapeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('arrow'), color, from: normalizedPointSchema, to: normalizedPointSchema }).strict(),
  /** A circle around `center`; `radius` is a fraction of the frame's width. */
  z.object({ type: z.literal('circle'), color, center: normalizedPointSchema, radius: z.number().min(0.005).max(1) }).strict(),
  z.object({ type: z.literal('freehand'), color, points: z.array(normalizedPointSchema).min(2).max(MAX_ANNOTATION_POINTS) }).strict(),
  z.object({ type: z.literal('text'), color, at: normalizedPointSchema, text: z.string().trim().min(1).max(MAX_ANNOTATION_TEXT) }).strict(),
]);
export type AnnotationShape = z.infer<typeof annotationShapeSchema>;

/** The vector layer of an annotated still: its shapes over a frame of `width` x `height` pixels. */
export const annotationLayerSchema = z
  .object({
    version: z.literal(1),
    width: z.number().int().min(1).max(16_384),
    height: z.number().int().min(1).max(16_384),
    shapes: z.array(annotationShapeSchema).max(MAX_ANNOTATION_SHAPES),
  })
  .strict()
  .refine(
    (layer) => layer.shapes.reduce((n, s) => n + (s.type === 'freehand' ? s.points.length : 0), 0) <= MAX_ANNOTATION_POINTS,
    `at most ${MAX_ANNOTATION_POINTS} points over all freehand lines`,
  );
export type AnnotationLayer = z.infer<typeof annotationLayerSchema>;

export const guideSchemas = {
  /** Surveyor: point at this spot of the crew's live picture. */
  'guide.pointer': normalizedPointSchema,
  /**
   * Surveyor: show this still (an evidence photo of the inspection: the frozen frame or an HD
   * still) with these drawings on the crew's phone; sent again with each change of the drawing.
   */
  'guide.freeze': z.object({ evidenceId: id, layer: annotationLayerSchema }).strict(),
  /** Surveyor: the phone goes back to its camera view. */
  'guide.release': z.object({}).strict(),
} as const;

export interface GuideResponseData {
  /** How many crew phones were shown it. */
  'guide.pointer': { crewCount: number };
  'guide.freeze': { crewCount: number };
  'guide.release': { crewCount: number };
}

export interface GuideServerEvents {
  /** To the crew: the surveyor points here (fades after POINTER_FADE_MS). */
  'guide.pointer': (event: NormalizedPoint & { from: string }) => void;
  /** To the crew: show this still (fetched from `url` with the crew link) with the drawings. */
  'guide.frozen': (event: { evidenceId: string; url: string; layer: AnnotationLayer }) => void;
  /** To the crew: back to the camera view. */
  'guide.released': (event: Record<string, never>) => void;
}
