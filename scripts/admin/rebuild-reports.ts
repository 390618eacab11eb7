/**
 * Rebuilds the restaurant and payment reports from the orders, in the emulators (default) or a
 * named project:
 *
 *   npm run reports:rebuild -- [--day YYYY-MM-DD] [--project my-project]
 *
 * With `--day`, only the orders created that UTC day and that day's documents; without, every
 * order and every day they touch. Live projection goes on meanwhile (functions/src/reports).
 */
import { parseArgs } from "node:util";
import { rebuildReports } from "../../functions/src/reports/reports.service.ts";
import { describeTarget, useTarget } from "../lib/target.ts";

const { values } = parseArgs({ options: { day: { type: "string" }, project: { type: "string" } } });
if (values.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.day)) {
  console.error("usage: npm run reports:rebuild -- [--day YYYY-MM-DD] [--project <id>]");
  process.exit(2);
}
if (values.day !== undefined && Number.isNaN(Date.parse(`${values.day}T00:00:00Z`))) {
  console.error(`--day ${values.day} is not a date.`);
  process.exit(2);
}

const target = useTarget(values.project);
console.log(`Rebuilding reports${values.day ? ` of ${values.day}` : ""} in ${describeTarget(target)}…`);
const result = await rebuildReports({ day: values.day }, (line) => console.log(`  ${line}`));
console.log(`Done: ${result.orders} orders, ${result.restaurantDays} restaurant days, days ${result.days.join(", ") || "none"}.`);
process.exit(0);
