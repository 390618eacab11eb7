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
  /** Domain events written with the change they announce, published from there. */
  outbox: "outbox",
  probes: "probes",
  auditLog: "auditLog",
  rateLimits: "rateLimits",
  processedEvents: "processedEvents",
  deadLetters: "deadLetters",
} as const;
