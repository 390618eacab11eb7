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
  /**
   * Per order, what its courier needs at the door (name, phone, address), from assignment until
   * the order ends; then closed and emptied. Contact data is in `orders/{id}/private/contact`.
   */
  deliveries: "deliveries",
  /** A restaurant's live board: `restaurantBoards/{restaurantId}/openOrders/{orderId}`. */
  restaurantBoards: "restaurantBoards",
  openOrders: "openOrders",
  /** Couriers' availability, location and current offer or delivery. */
  couriers: "couriers",
  /** Per delivery under way (id: the order's), the courier's last position and ETA; deleted when the order ends. */
  deliveryTracking: "deliveryTracking",
  /** A courier's cash per day (id: `{courierUid}_{yyyy-mm-dd}_{currency}`): expected vs collected, flagged on a difference. */
  cashReconciliations: "cashReconciliations",
  /** Push devices, one per FCM registration token (id: the token's SHA-256), owned by a user. */
  devices: "devices",
  /**
   * Per user, the tokens to push to (`pushTargets/{uid}.devices: { deviceId: token }`), kept in
   * step with `devices` in the same transactions: one read finds everyone's devices.
   */
  pushTargets: "pushTargets",
  /** What the notification senders are asked to tell whom, one per order event. */
  notificationRequests: "notificationRequests",
  /** The notifications ledger: one message per (source event, channel, recipient) and its status. */
  notifications: "notifications",
  /** Phone numbers that answered STOP (id: `keyedHash("phone", number)`, no number stored); never texted again. */
  smsOptOuts: "smsOptOuts",
  /** SMS sent per user per hour (id: `{uid}_{yyyymmddhh}`), for the hourly cap. */
  smsUsage: "smsUsage",
  /** SMS sent per destination number per hour (id: `{keyedHash("phone", number)}_{yyyymmddhh}`). */
  smsNumberUsage: "smsNumberUsage",
  /** SMS sent in all per hour (`smsBudget/{yyyymmddhh}/budgetShards/{n}`); the hour's root says when it ran out. */
  smsBudget: "smsBudget",
  /** Per verified number (id: its keyed hash), the keyed hashes of the accounts that held it; `flagged` past the alert. */
  phoneHolders: "phoneHolders",
  /** Promotions to a segment, sent in batches; `broadcasts/{id}/batches/{n}` records each batch. */
  broadcasts: "broadcasts",
  batches: "batches",
  /** Customers of a restaurant (`restaurantAudiences/{restaurantId}/customers/{uid}`), for broadcasts. */
  restaurantAudiences: "restaurantAudiences",
  customers: "customers",
  /** Local stack only: where push and SMS land instead of FCM and Twilio. */
  devOutbox: "devOutbox",
  /** A delivered order's receipt (id: the order id), immutable; rendered as PDF on request (billing/). */
  receipts: "receipts",
  /** Invoices (id: the order id: one per order), immutable, numbered per restaurant without gaps. */
  invoices: "invoices",
  /** Per restaurant (id: its id), the last invoice number given; moved in the invoice's own transaction. */
  invoiceCounters: "invoiceCounters",
  /** Domain events written with the change they announce, published from there. */
  outbox: "outbox",
  probes: "probes",
  auditLog: "auditLog",
  /** Bans (id: the uid), server-only: status, reason code, actor, times (admin/ban-state.ts). */
  bans: "bans",
  /** Keyed hashes of banned accounts' emails and phones (`{purpose}-{hash}`), refused at sign-up. */
  bannedIdentities: "bannedIdentities",
  rateLimits: "rateLimits",
  /**
   * Fraud-rule counters per (counter, keyed hash of the key) and hour: `riskCounters/{series}/hours/{hour}`
   * (risk/counters.ts). No personal data; server-only; TTL on `expireAt`.
   */
  riskCounters: "riskCounters",
  hours: "hours",
  /** Every fraud-rule decision (allow, refuse, hold, approve, reject) with its rules' values and limits; admin-read only. */
  riskDecisions: "riskDecisions",
  /** Per account (id: uid), read and written by each cash checkout so one account's run one at a time; TTL on `expireAt`. */
  cashCheckoutGuards: "cashCheckoutGuards",
  processedEvents: "processedEvents",
  /** Per restaurant and UTC day (`restaurantReports/{restaurantId}/days/{YYYY-MM-DD}`): staff of it and admins read. */
  restaurantReports: "restaurantReports",
  reportDays: "days",
  /** Per UTC day, payments by method, sharded (`paymentReports/{YYYY-MM-DD}/shards/{n}`): admins read. */
  paymentReports: "paymentReports",
  reportShards: "shards",
  /** Per order (id: orderId), what it counts for in the reports now; server-only. */
  reportContributions: "reportContributions",
  deadLetters: "deadLetters",
  /** Stuck work the detector found (id: `{kind}:{itemId}`), one per item, for operators; admin-read only. */
  opsAlerts: "opsAlerts",
} as const;
