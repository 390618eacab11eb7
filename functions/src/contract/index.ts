/**
 * The client contract: request schemas, response types and error details of every callable,
 * the order states, the documents the app reads and the contract's version.
 * Depends on zod only, so the mobile app can import it without pulling in server code.
 */
export * from "./admin.js";
export * from "./billing.js";
export * from "./callable-map.js";
export * from "./callables.js";
export * from "./catalog.js";
export * from "./checkout.js";
export * from "./delivery.js";
export * from "./diagnostics.js";
export * from "./documents.js";
export * from "./errors.js";
export * from "./notifications.js";
export * from "./ops.js";
export * from "./order-states.js";
export * from "./orders.js";
export * from "./primitives.js";
export * from "./profile.js";
export * from "./risk.js";
export * from "./roles.js";
export * from "./version.js";
