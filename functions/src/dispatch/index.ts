/** Dispatch: couriers' status and moves, and finding a courier for each accepted order. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  updateCourierStatus: () => require("./update-courier-status.function").updateCourierStatus,
  courierAction: () => require("./courier-action.function").courierAction,
  reportLocation: () => require("./report-location.function").reportLocation,
  onOrderEvent: () => require("./on-order-event.function").onOrderEvent,
  searchCourier: () => require("./search-courier.function").searchCourier,
  expireCourierOffer: () => require("./expire-courier-offer.function").expireCourierOffer,
  escalateDispatch: () => require("./escalate-dispatch.function").escalateDispatch,
});
