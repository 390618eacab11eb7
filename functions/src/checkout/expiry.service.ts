/**
 * The payment window: a card order still awaiting payment when its task fires is expired, its
 * stock and promo given back, and its PaymentIntent canceled. An order that moved on is left
 * alone. Safe to run again: a canceled intent stays canceled.
 */
import { z } from "zod";
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import type { TaskImpl } from "../shared/task-handler";
import { gatewayFor } from "../payments/gateway";
import { planReleaseOrderHolds } from "./order-holds";

const ExpireUnpaidOrder = z.object({ orderId: z.string().min(1) });

export const expireUnpaidOrder: TaskImpl<z.infer<typeof ExpireUnpaidOrder>> = {
  schema: ExpireUnpaidOrder,
  async run({ orderId }) {
    const ref = db().collection(COLLECTIONS.orders).doc(orderId);
    const { FieldValue, Timestamp } = firestoreValues();
    const order = await db().runTransaction(async (tx) => {
      const snapshot = await tx.get(ref);
      if (snapshot.get("status") !== "awaiting_payment") return snapshot;
      (await planReleaseOrderHolds(tx, orderId, "payment-window-expired"))();
      tx.update(ref, {
        status: "expired",
        updatedAt: FieldValue.serverTimestamp(),
        history: FieldValue.arrayUnion({ at: Timestamp.now(), by: "system", from: "awaiting_payment", to: "expired", why: "payment-window-expired", correlationId: correlationId() }),
      });
      log.info("checkout.order-expired", { orderId });
      return undefined;
    });
    const current = order ?? (await ref.get());
    // Cancel the intent (again, harmlessly) until it is confirmed canceled: a failed cancel retries.
    if (current.get("status") === "expired" && current.get("payment.cancelRequested") !== true) {
      await (await gatewayFor(current.get("paymentMethod"))).cancel(orderId, current.get("payment.intentId"));
      await ref.update({ "payment.cancelRequested": true });
    }
  },
};
