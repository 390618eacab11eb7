/**
 * A customer's past orders, written straight to Firestore: what a page of `me.orders` reads back,
 * for the GraphQL read-count test and bench:graphql.
 */
import { COLLECTIONS } from "../../src/shared/collections";
import { db, firestoreValues } from "../../src/shared/firebase";

/** Writes `count` delivered orders of `customerUid` from the three demo restaurants, newest first; answers their ids. */
export async function writeDeliveredOrders(customerUid: string, count: number): Promise<string[]> {
  const { Timestamp } = firestoreValues();
  const batch = db().batch();
  const refs = Array.from({ length: count }, () => db().collection(COLLECTIONS.orders).doc());
  refs.forEach((ref, n) =>
    batch.set(ref, {
      customerUid,
      restaurantId: `demo-restaurant-${(n % 3) + 1}`,
      restaurantName: "Demo",
      status: "delivered",
      version: 1,
      lines: [{ itemId: "carbonara", name: "Carbonara", quantity: 1, unitPrice: 1000, modifiers: [], lineTotal: 1000 }],
      total: { amount: 1000, currency: "EUR" },
      paymentMethod: "cash",
      history: [],
      createdAt: Timestamp.fromMillis(Date.now() - n * 60_000),
    }),
  );
  await batch.commit();
  return refs.map((ref) => ref.id);
}
