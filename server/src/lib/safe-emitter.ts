// A typed EventEmitter whose listeners cannot break the emitter: one that throws (or whose promise
// rejects) is logged and the others still run (mediasoup's enhancedEvents.safeEmit does the same).
// emitAndWait() also waits for listeners that return a promise, for side effects the caller must
// see done before it answers (ending an inspection closes its room before the REST call returns).
import { EventEmitter } from 'node:events';
import { Logger } from '../logging/logger';

type EventMap = Record<string, unknown[]>;
type Listener<A extends unknown[]> = (...args: A) => unknown;

export class SafeEmitter<E extends EventMap> {
  private readonly emitter = new EventEmitter();

  constructor(private readonly logger: Logger) {}

  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    this.emitter.off(event, listener as (...a: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    this.emitter.once(event, listener as (...a: unknown[]) => void);
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.emitter.listenerCount(event);
  }

  /** Runs every listener synchronously; a throwing one is logged. */
  protected safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): void {
    for (const listener of this.emitter.rawListeners(event) as Listener<E[K]>[]) {
      try {
        const r = listener.apply(this, args);
        if (r instanceof Promise) r.catch((e: unknown) => this.logger.error(`safeEmit() | a '${event}' listener failed`, {}, e));
      } catch (e) {
        this.logger.error(`safeEmit() | a '${event}' listener threw`, {}, e);
      }
    }
  }

  /** Runs every listener and waits for those that return a promise; failures are logged, never thrown. */
  protected async emitAndWait<K extends keyof E & string>(event: K, ...args: E[K]): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const listener of this.emitter.rawListeners(event) as Listener<E[K]>[]) {
      try {
        const r = listener.apply(this, args);
        if (r instanceof Promise)
          pending.push(r.catch((e: unknown) => this.logger.error(`emitAndWait() | a '${event}' listener failed`, {}, e)));
      } catch (e) {
        this.logger.error(`emitAndWait() | a '${event}' listener threw`, {}, e);
      }
    }
    await Promise.all(pending);
  }
}
