// The crew phone's side of the surveyor's guidance (guide-protocol.ts), on top of the camera view:
// the pointer marker at the spot of the picture the surveyor clicked (fading after
// POINTER_FADE_MS), and the surveyor's frozen still with the drawings, until it is released.
import { POINTER_FADE_MS, type AnnotationLayer, type NormalizedPoint } from '@cloudship/shared';
import { signal } from '@preact/signals';
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { errorCode } from '../api';
import type { LiveSession } from '../live-session';
import { tr } from '../ui/language-signal';
import { log } from '../util';
import './guide.css';
import { drawOverImage } from './draw-shapes';
import { elementFrameBox, fromFrame } from './frame-geometry';

interface Pointer extends NormalizedPoint {
  /** Changes with every pointer, so that a second click at the same spot restarts the fade. */
  seq: number;
}

interface Frozen {
  evidenceId: string;
  src: string;
  layer: AnnotationLayer;
}

function PointerMarker({ pointer, preview }: { pointer: Pointer; preview: HTMLVideoElement }) {
  // Placed over the camera picture as the preview shows it (cover-cropped, maybe mirrored).
  const rect = preview.getBoundingClientRect();
  const at = fromFrame(elementFrameBox(preview), pointer);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.style.setProperty('left', `${rect.left + at.x}px`);
    ref.current?.style.setProperty('top', `${rect.top + at.y}px`);
  });
  return (
    <div
      ref={ref}
      key={pointer.seq}
      class="guide-pointer"
      data-testid="guide-pointer"
      data-x={String(pointer.x)}
      data-y={String(pointer.y)}
      aria-hidden="true"
    />
  );
}

function FrozenStill({ frozen }: { frozen: Frozen }) {
  const img = useRef<HTMLImageElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const paint = () => {
    const c = canvas.current;
    const i = img.current;
    if (!c || !i || !drawOverImage(c, i, frozen.layer.shapes)) return;
    c.dataset.shapes = String(frozen.layer.shapes.length);
  };
  useEffect(() => {
    paint();
    addEventListener('resize', paint);
    return () => removeEventListener('resize', paint);
  });
  return (
    <div class="guide-frozen" data-testid="guide-frozen" data-evidence={frozen.evidenceId}>
      <img ref={img} src={frozen.src} alt="" onLoad={paint} />
      <canvas ref={canvas} data-testid="guide-drawing" />
      <p class="guide-frozen-label">{tr('guide.crewFrozen')}</p>
    </div>
  );
}

/** Mounts the layer into `host` (over the camera preview); returns the function that removes it. */
export function mountCrewGuideLayer(host: HTMLElement, session: LiveSession, token: string, preview: HTMLVideoElement): () => void {
  const pointer = signal<Pointer | null>(null);
  const frozen = signal<Frozen | null>(null);
  let fade: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;

  async function showStill(event: { evidenceId: string; url: string; layer: AnnotationLayer }): Promise<void> {
    const current = frozen.value;
    // The same still with a changed drawing: only the shapes change.
    if (current?.evidenceId === event.evidenceId) return void (frozen.value = { ...current, layer: event.layer });
    const res = await fetch(event.url, { headers: { Authorization: `Crew ${token}` }, cache: 'no-store' });
    if (!res.ok) throw Object.assign(new Error(`still ${res.status}`), { code: 'NOT_FOUND' });
    const src = URL.createObjectURL(await res.blob());
    if (current) URL.revokeObjectURL(current.src);
    frozen.value = { evidenceId: event.evidenceId, src, layer: event.layer };
  }

  function release(): void {
    if (frozen.value) URL.revokeObjectURL(frozen.value.src);
    frozen.value = null;
  }

  function Layer() {
    return (
      <>
        {frozen.value && <FrozenStill frozen={frozen.value} />}
        {pointer.value && <PointerMarker pointer={pointer.value} preview={preview} />}
      </>
    );
  }

  const offs = [
    session.onServer('guide.pointer', ({ x, y }) => {
      pointer.value = { x, y, seq: ++seq };
      clearTimeout(fade);
      fade = setTimeout(() => (pointer.value = null), POINTER_FADE_MS);
    }),
    session.onServer('guide.frozen', (event) => {
      showStill(event).catch((err: unknown) => log('guide.frozen | still not shown', { code: errorCode(err) }));
    }),
    session.onServer('guide.released', release),
  ];
  render(<Layer />, host);
  return () => {
    for (const off of offs) off();
    clearTimeout(fade);
    release();
    render(null, host);
  };
}
