/**
 * The payment window: a card order still awaiting payment when its task fires is expired and
 * its stock and promo given back, in one transaction. The expiry's event has the payment
 * settlement cancel the PaymentIntent. An order that moved on is left alone.
 */
import { z } from "zod";
import { COLLECTIONS } from "../shared/collections";
import { db } from "../shared/firebase";
import { log } from "../shared/log";
import type { TaskImpl } from "../shared/task-handler";
import { planTransition, readOrder, SYSTEM } from "../orders/transition.service";
import { planReleaseOrderHolds } from "./order-holds";

const ExpireUnpaidOrder = z.object({ orderId: z.string().min(1) });

const isUnpaid = async (orderId: string) => (await readOrder(orderId))?.get("status") === "awaiting_payment";

export const expireUnpaidOrder: TaskImpl<z.infer<typeof ExpireUnpaidOrder>> = {
  schema: ExpireUnpaidOrder,
  isMoot: async ({ orderId }) => !(await isUnpaid(orderId)),
  async run({ orderId }) {
    const ref = db().collection(COLLECTIONS.orders).doc(orderId);
    const expired = await db().runTransaction(async (tx) => {
      const order = await tx.get(ref);
      if (order.get("status") !== "awaiting_payment") return false;
      const release = await planReleaseOrderHolds(tx, orderId, "payment-window-expired");
      release();
      tx.update(ref, planTransition(tx, order, "expired", SYSTEM.timeouts, "payment-window-expired").fields);
      return true;
    });
    if (expired) log.info("checkout.order-expired", { orderId });
  },
};
