/**
 * The client package as an app meets it: packages/example-app imports the BUILT
 * `@food-delivery/client` (dist, through the workspace link) and the `firebase` JS SDK, and must
 * type-check against it; then it runs its journey against the emulators in a process of its own
 * (sign up, verify a phone, browse, check out cash with `call`, which refuses an empty cart before
 * sending it and attaches the contract version, follow the order with a listener parsed by
 * `OrderDocument` while the restaurant's app accepts and prepares it), and again through GraphQL
 * with the package's typed documents and fetch (browse, a menu, placeOrder with an idempotency
 * key, the orderUpdated subscription beside a listener, `me`).
 *
 * The package is built first when dist is missing or older than its sources, as on a fresh clone.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { APP_VERSION_HEADER, CONTRACT_VERSION, CourierDocument, OrderDocument, ProfileDocument, RestaurantBoardEntry } from "../../src/contract";
import { admin, functionUrl, PROJECT_ID, randomPhone } from "../support/emulators";
import { eventually } from "../support/workflow";

const REPO = join(__dirname, "..", "..", "..");
const CLIENT = join(REPO, "packages", "client");
const EXAMPLE_APP = join(REPO, "packages", "example-app");

/** What the build generates into src (the staged contract, the typed documents): not sources. */
const GENERATED = (file: string) => file.startsWith("contract") || file === "graphql.ts";

function newestSource(): number {
  const dirs = [join(REPO, "functions", "src", "contract"), join(CLIENT, "src")];
  const files = dirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts") && !GENERATED(file))
      .map((file) => join(dir, file)),
  );
  const graphql = [join(REPO, "functions", "src", "graphql", "schema.graphql"), join(CLIENT, "graphql", "operations.graphql")];
  return Math.max(...[...files, ...graphql, join(CLIENT, "scripts", "build.mjs"), join(CLIENT, "tsconfig.build.json"), join(CLIENT, "package.json")].map((file) => statSync(file).mtimeMs));
}

/** The modules the built package's files import, other than its own (relative) files. */
function packageImports(extension: ".js" | ".d.ts"): Set<string> {
  const dist = join(CLIENT, "dist");
  const found = new Set<string>();
  for (const file of readdirSync(dist, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(extension))) {
    const text = readFileSync(join(dist, file), "utf8");
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g)) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? match[4];
      if (!specifier.startsWith(".")) found.add(specifier);
    }
  }
  return found;
}

/** Builds the package unless dist is newer than everything it is built from. */
function ensureBuilt(): void {
  const built = join(CLIENT, "dist", "index.js");
  if (existsSync(built) && statSync(built).mtimeMs > newestSource()) return;
  const build = spawnSync(process.execPath, [join(CLIENT, "scripts", "build.mjs")], { cwd: REPO, encoding: "utf8" });
  assert.equal(build.status, 0, `the client package did not build:\n${build.stdout}${build.stderr}`);
}

interface JourneyOutput {
  uid: string;
  restaurantsSeen: number;
  orderId: string;
  correlationId: string;
  statuses: string[];
  customerMoves: string[];
  refusedFields: string[];
  sentVersion: unknown;
  graphql: {
    restaurantsSeen: number;
    menuItems: number;
    orderId: string;
    replayedOrderId: string;
    streamed: string[];
    listened: string[];
    meUid: string;
    meOrderStatus: string | undefined;
    sentVersions: (string | undefined)[];
  };
  client: string;
}

