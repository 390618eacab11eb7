/**
 * `npm run trace -- <orderId|correlationId|traceId>`: the waterfall of an order's trace (and of
 * the requests that acted on it) from the local span file the Functions emulator writes
 * (TRACE_SPANS_FILE, `.cache/traces/spans.jsonl`). Exit status 0 when every trace shown is one
 * unbroken tree, 1 when a span's parent is missing or a trace has several roots, 2 when nothing
 * matches.
 *
 *   npm run trace -- <key> [--file <spans.jsonl>] [--project <id>]
 *
 * With `--project`, deployed traces are in Cloud Trace; the script says where to look.
 */
import { parseArgs } from "node:util";
import { readSpanFile, renderWaterfall, tracesFor } from "../../functions/src/shared/trace-waterfall.ts";
import { TRACE_SPANS_FILE } from "../dev/emulator-env.ts";

const USAGE = "usage: npm run trace -- <orderId|correlationId|traceId> [--file <spans.jsonl>] [--project <id>]";

const { values, positionals } = parseArgs({ options: { file: { type: "string" }, project: { type: "string" } }, allowPositionals: true });
const key = positionals[0];
if (!key) {
  console.error(USAGE);
  process.exit(2);
}

if (values.project) {
  console.log(`Traces of project ${values.project} are in Cloud Trace: https://console.cloud.google.com/traces/list?project=${encodeURIComponent(values.project)}`);
  console.log(`Filter by the span attribute orderId:${key} or correlationId:${key}; log lines link to them through logging.googleapis.com/trace.`);
  process.exit(0);
}

const file = values.file ?? TRACE_SPANS_FILE;
const traces = tracesFor(readSpanFile(file), key);
if (traces.length === 0) {
  console.error(`No span in ${file} names ${key} (an order id, a correlation id or a trace id). Spans are written while npm start or npm test runs.`);
  process.exit(2);
}

let broken = 0;
traces.forEach((trace, index) => {
  const { lines, tree } = renderWaterfall(trace);
  if (index === 1) console.log("\nrequests that acted on it, each in its own trace (linked from the order's trace):");
  console.log(`\n${lines.join("\n")}`);
  if (tree.roots.length !== 1 || tree.orphans.length > 0) broken += 1;
});
if (broken > 0) {
  console.log(`\n${broken} of ${traces.length} trace(s) broken: a span whose parent is missing, or more than one root.`);
  process.exit(1);
}
