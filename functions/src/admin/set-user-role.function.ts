import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** Grants a role (and, for staff, restaurants) through custom claims; audited. */
export const setUserRole = defineCallable(
  { name: CALLABLES.setUserRole, access: ["admin"], rateLimit: { max: 30, windowSeconds: 60 } },
  async () => (await import("./roles.service.js")).setUserRole,
);
