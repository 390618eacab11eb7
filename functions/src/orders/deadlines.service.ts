/**
 * The restaurant's acceptance deadline: an order still `placed` when its task fires is
 * cancelled by the system; the cancellation's event releases its stock and returns its money.
 * An order that moved on is left alone.
 */
import { z } from "zod";
import { log } from "../shared/log";
import type { TaskImpl } from "../shared/task-handler";
import { SYSTEM, readOrder, transitionOrder } from "./transition.service";
import { DomainError } from "../shared/errors";

const AcceptanceDeadline = z.object({ orderId: z.string().min(1) });

export const enforceAcceptanceDeadline: TaskImpl<z.infer<typeof AcceptanceDeadline>> = {
  schema: AcceptanceDeadline,
  isMoot: async ({ orderId }) => (await readOrder(orderId))?.get("status") !== "placed",
  async run({ orderId }) {
    const order = await readOrder(orderId);
    if (order?.get("status") !== "placed") {
      log.info("order.acceptance-deadline-moot", { orderId, status: order?.get("status") ?? null });
      return;
    }
    try {
      await transitionOrder(orderId, "cancelled", SYSTEM.timeouts, "restaurant-did-not-accept", { extra: { cancellation: { by: "system", reason: "restaurant-did-not-accept" } } });
    } catch (error) {
      // Accepted between the read and the move: nothing left to enforce.
      if (error instanceof DomainError && error.code === "failed-precondition") return;
      throw error;
    }
  },
};
