/** Collection names, in one place so rules, code and tests agree. Plural, camelCase. */
export const COLLECTIONS = {
  users: "users",
  restaurants: "restaurants",
  /** Subcollections of a restaurant. */
  categories: "categories",
  items: "items",
  inventory: "inventory",
  stockReservations: "stockReservations",
  stockMovements: "stockMovements",
  promotions: "promotions",
  promoRedemptions: "promoRedemptions",
  idempotencyKeys: "idempotencyKeys",
  paymentCustomers: "paymentCustomers",
  orders: "orders",
  /** A restaurant's live board: `restaurantBoards/{restaurantId}/openOrders/{orderId}`. */
  restaurantBoards: "restaurantBoards",
  openOrders: "openOrders",
  /** Couriers' availability, location and current offer or delivery. */
  couriers: "couriers",
  /** Push devices, one per FCM registration token (id: the token's SHA-256), owned by a user. */
  devices: "devices",
  /** What the notification senders are asked to tell whom, one per order event. */
  notificationRequests: "notificationRequests",
  /** Domain events written with the change they announce, published from there. */
  outbox: "outbox",
  probes: "probes",
  auditLog: "auditLog",
  rateLimits: "rateLimits",
  processedEvents: "processedEvents",
  deadLetters: "deadLetters",
} as const;
