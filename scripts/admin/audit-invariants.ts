/**
 * The invariant auditor: lists every violation of the workflow's invariants (stock and promo
 * redemptions conserved, one order per checkout, payments captured once and within the total,
 * one message per recipient, nothing left sending, unpublished, stalled or dead-lettered).
 * Read-only, also against a real project. Exit status 1 when anything is violated, 0 when clean,
 * 3 when a check could not finish (a read failed) and nothing was found by the others.
 *
 *   npm run audit:invariants -- [--project id] [--json] [--only check,check]
 *                               [--restaurant id]… [--order id]… [--promo CODE]…
 *
 * Payments are read from Stripe: locally the Stripe double (functions/.secret.local and
 * .env.local); for a real project the key in STRIPE_SECRET_KEY (a restricted key that can read
 * PaymentIntents and refunds is enough), or the check is skipped. Locally the FCM and Twilio
 * doubles' records of what they received are read too.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs, parseEnv } from "node:util";
import { auditInvariants, CHECKS, formatReport, type AuditOptions, type CheckName } from "../../functions/src/audit/invariants.ts";
import { stripeClient } from "../../functions/src/payments/stripe.gateway.ts";
import { db } from "../../functions/src/shared/firebase.ts";
import { REPO_ROOT } from "../dev/emulator-env.ts";
import { describeTarget, useTarget } from "../lib/target.ts";

const USAGE = "usage: npm run audit:invariants -- [--project <id>] [--json] [--only <check,…>] [--restaurant <id>]… [--order <id>]… [--promo <code>]…";

const { values } = parseArgs({
  options: {
    project: { type: "string" },
    json: { type: "boolean" },
    only: { type: "string" },
    restaurant: { type: "string", multiple: true },
    order: { type: "string", multiple: true },
    promo: { type: "string", multiple: true },
    help: { type: "boolean" },
  },
});
if (values.help) {
  console.log(`${USAGE}\nchecks: ${CHECKS.join(", ")}`);
  process.exit(0);
}
const only = values.only?.split(",").map((c) => c.trim()) as CheckName[] | undefined;
const unknown = only?.filter((c) => !CHECKS.includes(c));
if (unknown?.length) {
  console.error(`unknown check(s): ${unknown.join(", ")}\nchecks: ${CHECKS.join(", ")}`);
  process.exit(2);
}

const target = useTarget(values.project);

/** The local stack's settings, as the Functions emulator reads them. */
function localEnv(): Record<string, string | undefined> {
  const read = (file: string) => (existsSync(file) ? parseEnv(readFileSync(file, "utf8")) : {});
  return { ...read(join(REPO_ROOT, "functions", ".env.local")), ...read(join(REPO_ROOT, "functions", ".secret.local")) };
}

const local = target.emulator ? localEnv() : {};
const stripeKey = target.emulator ? local.STRIPE_SECRET_KEY : process.env.STRIPE_SECRET_KEY;
const scoped = Boolean(values.restaurant || values.order || values.promo);
const options: AuditOptions = {
  only,
  stripe: stripeKey ? stripeClient(stripeKey, target.emulator ? local.STRIPE_API_URL : process.env.STRIPE_API_URL) : null,
  providerDoubles: target.emulator ? { fcm: local.FCM_API_URL, twilio: local.TWILIO_API_URL } : undefined,
  ...(scoped ? { scope: { restaurantIds: values.restaurant, orderIds: values.order, promoCodes: values.promo } } : {}),
};

const report = await auditInvariants(db(), options);
if (values.json) {
  console.log(JSON.stringify({ target: target.projectId, emulator: target.emulator, ...report }, null, 2));
} else {
  console.log(`auditing ${describeTarget(target)}${scoped ? " (scoped)" : ""}`);
  for (const line of formatReport(report)) console.log(line);
}
process.exit(report.violations.length > 0 ? 1 : report.checks.some((c) => c.failed) ? 3 : 0);
