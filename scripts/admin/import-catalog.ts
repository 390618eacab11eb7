/**
 * Imports a catalog file into the emulators (default) or a named project.
 *
 *   npm run admin:import-catalog -- --file catalog.json [--dry-run] [--project my-project]
 *
 * Every row is validated first; with any error nothing is written and each failing field is
 * listed. The file format is scripts/dev/demo-catalog.json's.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { planCatalog, writeCatalog } from "../../functions/src/catalog/catalog-file.ts";
import { describeTarget, useTarget } from "../lib/target.ts";

const { values } = parseArgs({ options: { file: { type: "string" }, "dry-run": { type: "boolean" }, project: { type: "string" } } });
if (!values.file) {
  console.error("usage: npm run admin:import-catalog -- --file <catalog.json> [--dry-run] [--project <id>]");
  process.exit(2);
}

const target = useTarget(values.project);
let raw: unknown;
try {
  raw = JSON.parse(readFileSync(values.file, "utf8"));
} catch (error) {
  console.error(`Cannot read ${values.file}: ${(error as Error).message}`);
  process.exit(1);
}
const plan = planCatalog(raw);
if (plan.errors.length) {
  console.error(`${values.file}: ${plan.errors.length} problems, nothing written:`);
  for (const e of plan.errors) console.error(`  ${e.path || "(file)"}: ${e.message}`);
  process.exit(1);
}
const items = plan.restaurants.reduce((n, r) => n + r.menu.items.length, 0);
console.log(`${values.file}: ${plan.restaurants.length} restaurants, ${items} items, ${plan.stock.length} stock levels, all valid.`);
if (values["dry-run"]) {
  console.log(`Dry run: nothing written to ${describeTarget(target)}.`);
  process.exit(0);
}
console.log(`Writing to ${describeTarget(target)}…`);
await writeCatalog(plan, (line) => console.log(`  ${line}`));
console.log("Done.");
process.exit(0);
