/**
 * A quantity (units of stock, redemptions of a promo code) split over shard documents, so that
 * concurrent takers rarely lock the same document. One document holding the whole quantity
 * turns a rush into lock timeouts and unsold units; with shards, each taker starts at a random
 * shard and moves on only when it is empty. All operations run inside the caller's transaction.
 */
import type { DocumentReference, Transaction } from "firebase-admin/firestore";
import { firestoreValues } from "./firebase";

export const DEFAULT_SHARDS = 10;

/** Where a taken quantity came from, so giving it back restores the same shards. */
export type Allocation = { shard: number; quantity: number }[];

function shardRef(root: DocumentReference, shard: number): DocumentReference {
  return root.collection("shards").doc(String(shard));
}

/**
 * Sets the quantity, spread evenly over `shards` documents (the first ones get the remainder).
 * Only for a counter whose shards were read in the same transaction (`readCounter`), or a new
 * one: it overwrites what concurrent takers may have changed otherwise.
 */
export function setCounter(tx: Transaction, root: DocumentReference, quantity: number, shards = DEFAULT_SHARDS): void {
  for (let shard = 0; shard < shards; shard += 1) {
    const share = Math.floor(quantity / shards) + (shard < quantity % shards ? 1 : 0);
    tx.set(shardRef(root, shard), { available: share });
  }
}

/**
 * Reads every shard in `tx` and returns the whole quantity. Reading them all makes the
 * transaction conflict with any concurrent take or give-back, so the caller may then rewrite
 * the counter with `setCounter` without losing one.
 */
export async function readCounter(tx: Transaction, root: DocumentReference, shards: number): Promise<number> {
  if (shards <= 0) return 0;
  const snapshots = await tx.getAll(...Array.from({ length: shards }, (_, shard) => shardRef(root, shard)));
  return snapshots.reduce((sum, s) => sum + (((s.get("available") as number | undefined) ?? 0)), 0);
}

/**
 * The shard count to rewrite a counter with: never fewer than it has, because allocations
 * taken earlier are given back to the shard they came from.
 */
export function keptShardCount(current: number, wanted: number): number {
  return Math.max(current, wanted);
}

/**
 * Plans taking `quantity`, starting at shard `start` and wrapping around, reading shards only
 * until the quantity is covered. Writes nothing: Firestore wants every read of a transaction
 * before its first write, so callers plan all their takes, then `applyTake` each.
 * Returns the allocation, or what all shards hold when that is not enough.
 */
export function planTake(
  tx: Transaction,
  root: DocumentReference,
  shards: number,
  quantity: number,
  start: number,
): Promise<{ allocation: Allocation } | { short: true; available: number }> {
  return planTakeFrom(tx, root, Array.from({ length: shards }, (_, i) => (start + i) % shards), quantity);
}

/** Like `planTake`, reading only the shards in `order`, in that order. */
export async function planTakeFrom(
  tx: Transaction,
  root: DocumentReference,
  order: number[],
  quantity: number,
): Promise<{ allocation: Allocation } | { short: true; available: number }> {
  const plan: Allocation = [];
  let needed = quantity;
  let seen = 0;
  for (const shard of order) {
    if (needed <= 0) break;
    const available = ((await tx.get(shardRef(root, shard))).get("available") as number | undefined) ?? 0;
    seen += available;
    const take = Math.min(available, needed);
    if (take > 0) {
      plan.push({ shard, quantity: take });
      needed -= take;
    }
  }
  return needed > 0 ? { short: true, available: seen } : { allocation: plan };
}

/**
 * Reads every shard outside any transaction (one consistent read, no locks) and returns what
 * each holds. For a look before a transaction: which shards are worth locking, or that none is.
 */
export async function peekShards(root: DocumentReference, shards: number): Promise<number[]> {
  if (shards <= 0) return [];
  const snapshots = await root.firestore.getAll(...Array.from({ length: shards }, (_, shard) => shardRef(root, shard)));
  return snapshots.map((s) => ((s.get("available") as number | undefined) ?? 0));
}

/** Takes a planned allocation. */
export function applyTake(tx: Transaction, root: DocumentReference, allocation: Allocation): void {
  const { FieldValue } = firestoreValues();
  for (const { shard, quantity } of allocation) tx.update(shardRef(root, shard), { available: FieldValue.increment(-quantity) });
}

/** Puts an allocation back where it was taken from. */
export function giveBack(tx: Transaction, root: DocumentReference, allocation: Allocation): void {
  const { FieldValue } = firestoreValues();
  for (const { shard, quantity } of allocation) tx.set(shardRef(root, shard), { available: FieldValue.increment(quantity) }, { merge: true });
}

/** The whole quantity left (outside transactions: for reports and tests). */
export async function counterTotal(root: DocumentReference, shards: number): Promise<number> {
  const snapshots = await Promise.all(Array.from({ length: shards }, (_, shard) => shardRef(root, shard).get()));
  return snapshots.reduce((sum, s) => sum + (((s.get("available") as number | undefined) ?? 0)), 0);
}
