/**
 * Per-key rate limiting as a token bucket whose state lives in Firestore, so the limit holds
 * across every instance of a function. One small document per (callable, user): a burst from one
 * user contends only with itself, never with other users. A bucket (unlike fixed windows) has no
 * window edge across which a burst could get twice the budget.
 */
import { createHash } from "node:crypto";
import { COLLECTIONS } from "./collections";
import { resourceExhausted } from "./errors";
import { db, firestoreValues } from "./firebase";

export interface RateLimit {
  /** Calls allowed in a burst; the bucket refills at `max` per `windowSeconds`. */
  max: number;
  windowSeconds: number;
}

export interface BucketState {
  tokens: number;
  updatedAtMs: number;
}

export type RateDecision =
  | { allowed: true; next: BucketState }
  | { allowed: false; retryAfterSeconds: number };

/** The pure rule: refill for the time elapsed, then take one token if there is one. */
export function decide(state: BucketState | undefined, nowMs: number, limit: RateLimit): RateDecision {
  const refillPerMs = limit.max / (limit.windowSeconds * 1000);
  const elapsedMs = state ? Math.max(0, nowMs - state.updatedAtMs) : 0;
  const tokens = state ? Math.min(limit.max, state.tokens + elapsedMs * refillPerMs) : limit.max;
  if (tokens >= 1) return { allowed: true, next: { tokens: tokens - 1, updatedAtMs: nowMs } };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000)) };
}

/** Counts one call against `key`; throws `resource-exhausted` with a retry-after hint when over. */
export async function consumeRateLimit(key: string, limit: RateLimit, nowMs = Date.now()): Promise<void> {
  const { Timestamp } = firestoreValues();
  const ref = db().collection(COLLECTIONS.rateLimits).doc(documentId(key));
  const decision = await db().runTransaction(async (tx) => {
    const snapshot = await tx.get(ref);
    const result = decide(snapshot.data() as BucketState | undefined, nowMs, limit);
    if (result.allowed) {
      // A bucket untouched for a window is full again; expireAt (a TTL policy in
      // firestore.indexes.json) deletes it after that, and a missing bucket reads as full.
      const expireAt = Timestamp.fromMillis(nowMs + limit.windowSeconds * 1000);
      tx.set(ref, { ...result.next, expireAt });
    }
    return result;
  });
  if (!decision.allowed) {
    throw resourceExhausted(`Too many requests. Try again in ${decision.retryAfterSeconds} s.`, decision.retryAfterSeconds);
  }
}

/** Deletes `uid`'s buckets of the callables named (account deletion); a missing bucket reads as full. */
export async function forgetRateLimitsOf(uid: string, callableNames: string[]): Promise<void> {
  const writer = db().bulkWriter();
  for (const name of callableNames) void writer.delete(db().collection(COLLECTIONS.rateLimits).doc(documentId(`${name}:${uid}`)));
  await writer.close();
}

/** Keys hold user ids and IPs; a hash keeps document ids short, valid and free of personal data. */
function documentId(key: string): string {
  return createHash("sha256").update(key).digest("base64url");
}

/**
 * The same token buckets held in this instance's memory, for endpoints where a Firestore
 * transaction per request would cost more than the work it guards (the public catalog API is
 * answered from memory most of the time). The budget holds per instance, so a client spread over
 * n instances gets at most n times it. Oldest buckets are dropped beyond `maxKeys`; a dropped
 * bucket reads as full, as a missing Firestore bucket does.
 */
export class LocalRateLimiter {
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    private readonly limit: RateLimit,
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts one call against `key`; throws `resource-exhausted` with a retry-after hint when over. */
  consume(key: string, nowMs = Date.now()): void {
    const decision = decide(this.buckets.get(key), nowMs, this.limit);
    if (!decision.allowed) {
      throw resourceExhausted(`Too many requests. Try again in ${decision.retryAfterSeconds} s.`, decision.retryAfterSeconds);
    }
    this.buckets.delete(key);
    this.buckets.set(key, decision.next);
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}
