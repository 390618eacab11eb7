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
import { AttemptConflict } from "../shared/contended-transaction";
import { applyTake, DEFAULT_SHARDS, giveBack, keptShardCount, peekShards, planTakeFrom, readCounter, setCounter, type Allocation } from "../shared/sharded-counter";
import { shapedQuery } from "../shared/queries";

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

/** Units of an item held by reservations in `status`, read in `tx`. */
async function heldUnits(tx: Transaction, id: string, status: "reserved" | "committed"): Promise<number> {
  const holding = await tx.get(shapedQuery("stockReservationsOfItemInStatus", reservations(), id, status));
  let units = 0;
  for (const reservation of holding.docs) {
    for (const line of reservation.get("lines") as ReservedLine[]) if (inventoryId(line.restaurantId, line.itemId) === id) units += line.quantity;
  }
  return units;
}

/** What a stock count did to an item. */
export interface StockLevelResult {
  /** Units free to sell after the count. */
  available: number;
  /** Units held by open orders (reservations still `reserved`). */
  reserved: number;
  /** Units ever put into stock, after the count. */
  stocked: number;
  /** Units added to (positive) or taken from (negative) what is free to sell. */
  adjusted: number;
  /** Units open orders hold beyond what the count says is on hand; they stay reserved. */
  shortfall: number;
}

/**
 * Records a stock count: `onHand` is the units on hand, counting those held by open orders
 * (units already sold are not on hand). What is free to sell is moved by the difference between
 * the count and what is on hand now, never touching reservations, so the same count twice
 * changes nothing. A count below what open orders hold frees nothing it cannot: the available
 * units go and the rest is reported as `shortfall`. `stocked` on the root keeps
 * available + reserved + committed units equal to the units ever put into stock.
 */
export async function setStockLevel(restaurantId: string, itemId: string, onHand: number, shards = DEFAULT_SHARDS): Promise<StockLevelResult> {
  const { FieldValue } = firestoreValues();
  const id = inventoryId(restaurantId, itemId);
  const root = inventoryRoot(restaurantId, itemId);
  const result = await db().runTransaction(async (tx) => {
    const current = await tx.get(root);
    const currentShards = (current.get("shards") as number | undefined) ?? 0;
    const reserved = await heldUnits(tx, id, "reserved");
    const available = await readCounter(tx, root, currentShards);
    // A root written before `stocked` was kept: what it accounts for today (read once only,
    // committed reservations pile up with every sale).
    const stocked = (current.get("stocked") as number | undefined) ?? available + reserved + (await heldUnits(tx, id, "committed"));

    const target = onHand - reserved;
    const next = Math.max(0, target);
    const adjusted = next - available;
    const outcome: StockLevelResult = { available: next, reserved, stocked: stocked + adjusted, adjusted, shortfall: Math.max(0, -target) };
    const keptShards = keptShardCount(currentShards, shards);
    const unchanged = current.exists && adjusted === 0 && keptShards === currentShards && current.get("level") === onHand && current.get("stocked") === outcome.stocked;
    if (unchanged) return outcome;
    if (adjusted !== 0 || keptShards !== currentShards) setCounter(tx, root, next, keptShards);
    tx.set(root, { restaurantId, itemId, shards: keptShards, level: onHand, stocked: outcome.stocked, updatedAt: FieldValue.serverTimestamp() });
    return outcome;
  });
  if (result.shortfall > 0) log.warn("stock.count-below-reserved", { restaurantId, itemId, onHand, reserved: result.reserved, shortfall: result.shortfall });
  if (result.adjusted !== 0) log.info("stock.counted", { restaurantId, itemId, onHand, adjusted: result.adjusted });
  return result;
}

/** Lines of the same item (same item, different modifiers) merged into one quantity. */
function mergedByItem(lines: StockLine[]): StockLine[] {
  const byItem = new Map<string, StockLine>();
  for (const line of lines) {
    const key = inventoryId(line.restaurantId, line.itemId);
    const merged = byItem.get(key);
    byItem.set(key, merged ? { ...merged, quantity: merged.quantity + line.quantity } : { ...line });
  }
  return [...byItem.values()];
}

/**
 * What each shard of a line's item holds, looked at outside any transaction (no locks), or the
 * `out-of-stock` refusal when they hold less than the line's quantity.
 */
async function lookAtStock(line: StockLine): Promise<{ shards: number; levels: number[] }> {
  const stock = await peekStock(line);
  const refusal = shortageOf(line, stock.available);
  if (refusal) throw refusal;
  return stock;
}

