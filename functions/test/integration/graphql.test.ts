/**
 * The GraphQL API through the Functions emulator, as the app calls it: the same data and the
 * same errors as the callables and the catalog API for the same requests, authorization as the
 * security rules have it, the request guards (tokens, depth and cost, APQ), cache headers, and
 * an order's changes over server-sent events.
 */
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { doc, getDoc } from "firebase/firestore";
import { CALLABLES } from "../../src/contract";
import { callError, admin, anonymousClient, functionUrl, payload, signInWithRole, signUpWithPhone, type AppClient } from "../support/emulators";
import { trattoriaCart } from "../support/checkout";
import { callableError, graphql, graphqlError, MENU, ORDER_FIELDS, PLACE_ORDER, RESTAURANTS_NEAR, withoutNulls } from "../support/graphql";

const SOL = { lat: 40.4168, lng: -3.7038 };
const clients: AppClient[] = [];
let alice: AppClient;
let bob: AppClient;

before(async () => {
  [alice, bob] = await Promise.all([signUpWithPhone(), signUpWithPhone()]);
  clients.push(alice, bob);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

/** A cash order of `client`'s, placed through the callable (an account holds at most two open). */
async function placedOrder(client: AppClient): Promise<string> {
  const answer = await client.call<{ orderId: string }>(CALLABLES.placeOrder, trattoriaCart("cash"));
  return answer.orderId;
}

/** A customer of a test's own, with a verified phone, for the cash orders it places. */
async function newCustomer(): Promise<AppClient> {
  const client = await signUpWithPhone();
  clients.push(client);
  return client;
}

describe("GraphQL and the callables side by side", () => {
  it("placeOrder: the same idempotency key through either answers the same order, priced the same", async () => {
    const cart = trattoriaCart("cash");
    const viaCallable = payload(await alice.call<Record<string, unknown>>(CALLABLES.placeOrder, cart));
    const viaGraphql = await graphql<{ placeOrder: Record<string, unknown> }>({ query: PLACE_ORDER, variables: { input: cart } }, { client: alice });
    assert.equal(viaGraphql.errors, undefined, JSON.stringify(viaGraphql.errors));
    const { correlationId, ...data } = viaGraphql.data!.placeOrder;
    assert.match(String(correlationId), /^[0-9a-f-]{36}$/);
    assert.deepEqual(data, viaCallable);
    assert.equal(data.status, "placed");
  });

  it("placeOrder with invalid input: the same code, reason and fields, and no order", async () => {
    const cart = trattoriaCart("cash", { lines: [{ itemId: "carbonara", quantity: 0, modifiers: [] }], idempotencyKey: "short" });
    const viaCallable = callableError(await callError(bob.call(CALLABLES.placeOrder, cart)));
    const viaGraphql = graphqlError(await graphql({ query: PLACE_ORDER, variables: { input: cart } }, { client: bob }));
    assert.deepEqual(viaGraphql, viaCallable);
    assert.equal(viaGraphql.code, "invalid-argument");
    assert.deepEqual((viaGraphql.fields as { path: string }[]).map((f) => f.path).sort(), ["idempotencyKey", "lines.0.quantity"]);
    const orders = await admin().db.collection("orders").where("customerUid", "==", bob.user.uid).get();
    assert.equal(orders.size, 0, "a refused request changes nothing");
  });

  it("cancelOrder of someone else's order: the same refusal, and the order stays as it was", async () => {
    const orderId = await placedOrder(alice);
    const input = { orderId, reason: "changed-mind" };
    const viaCallable = callableError(await callError(bob.call(CALLABLES.cancelOrder, input)));
    const mutation = "mutation Cancel($input: CancelOrderInput!) { cancelOrder(input: $input) { orderId status } }";
    const viaGraphql = graphqlError(await graphql({ query: mutation, variables: { input } }, { client: bob }));
    assert.deepEqual(viaGraphql, viaCallable);
    assert.deepEqual(viaGraphql, { code: "permission-denied", reason: "not-your-order", fields: undefined });
    assert.equal((await admin().db.doc(`orders/${orderId}`).get()).get("status"), "placed");
  });

  it("updateProfile with invalid fields, and with a phone number: the same errors", async () => {
    const mutation = "mutation Update($input: UpdateProfileInput!) { updateProfile(input: $input) { uid displayName } }";
    for (const input of [{ displayName: "", locale: "not a locale" }, { phone: "+34600000009" }]) {
      const viaCallable = callableError(await callError(bob.call(CALLABLES.updateProfile, input)));
      const viaGraphql = graphqlError(await graphql({ query: mutation, variables: { input } }, { client: bob }));
      assert.deepEqual(viaGraphql, viaCallable, JSON.stringify(input));
      assert.equal(viaGraphql.code, "invalid-argument");
    }
  });

  it("updateProfile and registerDevice succeed with the callables' answers", async () => {
    const input = { displayName: "Bob GraphQL", locale: "es" };
    const viaCallable = payload(await bob.call<Record<string, unknown>>(CALLABLES.updateProfile, input));
    const profile = "uid email displayName phone phoneVerified locale timeZone addresses { id } role";
    const viaGraphql = await graphql<{ updateProfile: Record<string, unknown> }>({ query: `mutation U($input: UpdateProfileInput!) { updateProfile(input: $input) { ${profile} } }`, variables: { input } }, { client: bob });
    assert.deepEqual(viaGraphql.data?.updateProfile, viaCallable);

    const device = { token: `fcm-token-${randomUUID()}`, platform: "android", appVersion: "1.0.0" };
    const registered = await graphql<{ registerDevice: { deviceId: string; registered: boolean } }>(
      { query: "mutation R($input: RegisterDeviceInput!) { registerDevice(input: $input) { deviceId registered } }", variables: { input: device } },
      { client: bob },
    );
    assert.deepEqual(registered.data?.registerDevice, { deviceId: createHash("sha256").update(device.token).digest("hex"), registered: true });
    const me = await graphql<{ me: { devices: { deviceId: string; platform: string }[] } }>({ query: "{ me { devices { deviceId platform } } }" }, { client: bob });
    assert.deepEqual(me.data?.me.devices, [{ deviceId: registered.data?.registerDevice.deviceId, platform: "android" }]);
  });

  it("restaurants near a point and a menu: what the catalog API answers", async () => {
    const listing = await fetch(functionUrl(`catalog-api/v1/restaurants?lat=${SOL.lat}&lng=${SOL.lng}&limit=2`)).then((r) => r.json());
    const near = await graphql<{ restaurantsNear: { edges: { node: unknown }[]; pageInfo: { endCursor: string | null } } }>({ query: RESTAURANTS_NEAR, variables: { ...SOL, first: 2 } });
    assert.equal(near.errors, undefined, JSON.stringify(near.errors));
    assert.deepEqual(withoutNulls(near.data!.restaurantsNear.edges.map((e) => e.node)), withoutNulls(listing.restaurants));
    assert.equal(near.data!.restaurantsNear.pageInfo.endCursor, listing.nextCursor);
    assert.ok(listing.restaurants.length === 2 && listing.nextCursor, "the demo catalog has more than two restaurants near Sol");

    const menu = await fetch(functionUrl("catalog-api/v1/restaurants/demo-restaurant-1/menu")).then((r) => r.json());
    const viaGraphql = await graphql<{ menu: unknown }>({ query: MENU, variables: { restaurantId: "demo-restaurant-1" } });
    assert.deepEqual(withoutNulls(viaGraphql.data?.menu), withoutNulls(menu));

    const missing = await fetch(functionUrl("catalog-api/v1/restaurants/no-such-restaurant/menu")).then((r) => r.json());
    const missingViaGraphql = graphqlError(await graphql({ query: MENU, variables: { restaurantId: "no-such-restaurant" } }));
    assert.deepEqual(missingViaGraphql, { code: missing.error.code, reason: missing.error.details.reason, fields: missing.error.details.fields });
  });
});

describe("GraphQL authorization", () => {
  it("a customer asking for another customer's order is refused as Firestore refuses the app", async () => {
    const dave = await newCustomer();
    const orderId = await placedOrder(dave);
    const fromFirestore = await getDoc(doc(bob.firestore, `orders/${orderId}`)).then(
      () => "read",
      (error: { code: string }) => error.code,
    );
    assert.equal(fromFirestore, "permission-denied");
    const answer = await graphql({ query: `query O($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`, variables: { id: orderId } }, { client: bob });
    assert.deepEqual(graphqlError(answer), { code: "permission-denied", reason: "not-your-order", fields: undefined });
    assert.equal(answer.data, null);

    const own = await graphql<{ order: { id: string; status: string; restaurant: { id: string }; attention: unknown } }>(
      { query: `query O($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`, variables: { id: orderId } },
      { client: dave },
    );
    assert.equal(own.data?.order.id, orderId);
    assert.equal(own.data?.order.restaurant.id, "demo-restaurant-1");
    assert.equal(own.data?.order.attention, null, "attention flags are for staff and admins");
  });

  it("staff read their own restaurant's board and are refused another's; admin fields need an admin", async () => {
    const staff = await signInWithRole("staff", ["demo-restaurant-1"]);
    clients.push(staff);
    const orderId = await placedOrder(await newCustomer());
    const board = "query B($id: ID!) { restaurantOpenOrders(restaurantId: $id) { orderId status items { name quantity } } }";
    const ownBoard = await graphql<{ restaurantOpenOrders: { orderId: string }[] }>({ query: board, variables: { id: "demo-restaurant-1" } }, { client: staff });
    assert.equal(ownBoard.errors, undefined, JSON.stringify(ownBoard.errors));
    assert.ok(Array.isArray(ownBoard.data?.restaurantOpenOrders));
    const other = await graphql({ query: board, variables: { id: "demo-restaurant-2" } }, { client: staff });
    assert.deepEqual(graphqlError(other), { code: "permission-denied", reason: "not-your-restaurant", fields: undefined });
    const staffOrder = await graphql<{ order: { id: string } }>({ query: `query O($id: ID!) { order(id: $id) { id } }`, variables: { id: orderId } }, { client: staff });
    assert.equal(staffOrder.data?.order.id, orderId, "staff read their restaurant's orders, as the rules allow");

    const callable = callableError(await callError(alice.call(CALLABLES.banUser, { uid: bob.user.uid, reason: "fraud" })));
    const deadLetters = graphqlError(await graphql({ query: "{ deadLetters { id } }" }, { client: alice }));
    assert.deepEqual(deadLetters, { ...callable, fields: undefined });
    assert.equal(deadLetters.reason, "role-required");
    const adminUser = await signInWithRole("admin");
    clients.push(adminUser);
    const asAdmin = await graphql<{ deadLetters: unknown[]; flaggedOrders: unknown[] }>({ query: "{ deadLetters(first: 5) { id handler status } flaggedOrders(first: 5) { id attention { reason } } }" }, { client: adminUser });
    assert.equal(asAdmin.errors, undefined, JSON.stringify(asAdmin.errors));
    assert.ok(Array.isArray(asAdmin.data?.deadLetters) && Array.isArray(asAdmin.data?.flaggedOrders));
  });

  it("signed out, a bad ID token, a bad App Check token: refused as the callables refuse them", async () => {
    const anonymous = anonymousClient();
    clients.push(anonymous);
    const callable = callableError(await callError(anonymous.call(CALLABLES.updateProfile, { displayName: "x" })));
    const signedOut = graphqlError(await graphql({ query: "{ me { profile { uid } } }" }));
    assert.deepEqual(signedOut, callable);
    assert.deepEqual(signedOut, { code: "unauthenticated", reason: "sign-in-required", fields: undefined });

    const badToken = await graphql({ query: "{ me { profile { uid } } }" }, { headers: { authorization: "Bearer not-a-token" } });
    assert.equal(badToken.status, 401);
    assert.deepEqual(graphqlError(badToken), { code: "unauthenticated", reason: "invalid-token", fields: undefined });

    const badApp = await graphql({ query: "{ restaurantsNear(lat: 40.4, lng: -3.7) { edges { node { id } } } }" }, { headers: { "x-firebase-appcheck": "not-a-token" } });
    assert.equal(badApp.status, 401);
    assert.deepEqual(graphqlError(badApp), { code: "unauthenticated", reason: "app-check-required", fields: undefined });
  });
});

describe("me", () => {
  it("pages the caller's orders newest first, with profile and preferences", async () => {
    const carol = await newCustomer();
    const first = await placedOrder(carol);
    const second = await placedOrder(carol);
    const query = "query Me($after: String) { me { profile { uid } preferences { channels { orderUpdates { push sms } } quietHours { start } } orders(first: 1, after: $after) { edges { node { id status restaurant { name } } } pageInfo { hasNextPage endCursor } } } }";
    type Page = { me: { profile: { uid: string }; preferences: unknown; orders: { edges: { node: { id: string; restaurant: { name: string } } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } };
    const page1 = await graphql<Page>({ query }, { client: carol });
    assert.equal(page1.errors, undefined, JSON.stringify(page1.errors));
    assert.equal(page1.data?.me.profile.uid, carol.user.uid);
    assert.deepEqual(page1.data?.me.preferences, { channels: { orderUpdates: { push: true, sms: false } }, quietHours: null });
    assert.deepEqual(page1.data?.me.orders.edges.map((e) => e.node.id), [second]);
    const restaurant = await admin().db.doc("restaurants/demo-restaurant-1").get();
    assert.equal(page1.data?.me.orders.edges[0].node.restaurant.name, restaurant.get("name"));
    assert.equal(page1.data?.me.orders.pageInfo.hasNextPage, true);
    const page2 = await graphql<Page>({ query, variables: { after: page1.data?.me.orders.pageInfo.endCursor } }, { client: carol });
    assert.deepEqual(page2.data?.me.orders.edges.map((e) => e.node.id), [first]);
    assert.deepEqual(page2.data?.me.orders.pageInfo, { hasNextPage: false, endCursor: null });

    const badCursor = await graphql({ query, variables: { after: "bm90LWEtY3Vyc29y" } }, { client: carol });
    assert.deepEqual(graphqlError(badCursor), { code: "invalid-argument", reason: "invalid-request", fields: [{ path: "after", message: "Not a cursor this API issued; start again without it." }] });
  });
});

describe("GraphQL request guards and caching", () => {
  it("refuses a query over the cost limit before running it", async () => {
    const menu = MENU.slice(MENU.indexOf("{", MENU.indexOf("menu(")), MENU.lastIndexOf("}"));
    const fields = Array.from({ length: 40 }, (_, n) => `m${n}: menu(restaurantId: "demo-restaurant-1") ${menu}`).join(" ");
    const answer = await graphql({ query: `{ ${fields} }` });
    assert.equal(answer.data, undefined);
    assert.equal(answer.errors?.[0].extensions.code, "invalid-argument");
    assert.equal(answer.errors?.[0].extensions.reason, "query-too-costly");
  });

  it("automatic persisted queries: a hash alone is unknown, then registered with its query, then enough", async () => {
    const query = `{ restaurantsNear(lat: ${SOL.lat}, lng: ${SOL.lng}, first: 1) { edges { node { id } } } }`;
    const sha256Hash = createHash("sha256").update(query).digest("hex");
    const persistedQuery = { version: 1, sha256Hash };
    const unknown = await graphql({ extensions: { persistedQuery } });
    assert.equal(unknown.errors?.[0].message, "PersistedQueryNotFound");
    const registered = await graphql<{ restaurantsNear: { edges: unknown[] } }>({ query, extensions: { persistedQuery } });
    assert.equal(registered.data?.restaurantsNear.edges.length, 1);
    // A GET with only the hash: what a CDN can cache.
    const url = `${functionUrl("api-graphql")}?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery }))}`;
    const byHash = await fetch(url, { headers: { accept: "application/json" } });
    assert.deepEqual(await byHash.json(), { data: registered.data });
    assert.equal(byHash.headers.get("cache-control"), "public, max-age=30, s-maxage=60");
  });

  it("public catalog queries are cacheable by anyone; anything signed in is private", async () => {
    const near = await graphql({ query: RESTAURANTS_NEAR, variables: SOL });
    assert.equal(near.headers.get("cache-control"), "public, max-age=30, s-maxage=60");
    const menu = await graphql({ query: MENU, variables: { restaurantId: "demo-restaurant-1" } });
    assert.equal(menu.headers.get("cache-control"), "public, max-age=60, s-maxage=120");
    const signedIn = await graphql({ query: RESTAURANTS_NEAR, variables: SOL }, { client: alice });
    assert.equal(signedIn.headers.get("cache-control"), "private, no-store");
    const me = await graphql({ query: "{ me { profile { uid } } }" }, { client: alice });
    assert.equal(me.headers.get("cache-control"), "private, no-store");
    const failed = await graphql({ query: MENU, variables: { restaurantId: "no-such-restaurant" } });
    assert.equal(failed.headers.get("cache-control"), "private, no-store", "an error is not cached");
  });
});

describe("orderUpdated over server-sent events", () => {
  it("streams the order as the restaurant moves it, to its customer only", async () => {
    const erin = await newCustomer();
    const orderId = await placedOrder(erin);
    const staff = await signInWithRole("staff", ["demo-restaurant-1"]);
    clients.push(staff);
    const subscription = `subscription S($id: ID!) { orderUpdated(id: $id) { id status version } }`;

    const refused = await openStream(bob, subscription, { id: orderId });
    const refusal = await refused.next();
    refused.close();
    assert.equal(refusal.errors?.[0].extensions.code, "permission-denied");

    const stream = await openStream(erin, subscription, { id: orderId });
    try {
      const first = await stream.next();
      assert.deepEqual(first.data, { orderUpdated: { id: orderId, status: "placed", version: 1 } });
      const accepted = await graphql({ query: "mutation A($input: RestaurantOrderActionInput!) { restaurantOrderAction(input: $input) { status } }", variables: { input: { orderId, action: "accept" } } }, { client: staff });
      assert.deepEqual(accepted.data, { restaurantOrderAction: { status: "accepted" } });
      let event = await stream.next();
      while ((event.data as { orderUpdated: { status: string } } | undefined)?.orderUpdated.status === "placed") event = await stream.next();
      assert.deepEqual(event.data, { orderUpdated: { id: orderId, status: "accepted", version: 2 } });
    } finally {
      stream.close();
    }
  });
});

interface StreamEvent {
  data?: unknown;
  errors?: { extensions: Record<string, unknown> }[];
}

/** Opens a subscription as an SSE stream; `next()` resolves with each `next` event's payload. */
async function openStream(client: AppClient, query: string, variables: Record<string, unknown>) {
  const controller = new AbortController();
  const response = await fetch(functionUrl("api-graphql"), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${await client.user.getIdToken()}` },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(timeoutMs = 20_000): Promise<StreamEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
          if (block.includes("event: next") && data) return JSON.parse(data) as StreamEvent;
          if (block.includes("event: complete")) throw new Error("the stream completed");
          continue;
        }
        if (Date.now() > deadline) throw new Error(`no event within ${timeoutMs} ms; buffered: ${buffer}`);
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`the stream ended; buffered: ${buffer}`);
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    close: () => controller.abort(),
  };
}
