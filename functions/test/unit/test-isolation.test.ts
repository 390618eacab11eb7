/**
 * Integration files run side by side unless integration/run-alone.json lists them to run alone. A file
 * that touches what every test shares must be on that list, or it fails other files' tests only
 * now and then, depending on which ran beside it: this keeps the list in step with the files.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

const INTEGRATION = join(__dirname, "..", "integration");
const RUN_ALONE = new Set(Object.keys((JSON.parse(readFileSync(join(INTEGRATION, "run-alone.json"), "utf8")) as { files: Record<string, string> }).files));

/** What a file uses that reaches beyond its own users, orders and devices, and why that matters. */
const SHARED_STATE: [RegExp, string][] = [
  [/\bsetFaultPlan\(/, "the fault plan hits every order's points"],
  [/\bresetDoubles\(/, "resetting the doubles drops other files' failure rules and sent messages"],
  [/\bsweep(StalledOrders|Outbox|Ledger)\(/, "a sweep re-drives every order's lost steps"],
  [/\bauditInvariants\(/, "the audit reads every order"],
  [/\b(journey|recover)\(/, "recovery sweeps every order"],
  [/EMULATOR_OUTPUT_LOG|TRACE_SPANS_FILE|readSpans\(/, "the log and the spans hold every file's work"],
  [/CALLABLES\.startBroadcast/, "a broadcast reaches every matching customer"],
  [/\bstartHost\(/, "a second runtime under load takes the machine"],
  // A failure rule on a fixed provider path (a plain string, no id of its own in a template)
  // fails other files' calls too.
  [/(failStripe|failNext)\([^)]*path:\s*"|failNext\("[A-Z]+",\s*"/, "a provider failure rule on a path every order uses"],
];

function sharedStateOf(source: string): string[] {
  return SHARED_STATE.filter(([pattern]) => pattern.test(source)).map(([, why]) => why);
}

describe("integration test isolation", () => {
  it("every file that touches shared state runs alone", () => {
    const missing = readdirSync(INTEGRATION)
      .filter((file) => file.endsWith(".test.ts") && !RUN_ALONE.has(file))
      .map((file) => ({ file, why: sharedStateOf(readFileSync(join(INTEGRATION, file), "utf8")) }))
      .filter(({ why }) => why.length > 0);
    assert.deepEqual(missing, []);
  });

  it("every file listed to run alone exists", () => {
    const files = new Set(readdirSync(INTEGRATION));
    assert.deepEqual([...RUN_ALONE].filter((file) => !files.has(file)), []);
  });

  it("finds a provider failure rule on a shared path, and not one scoped to an order", () => {
    assert.ok(sharedStateOf(`await failStripe({ path: "^/v1/refunds$", status: 503, count: 1 });`).length > 0);
    assert.ok(sharedStateOf(`await failNext("POST", "^/v1/payment_intents$", 503, 2);`).length > 0);
    assert.deepEqual(sharedStateOf("await failStripe({ path: `/v1/payment_intents/${id}/capture`, status: 500, count: 1 });"), []);
  });
});
