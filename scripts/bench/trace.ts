/**
 * `npm run bench:trace`: ORDERS (default 20) card orders from checkout to delivered, driven as
 * the app, the kitchen and the courier would (functions/test/support/journey.ts), KITCHENS
 * (default 4) at once. For each order, from the local span file: the spans of its trace, whether
 * they form one tree (one root, no orphan); then p50 / p95 / p99 per hop (span name) and end to
 * end (checkout call to the last span: the delivered push), computed from the spans themselves.
 * Prints figures; asserts nothing. Starts its own emulators and local services when run from a
 * shell.
 */
import { setStockLevel } from "../../functions/src/inventory/stock.service.ts";
import type { SpanLine } from "../../functions/src/shared/trace-file-exporter.ts";
import { buildTree, readSpanFile, tracesFor, type SpanNode, type TraceTree } from "../../functions/src/shared/trace-waterfall.ts";
import { signInWithRole, type AppClient } from "../../functions/test/support/emulators.ts";
import { journey, type JourneyResult } from "../../functions/test/support/journey.ts";
import { courierAt, kitchen, type Kitchen } from "../../functions/test/support/workflow.ts";
import { emulatorEnv, TRACE_SPANS_FILE } from "../dev/emulator-env.ts";
import { FAULT_PLAN_URL, startLocalServices } from "../dev/local-services.ts";
import { doubleListening, ensureInsideEmulators, say } from "./inside-emulators.ts";

const ORDERS = Number(process.env.ORDERS ?? 20);
const KITCHENS = Number(process.env.KITCHENS ?? 4);
/** How long after delivery an order's trace may take to hold its delivered push. */
const SETTLE_MS = 60_000;

if (!process.env.FIRESTORE_EMULATOR_HOST && !(await doubleListening(`${FAULT_PLAN_URL}/report`))) {
  const services = await startLocalServices(emulatorEnv().env);
  process.on("exit", () => services.forEach((s) => s.kill()));
}
ensureInsideEmulators("scripts/bench/trace.ts", "auth,functions,firestore,pubsub,tasks");

if (!(Number.isInteger(ORDERS) && ORDERS > 0 && Number.isInteger(KITCHENS) && KITCHENS > 0)) {
  say(`ORDERS and KITCHENS must be whole numbers above 0 (got ${process.env.ORDERS}, ${process.env.KITCHENS})`);
  process.exit(1);
}
const spansFile = process.env.TRACE_SPANS_FILE ?? TRACE_SPANS_FILE;

const find = (node: SpanNode, name: string): SpanNode | undefined => (node.span.name === name ? node : node.children.map((c) => find(c, name)).find(Boolean));

interface OrderTrace {
  orderId?: string;
  journey: JourneyResult | { stuck: string };
  spans: SpanLine[];
  tree?: TraceTree;
  /** The delivered push hangs under the move to delivered. */
  reachedPush: boolean;
}

/** Waits until the order's trace holds the delivered push with no orphan, or SETTLE_MS passes. */
async function orderTrace(orderId: string, waitMs = SETTLE_MS): Promise<{ spans: SpanLine[]; tree: TraceTree; reachedPush: boolean }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [spans = []] = tracesFor(readSpanFile(spansFile), orderId);
    const tree = buildTree(spans);
    const delivered = tree.roots.map((r) => find(r, "order.delivered")).find(Boolean);
    const reachedPush = !!(delivered && find(delivered, "fcm.send"));
    if ((reachedPush && tree.orphans.length === 0) || Date.now() > deadline) return { spans, tree, reachedPush };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const started = Date.now();
say(`trace: ${ORDERS} card orders, checkout to delivered, ${KITCHENS} kitchens at once; spans from ${spansFile}`);
const kitchens: { k: Kitchen; courier: AppClient }[] = [];
const results: OrderTrace[] = [];
let operator: AppClient | undefined;
try {
  for (let i = 0; i < KITCHENS; i += 1) {
    const k = await kitchen();
    await setStockLevel(k.restaurantId, k.itemId, 4 * ORDERS);
    kitchens.push({ k, courier: await courierAt(k.location) });
  }
  operator = await signInWithRole("admin");
  // A kitchen's courier carries one order at a time: each kitchen's orders run one after another.
  await Promise.all(
    kitchens.map(async ({ k, courier }, index) => {
      for (let i = index; i < ORDERS; i += KITCHENS) {
        try {
          const run = await journey(k, courier, operator!, "card", "delivered");
          const traced = run.orderId ? await orderTrace(run.orderId) : { spans: [], tree: undefined, reachedPush: false };
          results.push({ orderId: run.orderId, journey: run, ...traced });
        } catch (error) {
          results.push({ journey: { stuck: (error as Error).message }, spans: [], reachedPush: false });
        }
      }
    }),
  );
} catch (error) {
  say(`setup failed: ${(error as Error).message}`);
}

