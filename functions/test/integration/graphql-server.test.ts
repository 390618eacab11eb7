/**
 * The GraphQL server in-process (against the emulators, with the Auth emulator's ID tokens), for
 * what needs the server's options or this process's view of Firestore: the reads a menu and an
 * orders page cost (no N+1), the depth limit, App Check on the public catalog reads, and
 * MIN_APP_VERSION (set for one test here, as the emulator serves every app).
 */
import assert from "node:assert/strict";
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it, mock } from "node:test";
import { DocumentReference } from "firebase-admin/firestore";
import { APP_VERSION_HEADER, APP_VERSION_KEY } from "../../src/contract";
import { startProbe } from "../../src/diagnostics/start-probe.function";
import { minAppVersion } from "../../src/shared/params";
import { createGraphqlServer, MAX_COST, type GraphqlServerOptions } from "../../src/graphql/server";
import { firebaseVerifiers } from "../../src/graphql/gateway";
import { trattoriaCart } from "../support/checkout";
import { writeDeliveredOrders } from "../support/order-history";
import { admin, signUp, type AppClient } from "../support/emulators";
import { graphql, graphqlError, MENU, PLACE_ORDER, RESTAURANTS_NEAR, type GraphqlAnswer } from "../support/graphql";
import { readsDuring, type Read } from "../support/reads";

const servers: Server[] = [];
let customer: AppClient;
let url: string;
const orderIds: string[] = [];

