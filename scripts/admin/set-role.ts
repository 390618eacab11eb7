/**
 * Grants a role, exactly as the admin-setUserRole callable does (claims, profile mirror, audit).
 *
 *   npm run admin:set-role -- --email someone@example.com --role staff --restaurant r1 [--restaurant r2] [--project id]
 *
 * The user sees the new role at their next ID-token refresh.
 */
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { SetUserRoleRequest } from "../../functions/src/contract/admin.ts";
import { applyRole } from "../../functions/src/admin/roles.service.ts";
import { newCorrelationId } from "../../functions/src/shared/context.ts";
import { auth } from "../../functions/src/shared/firebase.ts";
import { describeTarget, useTarget } from "../lib/target.ts";

const { values } = parseArgs({
  options: { email: { type: "string" }, uid: { type: "string" }, role: { type: "string" }, restaurant: { type: "string", multiple: true }, project: { type: "string" } },
});
const target = useTarget(values.project);
const uid = values.uid ?? (values.email ? (await auth().getUserByEmail(values.email)).uid : undefined);
const request = SetUserRoleRequest.safeParse({ uid, role: values.role, restaurantIds: values.restaurant });
if (!request.success) {
  for (const issue of request.error.issues) console.error(`  --${String(issue.path[0] ?? "uid")}: ${issue.message}`);
  console.error("usage: npm run admin:set-role -- (--email <email> | --uid <uid>) --role <customer|staff|courier|admin> [--restaurant <id>…] [--project <id>]");
  process.exit(2);
}
const result = await applyRole(
  { uid: request.data.uid, role: request.data.role, restaurantIds: request.data.restaurantIds ?? [] },
  { id: `script:${userInfo().username}`, correlationId: newCorrelationId() },
);
console.log(`${describeTarget(target)}: ${result.uid} is now ${result.role}${result.restaurantIds.length ? ` of ${result.restaurantIds.join(", ")}` : ""}.`);
process.exit(0);
