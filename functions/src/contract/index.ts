/**
 * The client contract: request schemas, response types and error details of every callable.
 * Depends on zod only, so the mobile app can import it without pulling in server code.
 */
export * from "./admin";
export * from "./callables";
export * from "./catalog";
export * from "./checkout";
export * from "./diagnostics";
export * from "./errors";
export * from "./notifications";
export * from "./orders";
export * from "./primitives";
export * from "./profile";
export * from "./roles";
