/**
 * Personal data end to end, on the emulator suite: one customer's whole order life (a card
 * checkout with a promo code, push and SMS, a courier's delivery, the restaurant's promotion
 * audience), then
 *   - who sees what: each party reads the order's documents through the rules, as the app does,
 *     and finds only the fields it may see;
 *   - the logs: nothing the Functions emulator printed names the customer;
 *   - account deletion: afterwards no document in the database, in any collection or
 *     subcollection, holds the customer's uid, email, phone or name.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { doc, getDoc, type Firestore } from "firebase/firestore";
import type { DocumentReference } from "firebase-admin/firestore";
import { CALLABLES } from "../../src/contract/callables";
import type { CheckoutResponse } from "../../src/contract/checkout";
import { definePromotion } from "../../src/checkout/promotions.service";
import { keyedHash } from "../../src/shared/pseudonym";
import { admin, callError, randomPhone, signInWithRole, signUp, verifyPhone, type AppClient, waitForDocument, payload } from "../support/emulators";
import { confirmPayment, STRIPE_DOUBLE } from "../support/checkout";
import { fcmToken, ledgerEntry, registerDevice, setPreferences } from "../support/notifications";
import { cart, courierAt, eventually, failStripe, kitchen, orderWhere, resetStripeFailures } from "../support/workflow";

const PERSONAL = ["customerName", "customerEmail", "customerPhone", "deliveryAddress", "deliveryInstructions", "email", "phone", "address", "instructions", "name"];

/** Where each party can read `path` through the rules, and which personal fields it sees there. */
async function view(firestore: Firestore, path: string): Promise<string[] | "denied" | "missing"> {
  try {
    const snapshot = await getDoc(doc(firestore, path));
    if (!snapshot.exists()) return "missing";
    return Object.keys(snapshot.data()).filter((field) => PERSONAL.includes(field)).sort();
  } catch (error) {
    if ((error as { code?: string }).code === "permission-denied") return "denied";
    throw error;
  }
}

/**
 * Every document under `collections`, subcollections included, however deep: one level at a
 * time, each page of documents read and asked for its subcollections at once. The database holds
 * every earlier test's data by now; one call per document in turn took a minute.
 */
async function* everyDocument(collections: FirebaseFirestore.CollectionReference[]): AsyncGenerator<FirebaseFirestore.DocumentSnapshot> {
  let level = collections;
  while (level.length > 0) {
    const refs: DocumentReference[] = [];
    for (let i = 0; i < level.length; i += 300) refs.push(...(await Promise.all(level.slice(i, i + 300).map((collection) => collection.listDocuments()))).flat());
    const below: FirebaseFirestore.CollectionReference[] = [];
    for (let i = 0; i < refs.length; i += 300) {
      const page = refs.slice(i, i + 300);
      const [snapshots, subcollections] = await Promise.all([admin().db.getAll(...page), Promise.all(page.map((ref) => ref.listCollections()))]);
      yield* snapshots.filter((snapshot) => snapshot.exists);
      below.push(...subcollections.flat());
    }
    level = below;
  }
}

interface Life {
  uid: string;
  identifiers: { uid: string; email: string; phone: string; displayName: string };
  logSecrets: string[];
  logStart: number;
  orderId: string;
  restaurantId: string;
  whileOpen: Record<string, Record<string, unknown>>;
  delivery: Record<string, unknown> | undefined;
  kitchenName: unknown;
  customer: AppClient;
  courier: AppClient;
  admin: AppClient;
  paths: Record<string, string>;
  seen(): Promise<Record<string, Record<string, unknown>>>;
}

