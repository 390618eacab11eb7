/**
 * Entry point: global options, then one export per bounded context, so functions deploy as
 * `<group>-<name>` and can be deployed a group at a time (`firebase deploy --only functions:orders`).
 * Groups and their functions load lazily (shared/lazy-exports.ts): a cold instance pays only for
 * the function it serves. Keep this file free of work.
 */
import { setGlobalOptions } from "firebase-functions/v2/options";
import { exportLazily } from "./shared/lazy-exports";

setGlobalOptions({ region: "us-central1", maxInstances: 20, memory: "256MiB", timeoutSeconds: 60 });

exportLazily(exports, {
  admin: () => require("./admin"),
  api: () => require("./graphql"),
  auth: () => require("./auth"),
  billing: () => require("./billing"),
  catalog: () => require("./catalog"),
  checkout: () => require("./checkout"),
  diagnostics: () => require("./diagnostics"),
  dispatch: () => require("./dispatch"),
  inventory: () => require("./inventory"),
  notifications: () => require("./notifications"),
  ops: () => require("./ops"),
  orders: () => require("./orders"),
  payments: () => require("./payments"),
  reports: () => require("./reports"),
});
