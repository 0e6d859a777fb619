// Draws an annotation layer (guide-protocol.ts) onto a canvas: on the surveyor's stage while
// drawing, into the flattened JPEG saved as evidence, and over the still on the crew's phone. One
// drawing routine for all three, so that what the crew sees is what the report shows.
import type { AnnotationColor, AnnotationLayer, AnnotationShape, NormalizedPoint } from '@cloudship/shared';
import { elementFrameBox, fromFrame, type FrameBox } from './frame-geometry';

const COLORS: Record<AnnotationColor, string> = { red: '#ff3b30', yellow: '#ffd60a', cyan: '#32d2f5' };

/** Draws the shapes over the frame's box; line widths follow the box's size (readable when small). */
export function drawShapes(ctx: CanvasRenderingContext2D, shapes: readonly AnnotationShape[], box: FrameBox): void {
  const px = (p: NormalizedPoint) => fromFrame(box, p);
  const line = Math.max(2, Math.round(Math.min(box.width, box.height) / 160));
  ctx.save();
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = line;
  for (const shape of shapes) {
    ctx.strokeStyle = ctx.fillStyle = COLORS[shape.color];
    ctx.shadowColor = 'rgba(0,0,0,0.7)';
    ctx.shadowBlur = line;
    ctx.beginPath();
    if (shape.type === 'arrow') {
      const a = px(shape.from);
      const b = px(shape.to);
      const angle = Math.atan2(b.y - a.y, b.x - a.x);
      const head = line * 5;
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.moveTo(b.x - head * Math.cos(angle - 0.45), b.y - head * Math.sin(angle - 0.45));
      ctx.lineTo(b.x, b.y);
      ctx.lineTo(b.x - head * Math.cos(angle + 0.45), b.y - head * Math.sin(angle + 0.45));
      ctx.stroke();
    } else if (shape.type === 'circle') {
      const c = px(shape.center);
      ctx.arc(c.x, c.y, shape.radius * box.width, 0, Math.PI * 2);
      ctx.stroke();
    } else if (shape.type === 'freehand') {
      shape.points.forEach((p, i) => {
        const q = px(p);
        if (i === 0) ctx.moveTo(q.x, q.y);
        else ctx.lineTo(q.x, q.y);
      });
      ctx.stroke();
    } else {
      const at = px(shape.at);
      ctx.font = `600 ${line * 9}px system-ui, "Noto Sans CJK SC", sans-serif`;
      ctx.textBaseline = 'middle';
      ctx.fillText(shape.text, at.x, at.y);
    }
  }
  ctx.restore();
}

/**
 * Sizes `canvas` to the image it lies over (in device pixels) and draws `shapes` on it, placed on
 * the image's picture as it is fitted. False while the image has not loaded (nothing drawn).
 */
export function drawOverImage(canvas: HTMLCanvasElement, image: HTMLImageElement, shapes: readonly AnnotationShape[]): boolean {
  if (!image.naturalWidth) return false;
  const rect = image.getBoundingClientRect();
  canvas.width = Math.round(rect.width * devicePixelRatio);
  canvas.height = Math.round(rect.height * devicePixelRatio);
  const ctx = canvas.getContext('2d')!;
  ctx.scale(devicePixelRatio, devicePixelRatio);
  drawShapes(ctx, shapes, elementFrameBox(image));
  return true;
}

/** The still with its drawing burnt in, at the still's own size (the flattened JPEG for the report). */
export async function flatten(image: HTMLImageElement, layer: AnnotationLayer): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = layer.width;
  canvas.height = layer.height;
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(image, 0, 0, layer.width, layer.height);
  drawShapes(ctx, layer.shapes, { left: 0, top: 0, width: layer.width, height: layer.height, mirrored: false });
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
  if (!blob) throw Object.assign(new Error('no image'), { code: 'MEDIA_NOT_FOUND' });
  return blob;
}
