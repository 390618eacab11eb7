/**
 * A Firestore transaction with a time budget instead of an attempt count. The SDK's own retry
 * backs off from 1 s growing 1.5x up to 60 s: under contention on a hot document (and the
 * emulator's lock timeouts) the attempts of a hundred callers fall into waves that collide
 * again, and twenty attempts add up to minutes. Here an aborted attempt is retried after a short
 * jittered pause only while the deadline allows, and then the caller's own error is thrown, so
 * a request never spends more than about the budget on contention.
 */
import type { Transaction } from "firebase-admin/firestore";
import { db } from "./firebase";

/** gRPC codes an attempt may end with and be retried: aborted (lock timeout or conflict), and passing ones. */
const RETRYABLE = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 14 /* UNAVAILABLE */]);
const FIRST_PAUSE_MS = 25;
const MAX_PAUSE_MS = 400;

/**
 * Thrown by work that found, inside its transaction, that what it looked at just before has
 * moved (another caller took it): the attempt is retried like one the database aborted.
 */
export class AttemptConflict extends Error {
  constructor(what: string) {
    super(`conflict: ${what}`);
    this.name = "AttemptConflict";
  }
}

/** What a budgeted transaction did: the result and how many attempts it took. */
export interface Budgeted<T> {
  value: T;
  attempts: number;
}

/**
 * Runs `work` in transactions until one commits or `deadlineMs` (epoch ms) would pass before the
 * next attempt; then throws `spent()`. At least one attempt always runs. Errors that are not
 * contention (a DomainError the work throws, say) end it at once, as with `runTransaction`.
 */
export async function runTransactionWithin<T>(deadlineMs: number, work: (tx: Transaction) => Promise<T>, spent: () => Error): Promise<Budgeted<T>> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { value: await db().runTransaction(work, { maxAttempts: 1 }), attempts: attempt };
    } catch (error) {
      if (!(error instanceof AttemptConflict) && !RETRYABLE.has((error as { code?: unknown }).code as number)) throw error;
      // Full jitter: callers that collided once should not meet again in step.
      const pause = Math.random() * Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** attempt);
      if (Date.now() + pause >= deadlineMs) throw spent();
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
