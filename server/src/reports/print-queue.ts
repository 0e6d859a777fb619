// The PDF print queue: at most `concurrency` headless Chromiums at a time (PDF_CONCURRENCY, 1 or 2),
// the others wait in arrival order (p-limit is FIFO) and are answered when their turn comes. Each
// account may have at most `perUser` prints waiting (PDF_QUEUE_PER_USER); one more is refused with
// TOO_MANY_REQUESTS, so one person cannot queue up the machine.
import pLimit from 'p-limit';
import { TooManyRequests } from '../auth/throttle';
import { Logger } from '../logging/logger';

const logger = new Logger('print-queue');

export class PrintQueue {
  private readonly limit: pLimit.Limit;
  /** Prints admitted but not started, per account. */
  private readonly waitingByUser = new Map<string, number>();
  /** Prints running now. */
  running = 0;
  /** The most prints that ever ran at the same time (observed by the tests). */
  maxRunning = 0;

  constructor(
    readonly concurrency: number,
    readonly perUser: number,
  ) {
    this.limit = pLimit(concurrency);
  }

  /** Prints of `userId` waiting for their turn. */
  waiting(userId: string): number {
    return this.waitingByUser.get(userId) ?? 0;
  }

  /**
   * Runs `job` when a slot is free, after the prints queued before it. Refuses at once (before
   * `job` is touched) when `userId` already has `perUser` prints waiting.
   */
  async run<T>(userId: string, job: () => Promise<T>): Promise<T> {
    const waiting = this.waiting(userId);
    if (waiting >= this.perUser) {
      logger.info('run() | refused: too many prints waiting', { accountId: userId, waiting });
      throw new TooManyRequests(
        null,
        `Too many reports waiting to be printed: at most ${this.perUser} per person; try again when one is done.`,
      );
    }
    this.waitingByUser.set(userId, waiting + 1);
    let started = false;
    const unwait = () => {
      const n = this.waiting(userId) - 1;
      if (n > 0) this.waitingByUser.set(userId, n);
      else this.waitingByUser.delete(userId);
    };
    try {
      return await this.limit(async () => {
        started = true;
        unwait();
        this.running++;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        try {
          return await job();
        } finally {
          this.running--;
        }
      });
    } finally {
      if (!started) unwait();
    }
  }
}