function runJourney(phone: string): Promise<{ code: number | null; output: string }> {
  const functions = new URL(functionUrl("x")).host;
  const child = spawn(process.execPath, ["--import", "tsx", join(EXAMPLE_APP, "src", "main.ts")], {
    cwd: EXAMPLE_APP,
    env: { ...process.env, FUNCTIONS_EMULATOR_ORIGIN: functions, GCLOUD_PROJECT: PROJECT_ID, JOURNEY_PHONE: phone },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

describe("example app on the built client package", () => {
  before(ensureBuilt);

  it("type-checks against the package's declarations and the firebase SDK", () => {
    const tsc = spawnSync(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", join(EXAMPLE_APP, "tsconfig.json")], { cwd: REPO, encoding: "utf8" });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  });

  it("imports zod alone at run time, and the typed documents' types from @graphql-typed-document-node/core", () => {
    assert.deepEqual([...packageImports(".js")].sort(), ["zod"]);
    assert.deepEqual([...packageImports(".d.ts")].sort(), ["@graphql-typed-document-node/core", "zod"]);
    const built = readFileSync(join(CLIENT, "dist", "graphql.js"), "utf8");
    assert.match(built, /export const PlaceOrderDocument = new TypedDocumentString\(`\s*mutation PlaceOrder\(/, "the typed documents are in the package");
  });

  it("signs up, browses, checks out cash and follows the order to preparing, through callables and through GraphQL", async () => {
    const phone = randomPhone();
    const { code, output } = await runJourney(phone);
    assert.equal(code, 0, output);
    const line = output.split("\n").find((l) => l.startsWith("journey "));
    assert.ok(line, output);
    const journey = JSON.parse(line.slice("journey ".length)) as JourneyOutput;

    assert.match(journey.client, /packages\/client\/dist\/index\.js$/, "the app ran on the built package");
    assert.ok(journey.restaurantsSeen >= 1);
    assert.deepEqual(journey.statuses, ["placed", "accepted", "preparing"], "every status, in order, each parsed by OrderDocument");
    assert.deepEqual(journey.customerMoves, [], "after acceptance the customer may no longer cancel");
    assert.deepEqual(journey.refusedFields, ["lines"], "an empty cart was refused on the phone, not sent");
    assert.equal(journey.sentVersion, CONTRACT_VERSION, "every call carries the contract version");

    // What the server wrote is what the app was told.
    const order = await admin().db.collection("orders").doc(journey.orderId).get();
    assert.equal(order.get("customerUid"), journey.uid);
    assert.equal(order.get("paymentMethod"), "cash");
    assert.equal(order.get("status"), "preparing");
    assert.equal(order.get("correlationId"), journey.correlationId);
    // The documents the server wrote for this journey parse with the package's schemas.
    assert.equal(OrderDocument.parse(order.data()).status, "preparing");
    const profile = ProfileDocument.parse((await admin().db.collection("users").doc(journey.uid).get()).data());
    assert.equal(profile.phone, phone);
    assert.equal(profile.phoneVerified, true);
    assert.deepEqual(profile.notificationPreferences?.channels.promotions, { push: true, sms: false, email: false });
    // The board follows the order's events, a moment behind it.
    const entryRef = admin().db.collection("restaurantBoards").doc("demo-restaurant-1").collection("openOrders").doc(journey.orderId);
    const entry = await eventually("the board entry at preparing", async () => {
      const data = (await entryRef.get()).data();
      return data?.status === "preparing" && data;
    });
    assert.equal(RestaurantBoardEntry.parse(entry).orderId, journey.orderId);

    // The GraphQL leg: the same journey through api-graphql with the package's typed documents.
    const viaGraphql = journey.graphql;
    assert.deepEqual(viaGraphql.sentVersions, [CONTRACT_VERSION], `every GraphQL request carries ${APP_VERSION_HEADER}`);
    assert.ok(viaGraphql.restaurantsSeen >= 1 && viaGraphql.menuItems > 0, "browsed and read a menu over GraphQL");
    assert.notEqual(viaGraphql.orderId, journey.orderId, "a second order, placed over GraphQL");
    assert.equal(viaGraphql.replayedOrderId, viaGraphql.orderId, "the same idempotency key answered the same order");
    assert.deepEqual(viaGraphql.streamed, ["placed", "accepted", "preparing"], "the subscription streamed every status, in order");
    assert.deepEqual(viaGraphql.streamed, viaGraphql.listened, "the subscription and the Firestore listener saw the same statuses");
    assert.equal(viaGraphql.meUid, journey.uid);
    assert.equal(viaGraphql.meOrderStatus, "preparing", "me { orders } shows the order where the stream left it");
    const graphqlOrder = await admin().db.collection("orders").doc(viaGraphql.orderId).get();
    assert.equal(graphqlOrder.get("customerUid"), journey.uid);
    assert.equal(OrderDocument.parse(graphqlOrder.data()).status, "preparing");
    const customerOrders = await admin().db.collection("orders").where("customerUid", "==", journey.uid).get();
    assert.deepEqual(customerOrders.docs.map((d) => d.id).sort(), [journey.orderId, viaGraphql.orderId].sort(), "placeOrder sent twice made one order");

    const courier = await admin().auth.getUserByEmail("courier@demo.test");
    assert.equal(CourierDocument.parse((await admin().db.collection("couriers").doc(courier.uid).get()).data()).uid, courier.uid);
  });
});
