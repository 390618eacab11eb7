import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** The customer of a delivered order asks for its invoice, made out to their legal details (billing/invoices.service.ts). */
export const requestInvoice = defineCallable(
  { name: CALLABLES.requestInvoice, access: "signed-in", rateLimit: { max: 10, windowSeconds: 60 } },
  async () => (await import("../billing/invoices.service.js")).requestInvoice,
);
