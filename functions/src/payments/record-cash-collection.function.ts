import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** The assigned courier records the cash taken at the door: settles the payment, counts in the day's reconciliation. */
export const recordCashCollection = defineCallable(
  { name: CALLABLES.recordCashCollection, access: ["courier"], rateLimit: { max: 30, windowSeconds: 60 } },
  async () => (await import("./cash-settlement.service.js")).recordCashCollection,
);
