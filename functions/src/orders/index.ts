/**
 * Orders: the state machine's moves by people (callables) and by time (the acceptance
 * deadline), the outbox that announces every move on Pub/Sub, the restaurant board kept
 * from those announcements, and the sweep that re-drives orders whose next step was lost. Each function loads on first access.
 */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  restaurantAction: () => require("./restaurant-action.function").restaurantAction,
  cancelOrder: () => require("./cancel-order.function").cancelOrder,
  requestInvoice: () => require("./request-invoice.function").requestInvoice,
  adminAction: () => require("./admin-action.function").adminAction,
  publishOrderEvent: () => require("./publish-order-event.function").publishOrderEvent,
  sweepOutbox: () => require("./sweep-outbox.function").sweepOutbox,
  sweepStalled: () => require("./sweep-stalled.function").sweepStalled,
  onOrderEvent: () => require("./on-order-event.function").onOrderEvent,
  enforceAcceptanceDeadline: () => require("./enforce-acceptance-deadline.function").enforceAcceptanceDeadline,
});
