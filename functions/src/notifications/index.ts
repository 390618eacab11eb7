/** Notifications: devices and preferences, and what order events ask to be told. Loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  registerDevice: () => require("./register-device.function").registerDevice,
  unregisterDevice: () => require("./unregister-device.function").unregisterDevice,
  updatePreferences: () => require("./update-preferences.function").updatePreferences,
  onOrderEvent: () => require("./on-order-event.function").onOrderEvent,
});
