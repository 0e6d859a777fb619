// Types of scripts/mediasoup-worker.mjs for the TypeScript that imports it (bench/worker-build.ts).
export interface WorkerFlavour {
  meson: string[];
  about: string;
  cpu?: boolean;
  pgo?: boolean;
}
export interface WorkerTraining {
  /** What the training run is; joins the cache key. */
  id: string;
  run(binary: string): Promise<void>;
}
export const WORKER_FLAVOURS: Record<string, WorkerFlavour>;
export const DEFAULT_FLAVOUR: string;
export const WORKER_BUILD_PACKAGES: string[];
export function workerOfFlavour(root: string, flavour: string, training?: WorkerTraining | null): Promise<string>;
export function ensureMediasoupWorker(root: string): Promise<void>;
