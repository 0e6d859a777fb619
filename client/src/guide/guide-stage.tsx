// The surveyor's guidance on the crew's picture (guide-protocol.ts), over the live stage: a click
// on the live video points there on the crew's screen; "freeze" stops on the current frame (or an
// HD still from the gallery) and the surveyor draws arrows, circles, freehand lines and short
// labels, which the crew's phone shows over its camera until "back to live". "Save" stores the
// drawing as its own vector layer plus a flattened JPEG next to the untouched original.
import {
  MAX_ANNOTATION_SHAPES,
  MAX_ANNOTATION_TEXT,
  type AnnotationColor,
  type AnnotationLayer,
  type AnnotationShape,
  type EvidenceView,
  type NormalizedPoint,
} from '@cloudship/shared';
import { batch, computed, signal } from '@preact/signals';
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { errorCode } from '../api';
import type { ClientErrorCode } from '../error-codes';
import type { MessageKey } from '../i18n';
import { tr as t } from '../ui/language-signal';
import { recordApi } from '../inspection-record/record-api';
import type { LiveSession } from '../live-session';
import './guide.css';
import { drawOverImage, flatten } from './draw-shapes';
import { elementFrameBox, toFrame } from './frame-geometry';

export const GUIDE_TOOLS = ['arrow', 'circle', 'freehand', 'text'] as const;
type Tool = (typeof GUIDE_TOOLS)[number];

interface Still {
  evidenceId: string;
  src: string;
  width: number;
  height: number;
  /** An object URL of our own (revoked on release), not the evidence's API URL. */
  owned: boolean;
}

export interface GuideStageDeps {
  inspectionId: string;
  stage: HTMLElement;
  video(): HTMLVideoElement | null;
  session(): LiveSession | null;
  /** The checklist item the frame and the annotated still are attached to. */
  currentItemId(): string | null;
  onError(code: ClientErrorCode): void;
}

export interface GuideStage {
  freeze(): Promise<void>;
  annotate(evidence: EvidenceView): Promise<void>;
  release(): void;
  frozen(): boolean;
  dispose(): void;
}

/** A frame of the live video at its own resolution, as a JPEG. */
async function grabFrame(video: HTMLVideoElement): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  if (!blob) throw Object.assign(new Error('no frame'), { code: 'MEDIA_NOT_FOUND' });
  return blob;
}

function base64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve((reader.result as string).split(',')[1] ?? '');
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(blob);
  });
}

