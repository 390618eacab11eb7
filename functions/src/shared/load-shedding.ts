/**
 * Load shedding per key (an item of stock): at most `maxInFlight` holders at a time in this
 * instance, at most `maxQueued` waiting for a turn, none waiting longer than `maxWaitMs`.
 * Whoever finds the queue full, or waits past the limit, is refused at once instead of queuing
 * to the request's deadline.
 *
 * It is a per-instance shed signal, not a global truth: safety (never oversell) stays with the
 * Firestore transactions, so many instances each with their own limiter are still correct. What
 * it buys is that one instance never piles more transactions on a hot item's shards than they
 * can take: past that, waiting only turns into lock timeouts and retries for everyone.
 */

export interface InFlightLimits {
  maxInFlight: number;
  maxQueued: number;
  maxWaitMs: number;
}

/** Why a turn was refused: the queue was full, or the wait ran past `maxWaitMs`. */
export type ShedCause = "queue-full" | "wait-timeout";

export class ShedError extends Error {
  constructor(
    readonly key: string,
    readonly shedCause: ShedCause,
  ) {
    super(`shed ${key}: ${shedCause}`);
    this.name = "ShedError";
  }
}

interface Waiter {
  grant(): void;
  timer: ReturnType<typeof setTimeout>;
}

interface Lane {
  inFlight: number;
  queue: Waiter[];
}

export class InFlightLimiter {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly limits: () => InFlightLimits) {}

  /** Holders and waiters of `key` now (for tests and logs). */
  load(key: string): { inFlight: number; queued: number } {
    const lane = this.lanes.get(key);
    return { inFlight: lane?.inFlight ?? 0, queued: lane?.queue.length ?? 0 };
  }

  /**
   * Takes a turn on every key (in a fixed order, so two callers never wait on each other), runs
   * `work`, and gives the turns back however it ends. Throws ShedError, having run nothing and
   * holding nothing, when a turn cannot be had.
   */
  async run<T>(keys: string[], work: () => Promise<T>): Promise<T> {
    const held: string[] = [];
    try {
      for (const key of [...new Set(keys)].sort()) {
        await this.acquire(key);
        held.push(key);
      }
    } catch (error) {
      for (const key of held) this.release(key);
      throw error;
    }
    try {
      return await work();
    } finally {
      for (const key of held) this.release(key);
    }
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { inFlight: 0, queue: [] };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private acquire(key: string): Promise<void> {
    const { maxInFlight, maxQueued, maxWaitMs } = this.limits();
    const lane = this.lane(key);
    if (lane.inFlight < maxInFlight && lane.queue.length === 0) {
      lane.inFlight += 1;
      return Promise.resolve();
    }
    if (lane.queue.length >= maxQueued || maxWaitMs <= 0) return Promise.reject(new ShedError(key, "queue-full"));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        // The releasing holder hands its turn straight to the waiter (inFlight stays counted).
        grant: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          lane.queue.splice(lane.queue.indexOf(waiter), 1);
          this.forget(key, lane);
          reject(new ShedError(key, "wait-timeout"));
        }, maxWaitMs),
      };
      lane.queue.push(waiter);
    });
  }

  private release(key: string): void {
    const lane = this.lanes.get(key);
    if (!lane) return;
    const next = lane.queue.shift();
    if (next) {
      next.grant();
      return;
    }
    lane.inFlight -= 1;
    this.forget(key, lane);
  }

  /** Drops an idle lane: keys are items, and an instance sees many over its life. */
  private forget(key: string, lane: Lane): void {
    if (lane.inFlight === 0 && lane.queue.length === 0) this.lanes.delete(key);
  }
}
