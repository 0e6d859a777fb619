// The simulcast layer a video element needs: the console asks the server for the one that fits
// the size the crew's picture is shown at ('consumer.setLayer'), so a small tile does not pull
// the full resolution from the phone (the server tells the phone which layers anyone watches).
//
// The crew camera is sent as 1/4, 1/2 and full resolution of 1280x720 (publisher.ts): 180, 360
// and 720 lines. The element's height in device pixels picks the smallest layer with at least
// that many lines, give or take a tenth (a 390-pixel tile is served well by 360 lines).
import { log } from './util';

/** Lines of each spatial layer of the crew camera (lowest first). */
export const LAYER_LINES = [180, 360, 720];
/** A size must hold this long before it is asked for (a window being resized, a layout settling). */
const SETTLE_MS = 300;

/** The layer for an element this many device pixels high (0 or less: not shown, null). */
export function layerForHeight(devicePixels: number, layers = LAYER_LINES.length): number | null {
  if (!(devicePixels > 0)) return null;
  const fits = LAYER_LINES.slice(0, layers).findIndex((lines) => lines * 1.1 >= devicePixels);
  return fits === -1 ? layers - 1 : fits;
}

/** The number of spatial layers of a consumer, from its RTP parameters (1 when it has none). */
export function spatialLayersOf(rtpParameters: { encodings?: { scalabilityMode?: string }[] }): number {
  const mode = rtpParameters.encodings?.[0]?.scalabilityMode ?? '';
  const n = Number(/^[LS](\d+)/.exec(mode)?.[1] ?? 1);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * Watches an element's size and calls `ask` with the layer it needs whenever that changes (after
 * the size has settled). A hidden element (no size) keeps the last layer. Returns the disposer.
 */
export function watchLayerFit(element: HTMLElement, layers: number, ask: (spatialLayer: number) => Promise<unknown>): () => void {
  let asked: number | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const observer = new ResizeObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const layer = layerForHeight(element.getBoundingClientRect().height * window.devicePixelRatio, layers);
      if (layer === null || layer === asked) return;
      asked = layer;
      element.dataset.layer = String(layer);
      ask(layer).catch((err: unknown) => log('layer-fit | the server refused the layer', { layer, err: String(err) }));
    }, SETTLE_MS);
  });
  observer.observe(element);
  return () => {
    clearTimeout(timer);
    observer.disconnect();
  };
}