export function mountGuideStage(host: HTMLElement, deps: GuideStageDeps): GuideStage {
  const still = signal<Still | null>(null);
  const shapes = signal<AnnotationShape[]>([]);
  const draft = signal<AnnotationShape | null>(null);
  const tool = signal<Tool>('arrow');
  const color = signal<AnnotationColor>('red');
  const label = signal('');
  const busy = signal(false);
  const saved = signal<string | null>(null);
  const layer = computed<AnnotationLayer | null>(() =>
    still.value ? { version: 1, width: still.value.width, height: still.value.height, shapes: shapes.value } : null,
  );

  function fail(err: unknown): void {
    deps.onError(errorCode(err));
  }

  /** The crew sees the still with the drawing as it is now. */
  function sendStill(): void {
    const s = still.value;
    const session = deps.session();
    if (!s || !layer.value || !session) return;
    session.request('guide.freeze', { evidenceId: s.evidenceId, layer: layer.value }).catch(fail);
  }

  function show(next: Still): void {
    release(false);
    batch(() => {
      still.value = next;
      shapes.value = [];
      saved.value = null;
    });
    sendStill();
  }

  function release(tellCrew = true): void {
    const s = still.value;
    if (!s) return;
    if (s.owned) URL.revokeObjectURL(s.src);
    still.value = null;
    draft.value = null;
    if (tellCrew) deps.session()?.request('guide.release', {}).catch(fail);
  }

  async function freeze(): Promise<void> {
    const video = deps.video();
    if (!video?.videoWidth || busy.value) return;
    busy.value = true;
    try {
      const blob = await grabFrame(video);
      const evidence = await recordApi.uploadFrame(deps.inspectionId, blob, deps.currentItemId());
      show({ evidenceId: evidence.id, src: URL.createObjectURL(blob), width: video.videoWidth, height: video.videoHeight, owned: true });
    } catch (err) {
      fail(err);
    } finally {
      busy.value = false;
    }
  }

  async function annotate(evidence: EvidenceView): Promise<void> {
    if (!evidence.url) return;
    const image = new Image();
    image.src = evidence.url;
    try {
      await image.decode();
      show({ evidenceId: evidence.id, src: evidence.url, width: image.naturalWidth, height: image.naturalHeight, owned: false });
    } catch (err) {
      fail(err);
    }
  }

  async function save(image: HTMLImageElement): Promise<void> {
    const s = still.value;
    const current = layer.value;
    if (!s || !current || busy.value) return;
    busy.value = true;
    try {
      const flattened = await flatten(image, current);
      const { evidence } = await recordApi.saveAnnotation(deps.inspectionId, s.evidenceId, {
        layer: current,
        flattenedJpegBase64: await base64(flattened),
        checklistItemId: deps.currentItemId(),
      });
      saved.value = evidence.id;
    } catch (err) {
      fail(err);
    } finally {
      busy.value = false;
    }
  }

  /** Live video: a click points at that spot of the crew's picture. */
  function LiveOverlay() {
    const marker = useRef<HTMLDivElement>(null);
    const onClick = (event: MouseEvent) => {
      const video = deps.video();
      const session = deps.session();
      if (!video?.videoWidth || !session) return;
      const rect = video.getBoundingClientRect();
      const point = toFrame(elementFrameBox(video), event.clientX - rect.left, event.clientY - rect.top);
      if (!point) return; // on the letterbox bars, not on the picture
      session.request('guide.pointer', point).catch(fail);
      const m = marker.current;
      if (!m) return;
      const hostRect = host.getBoundingClientRect();
      m.style.setProperty('left', `${event.clientX - hostRect.left}px`);
      m.style.setProperty('top', `${event.clientY - hostRect.top}px`);
      m.hidden = false;
      m.dataset.x = String(point.x);
      m.dataset.y = String(point.y);
      m.classList.remove('fading');
      void m.offsetWidth; // restart the fade animation
      m.classList.add('fading');
    };
    return (
      <div class="guide-live" data-testid="guide-pointer-area" title={t('guide.pointerHint')} onClick={onClick}>
        <div ref={marker} class="guide-pointer" data-testid="guide-pointer-sent" hidden />
      </div>
    );
  }

  function Drawing({ s }: { s: Still }) {
    const img = useRef<HTMLImageElement>(null);
    const canvas = useRef<HTMLCanvasElement>(null);
    const start = useRef<NormalizedPoint | null>(null);

    const at = (event: PointerEvent): NormalizedPoint | null => {
      const i = img.current;
      if (!i) return null;
      const rect = i.getBoundingClientRect();
      return toFrame(elementFrameBox(i), event.clientX - rect.left, event.clientY - rect.top);
    };

    const shapeFor = (from: NormalizedPoint, to: NormalizedPoint): AnnotationShape | null => {
      if (tool.value === 'arrow') return { type: 'arrow', color: color.value, from, to };
      if (tool.value === 'circle') {
        // The radius in frame widths: dx is already one, dy is scaled by the frame's aspect ratio.
        const dy = ((to.y - from.y) * s.height) / s.width;
        const radius = Math.min(1, Math.max(0.005, Math.hypot(to.x - from.x, dy)));
        return { type: 'circle', color: color.value, center: from, radius };
      }
      return null;
    };

    const onDown = (event: PointerEvent) => {
      const p = at(event);
      if (!p || shapes.value.length >= MAX_ANNOTATION_SHAPES) return;
      if (tool.value === 'text') {
        const text = label.value.trim().slice(0, MAX_ANNOTATION_TEXT);
        if (!text) return;
        shapes.value = [...shapes.value, { type: 'text', color: color.value, at: p, text }];
        return sendStill();
      }
      (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
      start.current = p;
      draft.value = tool.value === 'freehand' ? { type: 'freehand', color: color.value, points: [p, p] } : shapeFor(p, p);
    };
    const onMove = (event: PointerEvent) => {
      const from = start.current;
      const p = at(event);
      if (!from || !p || !draft.value) return;
      const d = draft.value;
      draft.value = d.type === 'freehand' ? { ...d, points: [...d.points, p].slice(0, 500) } : shapeFor(from, p);
    };
    const onUp = () => {
      const d = draft.value;
      start.current = null;
      draft.value = null;
      if (!d) return;
      // A click without a drag draws nothing (an arrow needs a length).
      if (d.type === 'arrow' && Math.hypot(d.to.x - d.from.x, d.to.y - d.from.y) < 0.01) return;
      shapes.value = [...shapes.value, d];
      sendStill();
    };

    useEffect(() => {
      const c = canvas.current;
      const i = img.current;
      if (c && i) drawOverImage(c, i, draft.value ? [...shapes.value, draft.value] : shapes.value);
    });

    const button = (key: MessageKey, onClick: () => void, testid: string, extra: Record<string, unknown> = {}) => (
      <button type="button" class="btn btn-secondary btn-small" data-testid={testid} onClick={onClick} {...extra}>
        {t(key)}
      </button>
    );

    return (
      <div
        class="guide-frozen-stage"
        data-testid="guide-frozen-stage"
        data-evidence={s.evidenceId}
        data-shapes={String(shapes.value.length)}
      >
        <img ref={img} src={s.src} alt="" onLoad={() => (draft.value = null)} />
        <canvas
          ref={canvas}
          data-testid="guide-canvas"
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onPointerCancel={onUp}
        />
        <div class="guide-toolbar" role="toolbar">
          {GUIDE_TOOLS.map((name) => (
            <button
              type="button"
              class={`btn btn-small ${tool.value === name ? 'btn-primary' : 'btn-secondary'}`}
              data-testid={`guide-tool-${name}`}
              aria-pressed={tool.value === name}
              onClick={() => (tool.value = name)}
            >
              {t(`guide.tool.${name}`)}
            </button>
          ))}
          {tool.value === 'text' && (
            <input
              class="guide-label"
              data-testid="guide-label"
              maxLength={MAX_ANNOTATION_TEXT}
              placeholder={t('guide.labelPlaceholder')}
              value={label.value}
              onInput={(e) => (label.value = e.currentTarget.value)}
            />
          )}
          <select
            data-testid="guide-color"
            aria-label={t('guide.color')}
            value={color.value}
            onChange={(e) => (color.value = e.currentTarget.value as AnnotationColor)}
          >
            {(['red', 'yellow', 'cyan'] as const).map((c) => (
              <option value={c}>{t(`guide.color.${c}`)}</option>
            ))}
          </select>
          {button(
            'guide.undo',
            () => {
              shapes.value = shapes.value.slice(0, -1);
              sendStill();
            },
            'guide-undo',
            { disabled: shapes.value.length === 0 },
          )}
          {button('guide.save', () => img.current && void save(img.current), 'guide-save', {
            disabled: busy.value || shapes.value.length === 0,
          })}
          {button('guide.release', () => release(), 'guide-release')}
          {saved.value && (
            <span class="badge badge-ok" data-testid="guide-saved" data-evidence={saved.value}>
              {t('guide.saved')}
            </span>
          )}
        </div>
      </div>
    );
  }

  function Stage() {
    const s = still.value;
    return s ? <Drawing s={s} /> : <LiveOverlay />;
  }

  render(<Stage />, host);
  return {
    freeze,
    annotate,
    release: () => release(),
    frozen: () => still.value !== null,
    dispose() {
      release(false);
      render(null, host);
    },
  };
}