/** Serves a GraphQL server built with `options` (no catalog cache, no rate limit unless told) on a free port. */
async function serve(options: Partial<GraphqlServerOptions> = {}): Promise<string> {
  const yoga = createGraphqlServer({ publicRateLimit: "none", appCheckEnforced: () => false, cacheTtlMs: 0, ...options });
  const server = createServer((req, res) => void yoga(req as never, res as never));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

before(async () => {
  customer = await signUp();
  url = await serve();
  // Six orders of the customer's from three restaurants, made directly: the page reads them back.
  orderIds.push(...(await writeDeliveredOrders(customer.user.uid, 6)));
});

after(async () => {
  await customer.close();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** The reads of collections the answer is made of (the gateway's own, rate limit and profile, are not the query's). */
const readsOf = (reads: Read[], collections: string[]) => reads.filter((r) => r.collection && collections.includes(r.collection));

describe("GraphQL reads (no N+1)", () => {
  it("a menu costs the restaurant's document and two queries, however many items it has", async () => {
    let items = 0;
    const reads = await readsDuring(async () => {
      const answer = await graphql<{ menu: { categories: { items: unknown[] }[] } }>({ query: MENU, variables: { restaurantId: "demo-restaurant-1" } }, { url });
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      items = answer.data!.menu.categories.reduce((sum, c) => sum + c.items.length, 0);
    });
    assert.ok(items > 5, "the demo trattoria has a menu");
    const menuReads = readsOf(reads, ["restaurants", "categories", "items"]);
    assert.ok(menuReads.length <= 3, `a menu of ${items} items took ${menuReads.length} reads: ${JSON.stringify(menuReads)}`);
    assert.deepEqual(menuReads.map((r) => r.kind).sort(), ["document", "query", "query"]);
  });

  it("a page of orders with their restaurants costs one query and one getAll", async () => {
    const query = "{ me { orders(first: 6) { edges { node { id status restaurant { id name } } } } } }";
    let names: string[] = [];
    const reads = await readsDuring(async () => {
      const answer = await graphql<{ me: { orders: { edges: { node: { restaurant: { name: string } } }[] } } }>({ query }, { client: customer, url });
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      names = answer.data!.me.orders.edges.map((e) => e.node.restaurant.name);
    });
    assert.equal(names.length, 6);
    const pageReads = readsOf(reads, ["orders", "restaurants"]);
    assert.deepEqual(
      pageReads.map(({ kind, collection, documents }) => ({ kind, collection, documents })),
      [
        { kind: "query", collection: "orders", documents: 6 },
        { kind: "getAll", collection: "restaurants", documents: 3 },
      ],
      `an orders page must cost at most one query and one getAll: ${JSON.stringify(pageReads)}`,
    );
  });
});

describe("GraphQL limits and App Check, in-process", () => {
  it("refuses a query deeper than the limit before reading anything", async () => {
    const shallow = await serve({ limits: { maxDepth: 4, maxCost: MAX_COST } });
    const reads = await readsDuring(async () => {
      const answer = await graphql({ query: MENU, variables: { restaurantId: "demo-restaurant-1" } }, { url: shallow });
      assert.equal(answer.data, undefined);
      assert.equal(answer.errors?.[0].extensions.code, "invalid-argument");
      assert.equal(answer.errors?.[0].extensions.reason, "query-too-deep");
    });
    assert.deepEqual(readsOf(reads, ["restaurants", "categories", "items"]), []);
  });

  it("with App Check enforced, a public read needs a valid App Check token", async () => {
    const verifiers = { ...firebaseVerifiers, verifyAppCheckToken: async (token: string) => {
      if (token !== "valid-app-token") throw new Error("invalid");
      return { appId: "app", token: {} as never };
    } };
    const enforced = await serve({ appCheckEnforced: () => true, verifiers });
    const variables = { lat: 40.4168, lng: -3.7038, first: 1 };
    assert.deepEqual(graphqlError(await graphql({ query: RESTAURANTS_NEAR, variables }, { url: enforced })), { code: "unauthenticated", reason: "app-check-required", fields: undefined });
    const verified = await graphql<{ restaurantsNear: { edges: unknown[] } }>({ query: RESTAURANTS_NEAR, variables }, { url: enforced, headers: { "x-firebase-appcheck": "valid-app-token" } });
    assert.equal(verified.data?.restaurantsNear.edges.length, 1);
  });

  it("the public catalog reads have the catalog API's limit per client address", async () => {
    const limited = await serve({ publicRateLimit: { max: 2, windowSeconds: 60 } });
    const variables = { lat: 40.4168, lng: -3.7038, first: 1 };
    for (let n = 0; n < 2; n += 1) assert.equal((await graphql({ query: RESTAURANTS_NEAR, variables }, { url: limited })).errors, undefined);
    const refused = await graphql({ query: RESTAURANTS_NEAR, variables }, { url: limited });
    assert.deepEqual(graphqlError(refused), { code: "resource-exhausted", reason: "rate-limited", fields: undefined });
    assert.ok(Number(refused.errors?.[0].extensions.retryAfterSeconds) > 0);
  });
});

describe("GraphQL and MIN_APP_VERSION (the x-app-version header), in-process", () => {
  /** The refusal's extensions as the callable's details compare. */
  const refusal = (answer: GraphqlAnswer) => {
    assert.equal(answer.data ?? undefined, undefined, "nothing was answered");
    const { code, reason, minAppVersion: min, fields } = answer.errors?.[0]?.extensions ?? {};
    return { code, reason, minAppVersion: min, fields: (fields as { path: string }[] | undefined)?.map((f) => f.path) };
  };

  it("tells an older app, or one sending no version, to update, on every field, and serves a current one", async (t) => {
    const previous = process.env.MIN_APP_VERSION;
    process.env.MIN_APP_VERSION = "1.2.0";
    t.after(() => (previous === undefined ? delete process.env.MIN_APP_VERSION : (process.env.MIN_APP_VERSION = previous)));
    const gated = await serve({ minAppVersion: () => minAppVersion.value() });
    const token = await customer.user.getIdToken();
    const me = (version?: string) =>
      graphql<{ me: { profile: { uid: string } } }>({ query: "{ me { profile { uid } } }" }, { url: gated, headers: { authorization: `Bearer ${token}`, ...(version ? { [APP_VERSION_HEADER]: version } : {}) } });
    const expected = { code: "failed-precondition", reason: "app-update-required", minAppVersion: "1.2.0", fields: [APP_VERSION_HEADER] };
    const older = await me("1.1.9");
    assert.deepEqual(refusal(older), expected, "an older app is told to update");
    assert.equal(older.status, 400, "with the HTTP status a callable answers failed-precondition with");
    assert.deepEqual(refusal(await me()), expected, "an app sending no version is told to update");
    const near = await graphql({ query: RESTAURANTS_NEAR, variables: { lat: 40.4168, lng: -3.7038, first: 1 } }, { url: gated, headers: { [APP_VERSION_HEADER]: "1.1.9" } });
    assert.deepEqual(refusal(near), expected, "the public catalog reads are gated too");
    const malformed = await me("v1");
    assert.deepEqual(refusal(malformed), { code: "invalid-argument", reason: "invalid-request", minAppVersion: undefined, fields: [APP_VERSION_HEADER] });

    const current = await me("1.2.0");
    assert.equal(current.errors, undefined, JSON.stringify(current.errors));
    assert.equal(current.data?.me.profile.uid, customer.user.uid);
  });

  it("answers an outdated app as the callable does: same code, reason and minimum, and places no order", async (t) => {
    const previous = process.env.MIN_APP_VERSION;
    process.env.MIN_APP_VERSION = "1.2.0";
    t.after(() => (previous === undefined ? delete process.env.MIN_APP_VERSION : (process.env.MIN_APP_VERSION = previous)));
    const gated = await serve({ minAppVersion: () => minAppVersion.value() });
    const callable = (await startProbe
      .run({ data: { [APP_VERSION_KEY]: "1.1.9" }, auth: { uid: customer.user.uid, token: { uid: customer.user.uid } }, rawRequest: { headers: {}, ip: "127.0.0.1" } } as never)
      .then(
        () => assert.fail("the callable served an outdated app"),
        (e: unknown) => e,
      )) as { code: string; details: { reason?: string; minAppVersion?: string; fields?: { path: string }[] } };
    const answer = await graphql({ query: PLACE_ORDER, variables: { input: trattoriaCart("cash") } }, { url: gated, headers: { authorization: `Bearer ${await customer.user.getIdToken()}`, [APP_VERSION_HEADER]: "1.1.9" } });
    const { fields, ...graphqlSide } = refusal(answer);
    assert.deepEqual(graphqlSide, { code: callable.code, reason: callable.details.reason, minAppVersion: callable.details.minAppVersion });
    assert.deepEqual([fields, callable.details.fields?.map((f) => f.path)], [[APP_VERSION_HEADER], [APP_VERSION_KEY]], "each names where its version travels");
    const orders = await admin().db.collection("orders").where("customerUid", "==", customer.user.uid).where("paymentMethod", "==", "cash").get();
    assert.equal(orders.size, orderIds.length, "no order was placed for the outdated app");
  });
});

describe("orderUpdated's Firestore listener", () => {
  it("is opened for the stream and closed when the client disconnects", async () => {
    const listening = { opened: 0, closed: 0 };
    const onSnapshot = DocumentReference.prototype.onSnapshot;
    const watch = mock.method(DocumentReference.prototype, "onSnapshot", function (this: DocumentReference, ...args: Parameters<DocumentReference["onSnapshot"]>) {
      listening.opened += 1;
      const unsubscribe = onSnapshot.apply(this, args);
      return () => {
        listening.closed += 1;
        unsubscribe();
      };
    });
    try {
      const controller = new AbortController();
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${await customer.user.getIdToken()}` },
        body: JSON.stringify({ query: "subscription S($id: ID!) { orderUpdated(id: $id) { id status } }", variables: { id: orderIds[0] } }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      let seen = "";
      while (!seen.includes("event: next")) seen += new TextDecoder().decode((await reader.read()).value);
      assert.match(seen, /"status":"delivered"/);
      assert.deepEqual(listening, { opened: 1, closed: 0 });
      controller.abort();
      const deadline = Date.now() + 5_000;
      while (listening.closed === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(listening, { opened: 1, closed: 1 }, "the listener closes with the stream");
    } finally {
      watch.mock.restore();
    }
  });
});
