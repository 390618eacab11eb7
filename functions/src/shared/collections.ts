/** Collection names, in one place so rules, code and tests agree. Plural, camelCase. */
export const COLLECTIONS = {
  users: "users",
  probes: "probes",
  auditLog: "auditLog",
  rateLimits: "rateLimits",
  processedEvents: "processedEvents",
  deadLetters: "deadLetters",
} as const;
