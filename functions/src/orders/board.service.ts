/**
 * The restaurant's live board, a read model kept by order events: one document per open order
 * under `restaurantBoards/{restaurantId}/openOrders`, removed when the order closes. Staff
 * listen to that collection. Each update reads the order and the board entry in one
 * transaction and writes the order's current state, so redelivered and reordered events
 * converge on the truth and one order's churn never touches another's document.
 */
import type { DocumentSnapshot, Transaction } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { OPEN_STATES, type OrderState } from "./order-state";

function boardEntryRef(restaurantId: string, orderId: string) {
  return db().collection(COLLECTIONS.restaurantBoards).doc(restaurantId).collection(COLLECTIONS.openOrders).doc(orderId);
}

function entryFor(order: DocumentSnapshot) {
  const { FieldValue } = firestoreValues();
  const lines = (order.get("lines") as { name: string; quantity: number }[] | undefined) ?? [];
  const courier = order.get("courier") as { uid: string; name: string | null } | undefined;
  return {
    orderId: order.id,
    status: order.get("status") as OrderState,
    version: (order.get("version") as number | undefined) ?? 1,
    // The kitchen calls out a first name; contact data stays off the board.
    customerFirstName: (order.get("customerFirstName") as string | null | undefined) ?? null,
    items: lines.map((l) => ({ name: l.name, quantity: l.quantity })),
    total: order.get("total") ?? null,
    paymentMethod: order.get("paymentMethod") ?? null,
    placedAt: order.get("createdAt") ?? null,
    courier: courier ?? null,
    dispatchStatus: (order.get("dispatch.status") as string | undefined) ?? null,
    attention: order.get("attention") ?? null,
    updatedAt: FieldValue.serverTimestamp(),
  };
}

/** Brings the order's board entry in line with the order, inside `tx` (reads first). */
export async function planBoardUpdate(tx: Transaction, orderId: string): Promise<() => void> {
  const order = await tx.get(db().collection(COLLECTIONS.orders).doc(orderId));
  if (!order.exists) return () => undefined;
  const ref = boardEntryRef(order.get("restaurantId") as string, orderId);
  const current = await tx.get(ref);
  const open = OPEN_STATES.includes(order.get("status") as OrderState);
  return () => {
    if (open) tx.set(ref, entryFor(order));
    else if (current.exists) tx.delete(ref);
  };
}