async function peekStock(line: StockLine): Promise<{ shards: number; levels: number[]; available: number }> {
  const root = inventoryRoot(line.restaurantId, line.itemId);
  // The shard count changes only when stock is set, so it is read outside the transaction:
  // a hundred checkouts need not all hold a lock on the same root document.
  const shards = ((await root.get()).get("shards") as number | undefined) ?? 0;
  const levels = await peekShards(root, shards);
  return { shards, levels, available: levels.reduce((sum, units) => sum + units, 0) };
}

/** The `out-of-stock` refusal of a line its item's `available` units cannot fill. */
function shortageOf(line: StockLine, available: number): DomainError | undefined {
  if (available >= line.quantity) return undefined;
  const message = available === 0 ? `${line.name} is sold out.` : `Only ${available} of ${line.name} left.`;
  return new DomainError("failed-precondition", message, {
    reason: "out-of-stock",
    fields: [{ path: `lines.${line.line}.quantity`, message }],
  });
}

/** Where a cart's tracked item stands right now: units free to sell, and checkout's refusal if too few. */
export interface StockLook {
  line: StockLine;
  available: number;
  refusal?: DomainError;
}

/**
 * What `requireInStock` would find, without refusing: each tracked item of the cart (lines of
 * one item merged, named by the first) with the units free now. For the cart quote.
 */
export async function lookAtCartStock(lines: StockLine[]): Promise<StockLook[]> {
  return Promise.all(
    mergedByItem(lines).map(async (line) => {
      const { available } = await peekStock(line);
      const refusal = shortageOf(line, available);
      return { line, available, ...(refusal ? { refusal } : {}) };
    }),
  );
}

/**
 * Where this instance's next take of an item starts: shard after shard, from a random first one.
 * Checkouts running side by side in one instance then lock different shards (two takers of one
 * shard, each holding a read lock the other's commit waits for, end in a lock timeout), and
 * instances start apart.
 */
const shardCursors = new Map<string, number>();
function nextShard(id: string, shards: number): number {
  const cursor = shardCursors.get(id) ?? randomInt(shards);
  shardCursors.set(id, cursor + 1);
  return cursor % shards;
}

/**
 * Refuses (`out-of-stock`) a cart whose items the shards do not hold right now, without a
 * transaction: a sold-out item answers at once, before its checkout waits for a turn.
 */
export async function requireInStock(lines: StockLine[]): Promise<void> {
  for (const line of mergedByItem(lines)) await lookAtStock(line);
}

/**
 * Reads (in `tx`) whether every line's quantity is in stock and returns the function that takes
 * it. Refuses with `failed-precondition` / `out-of-stock` naming the first short line. Throws
 * AttemptConflict when stock seen a moment before was taken meanwhile: run it with
 * `runTransactionWithin`, which tries again.
 */
export async function planReservation(tx: Transaction, orderId: string, lines: StockLine[]): Promise<() => void> {
  const planned: ReservedLine[] = [];
  for (const line of mergedByItem(lines)) {
    // Which shards hold stock is looked at outside the transaction: a sold-out item is refused
    // without locking anything, and the transaction reads, so locks, only the shards that had
    // stock a moment ago. A transaction that read every shard held a lock on each, and every
    // taker's commit had to wait for all of them (lock timeouts, retries).
    const { shards, levels } = await lookAtStock(line);
    const start = nextShard(inventoryId(line.restaurantId, line.itemId), shards);
    const order = Array.from({ length: shards }, (_, i) => (start + i) % shards).filter((shard) => levels[shard] > 0);
    const result = await planTakeFrom(tx, inventoryRoot(line.restaurantId, line.itemId), order, line.quantity);
    // Taken by others since the look: look again (the caller's transaction runner retries).
    if ("short" in result) throw new AttemptConflict(`stock of ${inventoryId(line.restaurantId, line.itemId)}`);
    planned.push({ restaurantId: line.restaurantId, itemId: line.itemId, quantity: line.quantity, allocation: result.allocation });
  }
  return () => {
    if (planned.length === 0) return;
    const { FieldValue } = firestoreValues();
    for (const line of planned) {
      applyTake(tx, inventoryRoot(line.restaurantId, line.itemId), line.allocation);
      tx.create(movements().doc(`${orderId}__${line.itemId}__reserve`), movement(orderId, line, "reserve"));
    }
    // `inventoryIds` lets a stock count find what open orders hold of an item.
    const inventoryIds = planned.map((line) => inventoryId(line.restaurantId, line.itemId));
    tx.create(reservations().doc(orderId), { orderId, status: "reserved", lines: planned, inventoryIds, createdAt: FieldValue.serverTimestamp(), correlationId: correlationId() });
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
