/**
 * Task-queue functions by deployed name (`group-function`), in one place: the code that
 * enqueues and the function that declares the queue must agree on it.
 */
export const TASK_QUEUES = {
  completeProbe: "diagnostics-completeProbe",
  expireUnpaidOrder: "checkout-expireUnpaidOrder",
  enforceAcceptanceDeadline: "orders-enforceAcceptanceDeadline",
  settlePayment: "payments-settlePayment",
  searchCourier: "dispatch-searchCourier",
  expireCourierOffer: "dispatch-expireCourierOffer",
  escalateDispatch: "dispatch-escalateDispatch",
  deliverNotification: "notifications-deliver",
  broadcastBatch: "notifications-broadcastBatch",
} as const;

export type TaskQueue = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];