/** One customer's order life, from sign-up to out for delivery; who sees what is recorded on the way. */
async function orderLife(clients: AppClient[]): Promise<Life> {
  const logFile = process.env.EMULATOR_OUTPUT_LOG ?? "";
  const logStart = existsSync(logFile) ? readFileSync(logFile).length : 0;
  const k = await kitchen();
  const customer = k.customer;
  const otherCustomer = await signUp();
  const otherStaff = await signInWithRole("staff", [`elsewhere-${randomUUID()}`]);
  const courier = await courierAt(k.location);
  const otherCourier = await signInWithRole("courier");
  const adminClient = await signInWithRole("admin");
  clients.push(k.staff, customer, otherCustomer, otherStaff, courier, otherCourier, adminClient);

  const uid = customer.user.uid;
  const email = customer.user.email!;
  const marker = randomUUID().slice(0, 8);
  const displayName = `Zelda Quixote${marker}`;
  const phone = randomPhone();
  const token = fcmToken();
  await waitForDocument(customer.firestore, `users/${uid}`, (d) => d !== undefined);
  await customer.call(CALLABLES.updateProfile, { displayName });
  await verifyPhone(customer, phone);
  await setPreferences(customer, { channels: { orderUpdates: { push: true, sms: true }, promotions: { push: true, sms: false } } });
  await registerDevice(customer, token);
  const code = `PII${marker.toUpperCase()}`;
  const day = 86_400_000;
  await definePromotion({ code, kind: "percent", value: 10, minSubtotal: 0, currency: "EUR", startsAt: new Date(Date.now() - day), expiresAt: new Date(Date.now() + day), perUserLimit: 1, globalLimit: 5, active: true });
  const address = { ...cart(k, "card").deliveryAddress, line1: `${marker} Secret Lane 7`, instructions: `Ring twice, ${marker}` };

  const placed = await customer.call<CheckoutResponse>(CALLABLES.placeOrder, { ...cart(k, "card"), promoCode: code, deliveryAddress: address });
  const orderId = placed.orderId;
  await confirmPayment(placed.payment!.paymentIntentClientSecret.split("_secret_")[0], "authorized");
  await orderWhere(orderId, (o) => o.status === "placed");
  await waitForDocument(k.staff.firestore, `restaurantBoards/${k.restaurantId}/openOrders/${orderId}`, (d) => d?.status === "placed", 60_000);
  await k.staff.call(CALLABLES.restaurantOrderAction, { orderId, action: "accept" });
  await waitForDocument(courier.firestore, `couriers/${courier.user.uid}`, (d) => d?.offer?.orderId === orderId, 60_000);
  await courier.call(CALLABLES.courierOrderAction, { orderId, action: "accept" });
  for (const action of ["preparing", "ready"]) await k.staff.call(CALLABLES.restaurantOrderAction, { orderId, action });
  await courier.call(CALLABLES.courierOrderAction, { orderId, action: "picked_up" });

  const paths = { order: `orders/${orderId}`, contact: `orders/${orderId}/private/contact`, delivery: `deliveries/${orderId}`, board: `restaurantBoards/${k.restaurantId}/openOrders/${orderId}` };
  const parties = { customer, otherCustomer, staff: k.staff, otherStaff, courier, otherCourier, admin: adminClient };
  const seen = async () => {
    const table: Record<string, Record<string, unknown>> = {};
    for (const [party, client] of Object.entries(parties)) {
      table[party] = {};
      for (const [name, path] of Object.entries(paths)) table[party][name] = await view(client.firestore, path);
    }
    return table;
  };
  const whileOpen = await seen();
  const delivery = (await admin().db.doc(paths.delivery).get()).data();
  const kitchenName = (await admin().db.doc(paths.order).get()).get("customerFirstName");

  await courier.call(CALLABLES.courierOrderAction, { orderId, action: "delivered" });
  await orderWhere(orderId, (o) => o.status === "delivered");
  // Push and SMS went out, and the restaurant counts the customer in its audience.
  await ledgerEntry(uid, "orders.v1.delivered", "push");
  await ledgerEntry(uid, "orders.v1.picked-up", "sms");
  await eventually("the customer in the audience", async () => (await admin().db.doc(`restaurantAudiences/${k.restaurantId}/customers/${uid}`).get()).exists);
  await eventually("the board entry removed", async () => !(await admin().db.doc(paths.board).get()).exists);
  // A promotion to the restaurant's customers reaches them; its cursor then names them.
  const broadcastId = `pii-${marker}`;
  const text = { title: "Two for one", body: "Tonight only." };
  await adminClient.call(CALLABLES.startBroadcast, { broadcastId, segment: { kind: "restaurant-customers", restaurantId: k.restaurantId }, message: { en: text, es: text }, batchSize: 1 });
  await eventually("the broadcast done", async () => (await admin().db.doc(`broadcasts/${broadcastId}`).get()).get("status") === "done", 60_000);
  assert.equal((await admin().db.doc(`broadcasts/${broadcastId}`).get()).get("cursor"), uid, "the cursor names the customer");
  return {
    uid,
    identifiers: { uid, email, phone, displayName },
    logSecrets: [email, phone, phone.slice(1), displayName, address.line1, address.instructions, token],
    logStart,
    orderId,
    restaurantId: k.restaurantId,
    whileOpen,
    delivery,
    kitchenName,
    customer,
    courier,
    admin: adminClient,
    paths,
    seen,
  };
}

