/**
 * Stock of tracked items: sharded levels (`inventory/{restaurantId}__{itemId}` + shards), a
 * reservation per order (`stockReservations/{orderId}`) that is later committed (sold) or
 * released (expired, cancelled), and a movement record for every change
 * (`stockMovements/{orderId}__{itemId}__{kind}`), each exactly once.
 */
import { randomInt } from "node:crypto";
import type { Transaction } from "firebase-admin/firestore";
import { inventoryId } from "../catalog/catalog.model";
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { DomainError } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { applyTake, DEFAULT_SHARDS, giveBack, planTake, setCounter, type Allocation } from "../shared/sharded-counter";

export interface StockLine {
  /** Index of the line in the request, to name it in errors. */
  line: number;
  restaurantId: string;
  itemId: string;
  name: string;
  quantity: number;
}

interface ReservedLine {
  restaurantId: string;
  itemId: string;
  quantity: number;
  allocation: Allocation;
}

const inventoryRoot = (restaurantId: string, itemId: string) => db().collection(COLLECTIONS.inventory).doc(inventoryId(restaurantId, itemId));
const reservations = () => db().collection(COLLECTIONS.stockReservations);
const movements = () => db().collection(COLLECTIONS.stockMovements);

/** Sets an item's stock level (replacing the current one), spread over shards. */
export async function setStockLevel(restaurantId: string, itemId: string, quantity: number, shards = DEFAULT_SHARDS): Promise<void> {
  const { FieldValue } = firestoreValues();
  const root = inventoryRoot(restaurantId, itemId);
  await db().runTransaction(async (tx) => {
    setCounter(tx, root, quantity, shards);
    tx.set(root, { restaurantId, itemId, shards, level: quantity, updatedAt: FieldValue.serverTimestamp() });
  });
}

/**
 * Reads (in `tx`) whether every line's quantity is in stock and returns the function that takes
 * it. Refuses with `failed-precondition` / `out-of-stock` naming the first short line.
 */
export async function planReservation(tx: Transaction, orderId: string, lines: StockLine[]): Promise<() => void> {
  const planned: ReservedLine[] = [];
  // Merge lines of the same item (same item, different modifiers) into one take.
  const byItem = new Map<string, StockLine & { quantity: number }>();
  for (const line of lines) {
    const key = inventoryId(line.restaurantId, line.itemId);
    const merged = byItem.get(key);
    byItem.set(key, merged ? { ...merged, quantity: merged.quantity + line.quantity } : { ...line });
  }
  for (const line of byItem.values()) {
    const root = inventoryRoot(line.restaurantId, line.itemId);
    // The shard count changes only when stock is set, so it is read outside the transaction:
    // a hundred checkouts need not all hold a lock on the same root document.
    const shards = ((await root.get()).get("shards") as number | undefined) ?? 0;
    const result = shards > 0 ? await planTake(tx, root, shards, line.quantity, randomInt(shards)) : { short: true as const, available: 0 };
    if ("short" in result) {
      const message = result.available === 0 ? `${line.name} is sold out.` : `Only ${result.available} of ${line.name} left.`;
      throw new DomainError("failed-precondition", message, {
        reason: "out-of-stock",
        fields: [{ path: `lines.${line.line}.quantity`, message }],
      });
    }
    planned.push({ restaurantId: line.restaurantId, itemId: line.itemId, quantity: line.quantity, allocation: result.allocation });
  }
  return () => {
    if (planned.length === 0) return;
    const { FieldValue } = firestoreValues();
    for (const line of planned) {
      applyTake(tx, inventoryRoot(line.restaurantId, line.itemId), line.allocation);
      tx.create(movements().doc(`${orderId}__${line.itemId}__reserve`), movement(orderId, line, "reserve"));
    }
    tx.create(reservations().doc(orderId), { orderId, status: "reserved", lines: planned, createdAt: FieldValue.serverTimestamp(), correlationId: correlationId() });
  };
}

function movement(orderId: string, line: ReservedLine, kind: "reserve" | "release" | "commit") {
  const { FieldValue } = firestoreValues();
  const delta = kind === "reserve" ? -line.quantity : kind === "release" ? line.quantity : 0;
  return { orderId, restaurantId: line.restaurantId, itemId: line.itemId, kind, quantity: line.quantity, delta, at: FieldValue.serverTimestamp(), correlationId: correlationId() };
}

/**
 * Reads the reservation in the caller's transaction and returns the function that settles it;
 * for transactions that must do all reads first.
 */
export async function planSettle(tx: Transaction, orderId: string, to: "released" | "committed", reason: string): Promise<() => boolean> {
  const ref = reservations().doc(orderId);
  const snapshot = await tx.get(ref);
  if (!snapshot.exists || snapshot.get("status") !== "reserved") return () => false;
  return () => {
    const { FieldValue } = firestoreValues();
    for (const line of snapshot.get("lines") as ReservedLine[]) {
      if (to === "released") giveBack(tx, inventoryRoot(line.restaurantId, line.itemId), line.allocation);
      const kind = to === "released" ? "release" : "commit";
      tx.create(movements().doc(`${orderId}__${line.itemId}__${kind}`), movement(orderId, line, kind));
    }
    tx.update(ref, { status: to, reason, settledAt: FieldValue.serverTimestamp() });
    return true;
  };
}

/**
 * Moves a reservation from `reserved` to released (units given back) or committed (sold).
 * Anything but a reserved reservation is left alone, so repeating is harmless.
 */
async function settle(orderId: string, to: "released" | "committed", reason: string): Promise<boolean> {
  const changed = await db().runTransaction(async (tx) => (await planSettle(tx, orderId, to, reason))());
  if (changed) log.info(`stock.${to}`, { orderId, reason });
  return changed;
}

export const releaseReservation = (orderId: string, reason: string) => settle(orderId, "released", reason);
export const commitReservation = (orderId: string, reason: string) => settle(orderId, "committed", reason);
