// One mediasoup worker per CPU core. A worker that dies is logged and replaced; the pool emits
// 'workerDied' so the room registry can close that worker's rooms and tell their participants to
// rejoin (they land on a healthy worker).
import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { Worker } from 'mediasoup/types';
import { Logger } from '../logging/logger';

const logger = new Logger('worker-pool');

export interface WorkerPoolOptions {
  size: number;
}

export class WorkerPool extends EventEmitter<{ workerDied: [Worker] }> {
  private readonly workers: Worker[] = [];
  private next = 0;
  private closed = false;
  /** Replacement workers being started; pick() waits for them when no worker is left. */
  private readonly starting = new Set<Promise<Worker>>();

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool();
    for (let i = 0; i < options.size; i++) pool.workers.push(await pool.spawn());
    logger.info('create() | workers ready', { count: options.size, version: mediasoup.version });
    return pool;
  }

  private async spawn(): Promise<Worker> {
    // No worker-wide port range: the WebRTC listen infos carry RTC_MIN_PORT..RTC_MAX_PORT
    // (media-config.ts); the recorders' loopback transports take any free port.
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    worker.on('died', (error) => void this.onDied(worker, error));
    return worker;
  }

  private async onDied(worker: Worker, error: Error): Promise<void> {
    logger.error('onDied() | mediasoup worker died, replacing it', { pid: worker.pid }, error);
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    this.emit('workerDied', worker);
    if (this.closed) return;
    const replacement = this.spawn();
    this.starting.add(replacement);
    try {
      const started = await replacement;
      if (this.closed) started.close();
      else this.workers.push(started);
      logger.info('onDied() | replacement worker started', { count: this.workers.length });
    } catch (e) {
      logger.error('onDied() | could not start a replacement worker', {}, e);
    } finally {
      this.starting.delete(replacement);
    }
  }

  /**
   * The worker for a new room: the least loaded by `load` (the registry counts the media objects
   * of the rooms it already placed there), round-robin among equals. Waits for a replacement
   * worker when none is left.
   */
  async pick(load: (worker: Worker) => number = () => 0): Promise<Worker> {
    if (this.workers.length === 0 && this.starting.size > 0) await Promise.allSettled([...this.starting]);
    if (this.workers.length === 0) throw new Error('no mediasoup worker is running');
    let best: Worker | undefined;
    let bestLoad = Infinity;
    for (let i = 0; i < this.workers.length; i++) {
      const worker = this.workers[(this.next + i) % this.workers.length]!;
      const l = load(worker);
      if (l < bestLoad) {
        best = worker;
        bestLoad = l;
      }
    }
    this.next = (this.next + 1) % this.workers.length;
    return best!;
  }

  list(): readonly Worker[] {
    return this.workers;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Closing a worker closes its routers and transports first. No WebRtcServer is created;
    // test/integration/worker-webrtcserver.test.ts checks that closing one is safe anyway.
    for (const w of this.workers) w.close();
    this.workers.length = 0;
  }
}
