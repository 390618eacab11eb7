/**
 * The restaurant's acceptance deadline: an order still `placed` when its task fires is
 * cancelled by the system; the cancellation's event releases its stock and returns its money.
 * An order that moved on is left alone.
 */
import { z } from "zod";
import type { DocumentSnapshot } from "firebase-admin/firestore";
import type { TaskImpl } from "../shared/task-handler";
import { cancelBySystem, readOrder, SYSTEM } from "./transition.service";

const AcceptanceDeadline = z.object({ orderId: z.string().min(1) });

const stillPlaced = (order: DocumentSnapshot | undefined) => order?.get("status") === "placed";

export const enforceAcceptanceDeadline: TaskImpl<z.infer<typeof AcceptanceDeadline>> = {
  schema: AcceptanceDeadline,
  isMoot: async ({ orderId }) => !stillPlaced(await readOrder(orderId)),
  // Checked inside the transaction: an order accepted a moment ago is not cancelled.
  run: async ({ orderId }) => void (await cancelBySystem(orderId, SYSTEM.timeouts, "restaurant-did-not-accept", { stillApplies: stillPlaced })),
};
