/**
 * `@food-delivery/client`: the backend's contract for the app. Schemas and types of every
 * callable, the callable map and `createCall`, the order states and transitions, the documents
 * the app listens to, the error reasons, and the contract version. Depends on zod only.
 *
 * Built from functions/src/contract (staged into src/contract by scripts/build.mjs).
 */
export * from "./contract/index.js";
export * from "./call.js";
// The GraphQL operations as typed documents (codegen from the server's schema) are exported
// from here once the GraphQL endpoint is merged: ./graphql/operations.ts.
