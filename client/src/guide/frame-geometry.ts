// Where a video frame (or still) lies on the screen, and back: the pointer and the drawings travel
// in coordinates normalized to the frame (guide-protocol.ts), and each screen shows the frame its
// own way. The surveyor's stage letterboxes it (object-fit: contain); the phone fills its screen
// with its camera (object-fit: cover, cropping the sides) and mirrors the front camera. The frame's
// size is the one the video reports (videoWidth x videoHeight), already turned to the phone's
// orientation, so portrait and landscape need nothing more.
import type { NormalizedPoint } from '@cloudship/shared';

export interface FrameBox {
  /** The frame's drawn rectangle in the element's own coordinates (px; may extend beyond it with cover). */
  left: number;
  top: number;
  width: number;
  height: number;
  mirrored: boolean;
}

/** The rectangle a `frameW` x `frameH` picture takes in a `boxW` x `boxH` element with this object-fit. */
export function frameBox(boxW: number, boxH: number, frameW: number, frameH: number, fit: 'contain' | 'cover', mirrored = false): FrameBox {
  if (!frameW || !frameH) return { left: 0, top: 0, width: boxW, height: boxH, mirrored };
  const scale = fit === 'contain' ? Math.min(boxW / frameW, boxH / frameH) : Math.max(boxW / frameW, boxH / frameH);
  const width = frameW * scale;
  const height = frameH * scale;
  return { left: (boxW - width) / 2, top: (boxH - height) / 2, width, height, mirrored };
}

/** A point of the element (px from its top left) in frame coordinates, or null outside the picture. */
export function toFrame(box: FrameBox, x: number, y: number): NormalizedPoint | null {
  let nx = (x - box.left) / box.width;
  const ny = (y - box.top) / box.height;
  if (!(nx >= 0 && nx <= 1 && ny >= 0 && ny <= 1)) return null;
  if (box.mirrored) nx = 1 - nx;
  return { x: nx, y: ny };
}

/** A frame point in the element's coordinates (px from its top left). */
export function fromFrame(box: FrameBox, p: NormalizedPoint): { x: number; y: number } {
  const nx = box.mirrored ? 1 - p.x : p.x;
  return { x: box.left + nx * box.width, y: box.top + p.y * box.height };
}

/** The frame box of a <video> or <img> as laid out now (its computed object-fit and mirroring). */
export function elementFrameBox(media: HTMLVideoElement | HTMLImageElement): FrameBox {
  const rect = media.getBoundingClientRect();
  const [w, h] = media instanceof HTMLVideoElement ? [media.videoWidth, media.videoHeight] : [media.naturalWidth, media.naturalHeight];
  const fit = getComputedStyle(media).objectFit === 'cover' ? 'cover' : 'contain';
  return frameBox(rect.width, rect.height, w, h, fit, media.classList.contains('mirrored'));
}
