import { onRequest } from "firebase-functions/v2/https";
import {
  healthCheckToken,
  healthMaxAttentionOrders,
  healthMaxOpenDeadLetters,
  healthMaxOutboxLagging,
  healthMaxStuckOrders,
  healthMaxStuckSending,
} from "../shared/params";

/** `ops-health`: the uptime check's and the on-call's view of whether the backend can work (health.service.ts). */
export const health = onRequest({ secrets: [healthCheckToken], timeoutSeconds: 20, maxInstances: 2 }, async (req, res) => {
  await (await import("./health.service.js")).serveHealth(req, res, {
    token: healthCheckToken.value(),
    limits: {
      openDeadLetters: healthMaxOpenDeadLetters.value(),
      outboxLagging: healthMaxOutboxLagging.value(),
      stuckSending: healthMaxStuckSending.value(),
      attentionOrders: healthMaxAttentionOrders.value(),
      stuckOrders: healthMaxStuckOrders.value(),
    },
  });
});