// Under load the last hops (the delivered push above all) may land after an order's window: one
// more look at every order that was not whole, with one more window for all of them.
const lastLook = Date.now() + SETTLE_MS;
for (const r of results) {
  if (!r.orderId || (r.reachedPush && r.tree?.orphans.length === 0)) continue;
  const traced = await orderTrace(r.orderId, Math.max(0, lastLook - Date.now()));
  Object.assign(r, traced);
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value: number) => (Number.isNaN(value) ? "-" : value.toFixed(1));

say("");
say(`${"order".padEnd(22)} ${"spans".padStart(6)} ${"roots".padStart(6)} ${"orphans".padStart(8)}  delivered push  journey`);
for (const r of results) {
  const tree = r.tree;
  say(
    `${(r.orderId ?? "-").padEnd(22)} ${String(r.spans.length).padStart(6)} ${String(tree?.roots.length ?? 0).padStart(6)} ${String(tree?.orphans.length ?? 0).padStart(8)}  ${(r.reachedPush ? "yes" : "no").padEnd(14)}  ${r.journey.stuck ? `stuck: ${r.journey.stuck}` : "delivered"}`,
  );
}
const broken = results.filter((r) => !r.tree || r.tree.roots.length !== 1 || r.tree.orphans.length > 0 || !r.reachedPush);
const counts = results.map((r) => r.spans.length);
say("");
say(`orders: ${results.length}, delivered: ${results.filter((r) => !r.journey.stuck).length}, broken traces: ${broken.length} (one root, no orphan, the delivered push reached)`);
say(`spans per order: p50 ${percentile(counts, 50)}, min ${Math.min(...counts)}, max ${Math.max(...counts)}`);

// Per hop: every span of the orders' traces, by name.
const byName = new Map<string, number[]>();
for (const r of results) for (const s of r.spans) byName.set(s.name, [...(byName.get(s.name) ?? []), s.durationMs]);
// To the delivered push, not to the trace's last span: an accepted offer's expiry task still
// fires COURIER_OFFER_SECONDS after the offer (and finds nothing to do), inside the order's trace.
const pushEndMs = (tree: TraceTree | undefined) => {
  const delivered = tree?.roots.map((r) => find(r, "order.delivered")).find(Boolean);
  return delivered ? find(delivered, "fcm.send")?.span.endMs : undefined;
};
const endToEnd = results.flatMap((r) => {
  const end = r.reachedPush && r.spans.length > 0 ? pushEndMs(r.tree) : undefined;
  return end === undefined ? [] : [end - Math.min(...r.spans.map((s) => s.startMs))];
});
say("");
say(`${"hop (span name)".padEnd(48)} ${"n".padStart(5)} ${"p50 ms".padStart(9)} ${"p95 ms".padStart(9)} ${"p99 ms".padStart(9)}`);
for (const [name, values] of [...byName.entries()].sort(([a], [b]) => a.localeCompare(b))) {
  say(`${name.padEnd(48)} ${String(values.length).padStart(5)} ${ms(percentile(values, 50)).padStart(9)} ${ms(percentile(values, 95)).padStart(9)} ${ms(percentile(values, 99)).padStart(9)}`);
}
say(`${"end to end (checkout call to delivered push)".padEnd(48)} ${String(endToEnd.length).padStart(5)} ${ms(percentile(endToEnd, 50)).padStart(9)} ${ms(percentile(endToEnd, 95)).padStart(9)} ${ms(percentile(endToEnd, 99)).padStart(9)}`);
say("");
say(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
await Promise.all([...kitchens.flatMap(({ k, courier }) => [k.staff.close(), k.customer.close(), courier.close()]), operator?.close()]).catch(() => undefined);
process.exit(0);
