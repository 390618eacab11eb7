/**
 * Client idempotency keys, as Stripe has them: the first request with a key claims it; a retry
 * with the same key and the same request gets the first one's result (waiting for it if it is
 * still running); the same key with a different request is refused. Keys live 24 hours: an
 * older entry is treated as absent (its stored answer, which may hold a payment's client secret,
 * is never served again, and the key starts a new request), and a TTL policy on `expireAt`
 * deletes it. A request that fails releases its key, so nothing is remembered for work that did
 * not happen.
 * (Event handlers use the processed-events ledger in idempotency.ts instead.)
 */
import { createHash } from "node:crypto";
import { COLLECTIONS } from "./collections";
import { correlationId } from "./context";
import { DomainError } from "./errors";
import { db, firestoreValues } from "./firebase";
import { log } from "./log";

const KEY_RETENTION_MS = 24 * 3_600_000;
/** A claim older than this is from a request that died (longer than any function timeout). */
const CLAIM_LEASE_MS = 120_000;
const WAIT_FOR_FIRST_MS = 25_000;
const POLL_MS = 150;

/** Canonical JSON: keys sorted, so the same request always hashes the same. */
export function requestHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
        : v;
  return createHash("sha256").update(JSON.stringify(canonical(value))).digest("hex");
}

/** The `idempotencyKeys` document id of a key in its scope. */
export function idempotencyKeyId(scope: string, key: string): string {
  return createHash("sha256").update(`${scope}\n${key}`).digest("base64url");
}

/** Whether a stored key is past its 24 hours (TTL deletion lags, so reads check it too). */
export function isExpired(data: { expireAt?: { toMillis(): number } } | undefined, now = Date.now()): boolean {
  return !!data?.expireAt && data.expireAt.toMillis() <= now;
}

type Claim = { kind: "claimed" } | { kind: "completed"; response: unknown } | { kind: "in-progress" };

export async function withIdempotencyKey<T>(scope: string, key: string, request: unknown, work: () => Promise<T>): Promise<T> {
  const hash = requestHash(request);
  const ref = db().collection(COLLECTIONS.idempotencyKeys).doc(idempotencyKeyId(scope, key));
  const { FieldValue, Timestamp } = firestoreValues();

  const claimDocument = () => ({
    scope,
    requestHash: hash,
    status: "in-progress",
    claimedAtMs: Date.now(),
    correlationId: correlationId(),
    createdAt: FieldValue.serverTimestamp(),
    expireAt: Timestamp.fromMillis(Date.now() + KEY_RETENTION_MS),
  });

  const claim = async (): Promise<Claim> =>
    db().runTransaction(async (tx) => {
      const existing = await tx.get(ref);
      const data = isExpired(existing.data()) ? undefined : existing.data();
      const stale = data?.status === "in-progress" && (data.claimedAtMs as number) + CLAIM_LEASE_MS < Date.now();
      if (data && !stale) {
        if (data.requestHash !== hash) {
          throw new DomainError("failed-precondition", "This idempotency key was used with a different request.", {
            reason: "idempotency-key-reused",
            fields: [{ path: "idempotencyKey", message: "Make a new key for a new request." }],
          });
        }
        return data.status === "completed" ? { kind: "completed", response: data.response } : { kind: "in-progress" };
      }
      tx.set(ref, claimDocument());
      return { kind: "claimed" };
    });

  // The common case, a new key, is a single create; the transaction is for keys already seen.
  const firstClaim = await ref
    .create(claimDocument())
    .then(
      () => true,
      (error: { code?: number }) => {
        if (error.code !== 6) throw error; // 6 = ALREADY_EXISTS
        return false;
      },
    );
  let outcome: Claim = firstClaim ? { kind: "claimed" } : await claim();
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  while (outcome.kind === "in-progress") {
    if (Date.now() > deadline) {
      throw new DomainError("aborted", "A request with this idempotency key is still being processed; retry shortly.", { reason: "idempotency-key-in-progress" });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const read = (await ref.get()).data();
    const data = isExpired(read) ? undefined : read;
    outcome = !data ? await claim() : data.status === "completed" ? { kind: "completed", response: data.response } : { kind: "in-progress" };
  }
  if (outcome.kind === "completed") {
    log.info("idempotency.replayed", { scope });
    return outcome.response as T;
  }
  try {
    const response = await work();
    await ref.update({ status: "completed", response: JSON.parse(JSON.stringify(response)) as unknown, completedAt: FieldValue.serverTimestamp() });
    return response;
  } catch (error) {
    await ref.delete().catch((e: unknown) => log.error("idempotency.release-failed", e));
    throw error;
  }
}
