/**
 * Deployed names of the callables, for `httpsCallable(functions, CALLABLES.startProbe)`.
 * Each maps to its request schema and response type in this folder.
 */
export const CALLABLES = {
  startProbe: "diagnostics-startProbe",
  setUserRole: "admin-setUserRole",
  banUser: "admin-banUser",
  unbanUser: "admin-unbanUser",
  updateProfile: "auth-updateProfile",
  deleteAccount: "auth-deleteAccount",
  syncPhone: "auth-syncPhone",
  saveRestaurant: "catalog-saveRestaurant",
  saveCategory: "catalog-saveCategory",
  deleteCategory: "catalog-deleteCategory",
  saveItem: "catalog-saveItem",
  deleteItem: "catalog-deleteItem",
  importMenu: "catalog-importMenu",
  placeOrder: "checkout-placeOrder",
  quoteCart: "checkout-quoteCart",
  restaurantOrderAction: "orders-restaurantAction",
  cancelOrder: "orders-cancelOrder",
  adminOrderAction: "orders-adminAction",
  updateCourierStatus: "dispatch-updateCourierStatus",
  courierOrderAction: "dispatch-courierAction",
  registerDevice: "notifications-registerDevice",
  unregisterDevice: "notifications-unregisterDevice",
  updateNotificationPreferences: "notifications-updatePreferences",
  startBroadcast: "notifications-startBroadcast",
} as const;