describe("personal data", () => {
  const clients: AppClient[] = [];
  let life: Life;
  before(async () => {
    life = await orderLife(clients);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("shows each party only its part of an order, the courier only while delivering", async () => {
    const contact = ["address", "email", "name", "phone"];
    assert.deepEqual(life.whileOpen, {
      customer: { order: [], contact, delivery: "denied", board: "denied" },
      otherCustomer: { order: "denied", contact: "denied", delivery: "denied", board: "denied" },
      staff: { order: [], contact: "denied", delivery: "denied", board: [] },
      otherStaff: { order: "denied", contact: "denied", delivery: "denied", board: "denied" },
      courier: { order: [], contact: "denied", delivery: ["address", "name", "phone"], board: "denied" },
      otherCourier: { order: "denied", contact: "denied", delivery: "denied", board: "denied" },
      admin: { order: [], contact, delivery: ["address", "name", "phone"], board: [] },
    });
    const { displayName, phone } = life.identifiers;
    assert.deepEqual([life.delivery?.name, life.delivery?.phone], [displayName, phone], "the courier can call the customer");
    assert.equal(life.kitchenName, "Zelda", "the kitchen calls out a first name");

    await eventually("the delivery closed", async () => (await admin().db.doc(life.paths.delivery).get()).get("status") === "closed", 20_000);
    const afterDelivery = await life.seen();
    assert.deepEqual(afterDelivery.courier, { order: [], contact: "denied", delivery: "denied", board: "denied" }, "the same courier after delivery");
    assert.deepEqual(afterDelivery.admin.delivery, [], "a closed delivery keeps no contact data");
  });

  it("logs none of the customer's email, phone, name, address or push token", () => {
    const file = process.env.EMULATOR_OUTPUT_LOG;
    assert.ok(file && existsSync(file), "EMULATOR_OUTPUT_LOG names the emulator suite's output: run this test through scripts/dev/test.ts");
    const printed = readFileSync(file).subarray(life.logStart).toString("utf8").split("\n");
    assert.ok(printed.some((line) => line.includes("checkout.order-created")), "the functions' log lines are in the output");
    const leaks = printed.filter((line) => life.logSecrets.some((s) => line.includes(s))).map((line) => line.slice(0, 400));
    assert.deepEqual(leaks, [], "log lines with personal data");
  });

  it("deletes the account so that no document names the customer, and deletes the Stripe customer", async () => {
    const stripeCustomerId = (await admin().db.doc(`paymentCustomers/${life.uid}`).get()).get("stripeCustomerId") as string;
    assert.ok(stripeCustomerId, "a Stripe customer was made");
    const subject = keyedHash("uid", life.uid);
    const entry = admin().db.doc(`auditLog/account-deletion__${subject}`);

    // A deletion cut short (Stripe down, past the policy's one retry) shows as started; the retry completes it.
    await failStripe({ method: "DELETE", path: `^/v1/customers/${stripeCustomerId}$`, status: 500, count: 2 });
    const cut = await callError(life.customer.call(CALLABLES.deleteAccount, { confirm: true }));
    assert.equal(cut.code, "functions/unavailable");
    assert.equal((await entry.get()).get("status"), "started", "the interrupted deletion is visible");
    await resetStripeFailures();
    const result = await life.customer.call(CALLABLES.deleteAccount, { confirm: true });
    assert.deepEqual(payload(result as object), { deleted: true, ordersAnonymized: 1 }, "the retry completes, counting the order once");
    assert.deepEqual([(await entry.get()).get("status"), (await entry.get()).get("ordersAnonymized")], ["completed", 1]);

    const found: string[] = [];
    for await (const snapshot of everyDocument(await admin().db.listCollections())) {
      const text = `${snapshot.ref.path} ${JSON.stringify(snapshot.data())}`;
      for (const [what, value] of Object.entries(life.identifiers)) if (text.includes(value)) found.push(`${what} in ${snapshot.ref.path}`);
    }
    assert.deepEqual(found.sort(), [], "documents still naming the deleted customer");

    const stripeCustomer = await fetch(`${STRIPE_DOUBLE}/v1/customers/${stripeCustomerId}`, { headers: { authorization: "Bearer sk_test_local_double" } });
    assert.equal(((await stripeCustomer.json()) as { deleted?: boolean }).deleted, true, "the Stripe customer is deleted");
    await assert.rejects(admin().auth.getUser(life.uid), (e: { code?: string }) => e.code === "auth/user-not-found");
  });
});
