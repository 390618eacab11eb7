/**
 * The delivery task: one recipient of one order event or broadcast. Builds the message from its
 * source (the order as it is now, or the broadcast's text) and hands it to delivery.service.
 */
import { z } from "zod";
import { COLLECTIONS } from "../shared/collections";
import { RetryLater } from "../shared/event-handler";
import { auth, db } from "../shared/firebase";
import { log } from "../shared/log";
import type { TaskImpl } from "../shared/task-handler";
import { enqueueTask } from "../shared/tasks";
import { TASK_QUEUES } from "../shared/task-queues";
import { broadcastOutgoing } from "./broadcast-content";
import { deliverTo, recipientOf, type Outgoing } from "./delivery.service";
import { renderOrderMessage, type Audience, type OrderDetails } from "./templates";

/** The receipt billing/ issues; its email carries the PDF (the one thing notifications know of billing). */
const RECEIPT_ISSUED = "receipts.v1.issued";

export const DeliverTask = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("order"), requestId: z.string().min(1), audience: z.enum(["customer", "restaurant", "courier"]), uid: z.string().min(1), afterQuietHours: z.boolean().optional() }),
  z.object({ kind: z.literal("broadcast"), broadcastId: z.string().min(1), uid: z.string().min(1), afterQuietHours: z.boolean().optional() }),
]);
export type DeliverTask = z.infer<typeof DeliverTask>;

const safe = (part: string) => part.replace(/[^A-Za-z0-9_-]/g, "_");

/** One task per (source, audience, recipient); the quiet-hours run gets its own. */
export function taskIdOf(task: DeliverTask): string {
  const source = task.kind === "order" ? `${task.requestId}-${task.audience}` : `broadcast-${task.broadcastId}`;
  return safe(`notify-${source}-${task.uid}${task.afterQuietHours ? "-after-quiet" : ""}`);
}

/** Schedules `task` again for when the recipient's quiet hours end, marked to send then. */
export function deferDelivery(task: DeliverTask) {
  return async (delaySeconds: number) => {
    const later: DeliverTask = { ...task, afterQuietHours: true };
    await enqueueTask(TASK_QUEUES.deliverNotification, later, { id: taskIdOf(later), scheduleDelaySeconds: delaySeconds });
  };
}

async function orderOutgoing(requestId: string, audience: Audience): Promise<Outgoing | null> {
  const request = await db().collection(COLLECTIONS.notificationRequests).doc(requestId).get();
  if (!request.exists) return null;
  const type = request.get("type") as string;
  const orderId = request.get("orderId") as string;
  const order = (await db().collection(COLLECTIONS.orders).doc(orderId).get()).data() ?? {};
  // Only what we wrote ourselves: ids, amounts, counts and reason codes (see templates.ts).
  const details: OrderDetails = {
    orderId,
    total: (order.total as OrderDetails["total"] | undefined) ?? { amount: 0, currency: "EUR" },
    itemCount: ((order.lines as { quantity: number }[] | undefined) ?? []).reduce((sum, line) => sum + line.quantity, 0),
    reason: (order.rejection?.reason ?? order.cancellation?.reason ?? null) as string | null,
  };
  const flags = renderOrderMessage(type, audience, "en", details);
  if (!flags) return null;
  return {
    source: requestId,
    type,
    category: flags.category,
    critical: flags.critical,
    urgent: flags.urgent,
    orderId,
    render: (locale) => renderOrderMessage(type, audience, locale, details),
    data: { orderId, audience },
    ...(type === RECEIPT_ISSUED ? { attachments: async () => [await (await import("../billing/receipt-attachment.js")).receiptAttachment(orderId)] } : {}),
  };
}

async function accountExists(uid: string): Promise<boolean> {
  return auth()
    .getUser(uid)
    .then(
      () => true,
      (error: { code?: string }) => {
        if (error.code === "auth/user-not-found") return false;
        throw error;
      },
    );
}

export const deliver: TaskImpl<DeliverTask> = {
  schema: DeliverTask,
  async run(task, { taskId, finalAttempt }) {
    const outgoing = task.kind === "order" ? await orderOutgoing(task.requestId, task.audience) : await broadcastOutgoing(task.broadcastId);
    const recipient = await recipientOf(task.uid);
    if (outgoing && !recipient && !finalAttempt && (await accountExists(task.uid))) {
      // The profile is written by the sign-up trigger, which may not have run yet for a new user.
      // An account that is gone (deleted since) never gets one: nothing to wait for.
      throw new RetryLater(`no profile yet for ${task.uid}`);
    }
    if (!outgoing || !recipient) {
      log.warn("notification.undeliverable", { taskId, reason: outgoing ? "no-recipient" : "no-source" });
      return;
    }
    await deliverTo(recipient, outgoing, {
      afterQuietHours: task.afterQuietHours,
      finalAttempt,
      defer: deferDelivery(task),
    });
  },
};
