/**
 * `npm run demo:order`: one card order of the demo customer at the demo trattoria, taken from
 * checkout to delivered by the demo staff and courier, through the callables, against the stack
 * `npm start` runs. Then the order's trace: `npm run trace -- <orderId>` prints it again later.
 * For seeing the workflow, its notifications and its traces by hand; never against a real project.
 *
 *   npm run demo:order [-- --cash]
 */
import { parseArgs } from "node:util";
import { CALLABLES } from "../../functions/src/contract/callables.ts";
import type { CheckoutResponse } from "../../functions/src/contract/checkout.ts";
import { buildTree, isUnbroken, readSpanFile, renderWaterfall, tracesFor, type SpanNode } from "../../functions/src/shared/trace-waterfall.ts";
import { confirmPayment, trattoriaCart } from "../../functions/test/support/checkout.ts";
import { admin, signIn, type AppClient } from "../../functions/test/support/emulators.ts";
import { useTarget } from "../lib/target.ts";
import { TRACE_SPANS_FILE } from "./emulator-env.ts";

const PASSWORD = "demo-password";
const { values } = parseArgs({ options: { cash: { type: "boolean" } } });
useTarget(undefined);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for the order to reach what `done` says; the workflow between calls runs in triggers and tasks. */
async function until(orderId: string, what: string, done: (order: FirebaseFirestore.DocumentData) => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done((await admin().db.doc(`orders/${orderId}`).get()).data() ?? {})) return;
    await pause(250);
  }
  throw new Error(`order ${orderId} never ${what} (is \`npm start\` running, and the demo courier free?)`);
}

const find = (node: SpanNode, name: string): SpanNode | undefined => (node.span.name === name ? node : node.children.map((c) => find(c, name)).find(Boolean));

/** Whether the order's trace is whole and holds the push sent for the move to delivered. */
function complete(trace: ReturnType<typeof tracesFor>[number]): boolean {
  const tree = buildTree(trace);
  const delivered = tree.roots.map((root) => find(root, "order.delivered")).find(Boolean);
  // Under `npm start` push lands in the dev outbox (devOutbox.push); in tests, at the FCM double.
  return isUnbroken(tree) && !!delivered && !!(find(delivered, "devOutbox.push") ?? find(delivered, "fcm.send"));
}

const step = (text: string) => console.log(`  ${new Date().toISOString().slice(11, 23)}  ${text}`);

let people: AppClient[] = [];
try {
  const [customer, staff, courier] = await Promise.all(["customer", "staff", "courier"].map((who) => signIn(`${who}@demo.test`, PASSWORD)));
  people = [customer, staff, courier];
  // The customer's phone takes push, as the app registers it at sign-in.
  await customer.call(CALLABLES.registerDevice, { token: `demo-device-${customer.user.uid}`, platform: "android", appVersion: "1.0.0" });
  const placed = await customer.call<CheckoutResponse>(CALLABLES.placeOrder, trattoriaCart(values.cash ? "cash" : "card"));
  const orderId = placed.orderId;
  console.log(`order ${orderId} (${values.cash ? "cash" : "card"}, total ${placed.breakdown.total})`);
  step("checkout");
  if (placed.payment) {
    await confirmPayment(placed.payment.paymentIntentId, "authorized");
    step("card authorized at the Stripe double");
  }
  await until(orderId, "was placed", (o) => o.status === "placed");
  step("placed");
  const act = (who: AppClient, name: string, data: Record<string, unknown>) => who.call(name, { orderId, ...data });
  await act(staff, CALLABLES.restaurantOrderAction, { action: "accept" });
  step("accepted by the restaurant");
  await until(orderId, "was offered to the demo courier", (o) => o.dispatch?.offer?.courierUid === courier.user.uid);
  await act(courier, CALLABLES.courierOrderAction, { action: "accept" });
  step("taken by the courier");
  for (const action of ["preparing", "ready"]) await act(staff, CALLABLES.restaurantOrderAction, { action });
  step("prepared");
  for (const action of ["picked_up", "delivered"]) await act(courier, CALLABLES.courierOrderAction, { action });
  step("delivered");

  // The delivered push goes out from a task a moment later; wait for its span, a while.
  const deadline = Date.now() + 60_000;
  let trace = tracesFor(readSpanFile(TRACE_SPANS_FILE), orderId)[0] ?? [];
  while (Date.now() < deadline && !complete(trace)) {
    await pause(500);
    trace = tracesFor(readSpanFile(TRACE_SPANS_FILE), orderId)[0] ?? [];
  }
  console.log(`\n${renderWaterfall(trace).lines.join("\n")}`);
  console.log(`\nAgain, with the requests that acted on it: npm run trace -- ${orderId}`);
} catch (error) {
  console.error(`demo:order: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await Promise.all(people.map((p) => p.close()));
}
process.exit();
