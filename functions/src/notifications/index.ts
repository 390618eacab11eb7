/** Notifications: devices and preferences, delivery of order events and broadcasts, SMS reports. Loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  registerDevice: () => require("./register-device.function").registerDevice,
  unregisterDevice: () => require("./unregister-device.function").unregisterDevice,
  updatePreferences: () => require("./update-preferences.function").updatePreferences,
  onOrderEvent: () => require("./on-order-event.function").onOrderEvent,
  onNotificationRequest: () => require("./on-notification-request.function").onNotificationRequest,
  deliver: () => require("./deliver.function").deliver,
  startBroadcast: () => require("./start-broadcast.function").startBroadcast,
  resumeBroadcast: () => require("./resume-broadcast.function").resumeBroadcast,
  broadcastBatch: () => require("./broadcast-batch.function").broadcastBatch,
  twilioStatus: () => require("./twilio-status.function").twilioStatus,
  sweepLedger: () => require("./sweep-ledger.function").sweepLedger,
});
