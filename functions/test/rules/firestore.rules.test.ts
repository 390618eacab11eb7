/**
 * firestore.rules as a matrix: every principal x every collection x every operation, each cell
 * asserted. Runs against the Firestore emulator with @firebase/rules-unit-testing, in a project
 * of its own so it never touches the integration tier's data.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { collection, deleteDoc, doc, getCountFromServer, getDoc, getDocs, query, setDoc, updateDoc, where, type Firestore } from "firebase/firestore";
import { contactOf, DELIVERY_CONTACT_FIELDS, openDelivery, orderCustomerFields } from "../../src/orders/personal-data";

type Principal = "unauthenticated" | "customerA" | "customerB" | "staffR1" | "staffR2" | "courier" | "admin";
const PRINCIPALS: Record<Principal, { uid: string; claims: Record<string, unknown> } | null> = {
  unauthenticated: null,
  customerA: { uid: "customer-a", claims: {} },
  customerB: { uid: "customer-b", claims: { role: "customer" } },
  staffR1: { uid: "staff-r1", claims: { role: "staff", restaurantIds: ["r1"] } },
  staffR2: { uid: "staff-r2", claims: { role: "staff", restaurantIds: ["r2"] } },
  courier: { uid: "courier-1", claims: { role: "courier" } },
  admin: { uid: "admin-1", claims: { role: "admin" } },
};

type Operation = "get" | "list" | "create" | "update" | "delete";
const OPERATIONS: Operation[] = ["get", "list", "create", "update", "delete"];

interface CollectionCase {
  /** Path of the collection the seeded document lives in. */
  collection: string;
  /** Seeded document every principal is tried against. */
  seed: { id: string; data: Record<string, unknown> };
  /** The list query a principal runs (filtered as the app would filter). */
  listQuery?: (db: Firestore) => ReturnType<typeof query>;
  /** Principals allowed each operation; anything not listed must be denied. */
  allowed: Partial<Record<Operation, Principal[]>>;
}

const EVERYONE = Object.keys(PRINCIPALS) as Principal[];
const SERVER_ONLY: CollectionCase["allowed"] = {};
const serverOnly = (collection: string): CollectionCase => ({ collection, seed: { id: "doc", data: { a: 1 } }, allowed: SERVER_ONLY });

const openingHours = { timeZone: "Europe/Madrid", weekly: {} };

/** Documents the cases refer to besides their own seed (parents that rules read). */
const PARENTS: { path: string; data: Record<string, unknown> }[] = [
  { path: "restaurants/r1", data: { name: "R1", published: true, openingHours } },
  { path: "restaurants/r2", data: { name: "R2", published: false, openingHours } },
];

const COLLECTIONS: Record<string, CollectionCase> = {
  "users (own profile of customer A)": {
    collection: "users",
    seed: { id: "customer-a", data: { uid: "customer-a", role: "customer", displayName: "A" } },
    listQuery: (db) => query(collection(db, "users")),
    allowed: { get: ["customerA", "admin"], list: ["admin"] },
  },
  "restaurants (published)": {
    collection: "restaurants",
    seed: { id: "r1", data: { name: "R1", published: true, openingHours } },
    listQuery: (db) => query(collection(db, "restaurants"), where("published", "==", true)),
    allowed: { get: EVERYONE, list: EVERYONE },
  },
  "restaurants (unpublished, of R2)": {
    collection: "restaurants",
    seed: { id: "r2", data: { name: "R2", published: false, openingHours } },
    listQuery: (db) => query(collection(db, "restaurants"), where("published", "==", false)),
    allowed: { get: ["staffR2", "admin"], list: ["admin"] },
  },
  "categories (of published R1)": {
    collection: "restaurants/r1/categories",
    seed: { id: "c1", data: { name: "Pizzas", position: 0 } },
    allowed: { get: EVERYONE, list: EVERYONE },
  },
  "items (of published R1)": {
    collection: "restaurants/r1/items",
    seed: { id: "i1", data: { name: "Margherita", price: { amount: 950, currency: "EUR" } } },
    allowed: { get: EVERYONE, list: EVERYONE },
  },
  "items (of unpublished R2)": {
    collection: "restaurants/r2/items",
    seed: { id: "i2", data: { name: "Secret", price: { amount: 100, currency: "EUR" } } },
    allowed: { get: ["staffR2", "admin"], list: ["staffR2", "admin"] },
  },
  "orders (of customer A at R1, courier assigned)": {
    collection: "orders",
    seed: { id: "o1", data: { customerUid: "customer-a", restaurantId: "r1", courierUid: "courier-1", total: { amount: 1500, currency: "EUR" } } },
    listQuery: (db) => query(collection(db, "orders"), where("customerUid", "==", "customer-a")),
    allowed: { get: ["customerA", "staffR1", "courier", "admin"], list: ["customerA", "admin"] },
  },
  "orders private contact (of customer A's order)": {
    collection: "orders/o1/private",
    seed: { id: "contact", data: { name: "A Customer", email: "a@example.test", phone: "+34600000001", address: { line1: "1 Street" } } },
    allowed: { get: ["customerA", "admin"] },
  },
  "receipts (of customer A's order at R1)": {
    collection: "receipts",
    seed: { id: "o1", data: { orderId: "o1", customerUid: "customer-a", restaurantId: "r1", number: "R-o1", total: 1500 } },
    listQuery: (db) => query(collection(db, "receipts"), where("customerUid", "==", "customer-a")),
    allowed: { get: ["customerA", "staffR1", "admin"], list: ["customerA", "admin"] },
  },
  "invoices (of customer A's order at R1)": {
    collection: "invoices",
    seed: { id: "o1", data: { orderId: "o1", customerUid: "customer-a", restaurantId: "r1", number: 1, buyer: { legalName: "A S.L.", taxId: "ESB12345678" } } },
    listQuery: (db) => query(collection(db, "invoices"), where("customerUid", "==", "customer-a")),
    allowed: { get: ["customerA", "staffR1", "admin"], list: ["customerA", "admin"] },
  },
  "deliveries (open, of courier-1)": {
    collection: "deliveries",
    seed: { id: "o1", data: { orderId: "o1", courierUid: "courier-1", status: "open", name: "A Customer", phone: "+34600000001", address: { line1: "1 Street" } } },
    listQuery: (db) => query(collection(db, "deliveries"), where("courierUid", "==", "courier-1"), where("status", "==", "open")),
    allowed: { get: ["courier", "admin"], list: ["courier", "admin"] },
  },
  "probes (of customer A)": {
    collection: "probes",
    seed: { id: "probe-a", data: { uid: "customer-a", status: "started", correlationId: "c-1", hops: {} } },
    listQuery: (db) => query(collection(db, "probes"), where("uid", "==", "customer-a")),
    allowed: { get: ["customerA", "admin"], list: ["customerA", "admin"] },
  },
  "restaurantBoards (R1's open orders)": {
    collection: "restaurantBoards/r1/openOrders",
    seed: { id: "o1", data: { orderId: "o1", status: "placed", version: 2 } },
    listQuery: (db) => query(collection(db, "restaurantBoards/r1/openOrders")),
    allowed: { get: ["staffR1", "admin"], list: ["staffR1", "admin"] },
  },
  "couriers (courier-1's own status)": {
    collection: "couriers",
    seed: { id: "courier-1", data: { uid: "courier-1", available: true, offer: null } },
    listQuery: (db) => query(collection(db, "couriers")),
    allowed: { get: ["courier", "admin"], list: ["admin"] },
  },
  "restaurantReports days (R1's day)": {
    collection: "restaurantReports/r1/days",
    seed: { id: "2026-11-30", data: { restaurantId: "r1", day: "2026-11-30", orders: 3, revenue: 4200 } },
    listQuery: (db) => query(collection(db, "restaurantReports/r1/days")),
    allowed: { get: ["staffR1", "admin"], list: ["staffR1", "admin"] },
  },
  "paymentReports shards (a day's payments)": {
    collection: "paymentReports/2026-11-30/shards",
    seed: { id: "0", data: { day: "2026-11-30", shard: 0, card: { EUR: { capturedCount: 1, capturedAmount: 1500 } } } },
    listQuery: (db) => query(collection(db, "paymentReports/2026-11-30/shards")),
    allowed: { get: ["admin"], list: ["admin"] },
  },
  reportContributions: serverOnly("reportContributions"),
  notificationRequests: serverOnly("notificationRequests"),
  invoiceCounters: serverOnly("invoiceCounters"),
  devices: serverOnly("devices"),
  pushTargets: serverOnly("pushTargets"),
  "notifications (the ledger, for the operator console)": {
    collection: "notifications",
    seed: { id: "e1__push__customer-a", data: { uid: "customer-a", orderId: "o1", channel: "push", status: "sent" } },
    listQuery: (db) => query(collection(db, "notifications"), where("orderId", "==", "o1")),
    allowed: { get: ["admin"], list: ["admin"] },
  },
  smsOptOuts: serverOnly("smsOptOuts"),
  smsUsage: serverOnly("smsUsage"),
  smsNumberUsage: serverOnly("smsNumberUsage"),
  "smsBudget budgetShards": serverOnly("smsBudget/2026113002/budgetShards"),
  "phoneHolders (operators' view of cycled numbers)": {
    collection: "phoneHolders",
    seed: { id: "hash-1", data: { accounts: 4, flagged: true, holders: { "uid-hash-1": 1 } } },
    listQuery: (db) => query(collection(db, "phoneHolders"), where("flagged", "==", true)),
    allowed: { get: ["admin"], list: ["admin"] },
  },
  "smsBudget (hours that ran out)": {
    collection: "smsBudget",
    seed: { id: "2026113002", data: { exhausted: true, budget: 2000, refused: 3 } },
    listQuery: (db) => query(collection(db, "smsBudget"), where("exhausted", "==", true)),
    allowed: { get: ["admin"], list: ["admin"] },
  },
  "opsAlerts (stuck work, for operators)": {
    collection: "opsAlerts",
    seed: { id: "dead-letter:d1", data: { kind: "dead-letter", sourceId: "d1", state: "open", status: "open" } },
    listQuery: (db) => query(collection(db, "opsAlerts"), where("status", "==", "open")),
    allowed: { get: ["admin"], list: ["admin"] },
  },
  "riskDecisions (fraud-rule decisions, for admins)": {
    collection: "riskDecisions",
    seed: { id: "checkout-o1", data: { kind: "checkout", decision: "hold", orderId: "o1", subject: "0123abcd", tripped: ["orders-per-address"], checks: [] } },
    listQuery: (db) => query(collection(db, "riskDecisions"), where("decision", "==", "hold")),
    allowed: { get: ["admin"], list: ["admin"] },
  },
  "riskCounters hours": serverOnly("riskCounters/ordersByAddress-0123abcd/hours"),
  "broadcasts (for the operator console)": {
    collection: "broadcasts",
    seed: { id: "b1", data: { status: "stalled", batchesDone: 2 } },
    listQuery: (db) => query(collection(db, "broadcasts"), where("status", "==", "stalled")),
    allowed: { get: ["admin"], list: ["admin"] },
  },
  "broadcasts batches": serverOnly("broadcasts/b1/batches"),
  "restaurantAudiences customers": serverOnly("restaurantAudiences/r1/customers"),
  devOutbox: serverOnly("devOutbox"),
  inventory: serverOnly("inventory"),
  payments: serverOnly("payments"),
  idempotencyKeys: serverOnly("idempotencyKeys"),
  stockMovements: serverOnly("stockMovements"),
  stockReservations: serverOnly("stockReservations"),
  promotions: serverOnly("promotions"),
  promoRedemptions: serverOnly("promoRedemptions"),
  paymentCustomers: serverOnly("paymentCustomers"),
  outbox: serverOnly("outbox"),
  rateLimits: serverOnly("rateLimits"),
  processedEvents: serverOnly("processedEvents"),
  "deadLetters (for the operator console)": {
    collection: "deadLetters",
    seed: { id: "payments-settlePayment__t1", data: { handler: "payments-settlePayment", source: "task", status: "open", attempts: 5, payload: { data: { orderId: "o1" } } } },
    listQuery: (db) => query(collection(db, "deadLetters"), where("status", "==", "open")),
    allowed: { get: ["admin"], list: ["admin"] },
  },
  auditLog: serverOnly("auditLog"),
  bans: serverOnly("bans"),
  bannedIdentities: serverOnly("bannedIdentities"),
  // A collection nobody declared: deny by default.
  somethingNew: serverOnly("somethingNew"),
};

let env: RulesTestEnvironment;

before(async () => {
  const [host, port] = (process.env.FIRESTORE_EMULATOR_HOST ?? "127.0.0.1:8080").split(":");
  env = await initializeTestEnvironment({
    projectId: "demo-rules-matrix",
    firestore: { rules: readFileSync(join(__dirname, "..", "..", "..", "firestore.rules"), "utf8"), host, port: Number(port) },
  });
});

after(() => env?.cleanup());

beforeEach(async () => {
  await env.clearFirestore();
  await env.withSecurityRulesDisabled(async (context) => {
    const db = context.firestore();
    for (const parent of PARENTS) await setDoc(doc(db, parent.path), parent.data);
    for (const c of Object.values(COLLECTIONS)) await setDoc(doc(db, c.collection, c.seed.id), c.seed.data);
  });
});

function dbFor(principal: Principal): Firestore {
  const who = PRINCIPALS[principal];
  const context = who ? env.authenticatedContext(who.uid, who.claims) : env.unauthenticatedContext();
  return context.firestore() as unknown as Firestore;
}

function attempt(db: Firestore, c: CollectionCase, operation: Operation): Promise<unknown> {
  const ref = doc(db, c.collection, c.seed.id);
  switch (operation) {
    case "get":
      return getDoc(ref);
    case "list":
      return getDocs(c.listQuery ? c.listQuery(db) : collection(db, c.collection));
    case "create":
      return setDoc(doc(db, c.collection, "new-doc"), { ...c.seed.data, uid: "customer-a" });
    case "update":
      return updateDoc(ref, { tampered: true });
    case "delete":
      return deleteDoc(ref);
  }
}

for (const [name, c] of Object.entries(COLLECTIONS)) {
  describe(`rules: ${name}`, () => {
    for (const principal of Object.keys(PRINCIPALS) as Principal[]) {
      const allowedOps = OPERATIONS.filter((op) => c.allowed[op]?.includes(principal));
      it(`${principal}: may ${allowedOps.join(", ") || "nothing"}`, async () => {
        const db = dbFor(principal);
        for (const operation of OPERATIONS) {
          const outcome = attempt(db, c, operation);
          if (allowedOps.includes(operation)) await assertSucceeds(outcome);
          else await assertFails(outcome);
        }
      });
    }
  });
}

describe("rules: beyond the matrix", () => {
  it("a customer cannot give themselves a role or change a price (mass assignment)", async () => {
    await assertFails(updateDoc(doc(dbFor("customerA"), "users/customer-a"), { role: "admin" }));
    await assertFails(setDoc(doc(dbFor("customerA"), "users/customer-a"), { uid: "customer-a", role: "admin" }));
    await assertFails(updateDoc(doc(dbFor("customerA"), "restaurants/r1/items/i1"), { price: { amount: 1, currency: "EUR" } }));
    await assertFails(updateDoc(doc(dbFor("staffR1"), "restaurants/r1/items/i1"), { price: { amount: 1, currency: "EUR" } }));
  });

  it("staff list their restaurant's orders, not another's; a courier lists their own deliveries", async () => {
    const ofR1 = (principal: Principal) => getDocs(query(collection(dbFor(principal), "orders"), where("restaurantId", "==", "r1")));
    await assertSucceeds(ofR1("staffR1"));
    await assertFails(ofR1("staffR2"));
    await assertFails(ofR1("customerB"));
    await assertSucceeds(getDocs(query(collection(dbFor("courier"), "orders"), where("courierUid", "==", "courier-1"))));
    await assertFails(getDocs(query(collection(dbFor("courier"), "orders"), where("restaurantId", "==", "r1"))));
  });


  it("restaurant staff list their restaurant's receipts and invoices, not another's", async () => {
    for (const name of ["receipts", "invoices"]) {
      const ofR1 = (principal: Principal) => getDocs(query(collection(dbFor(principal), name), where("restaurantId", "==", "r1")));
      await assertSucceeds(ofR1("staffR1"));
      await assertFails(ofR1("staffR2"));
      await assertFails(ofR1("courier"));
      await assertFails(getDocs(query(collection(dbFor("customerB"), name), where("customerUid", "==", "customer-a"))));
    }
  });

  it("a customer cannot list every probe, only their own", async () => {
    await assertFails(getDocs(collection(dbFor("customerA"), "probes")));
    await assertFails(getDocs(query(collection(dbFor("customerB"), "probes"), where("uid", "==", "customer-a"))));
  });

  it("an admin can list every probe", async () => {
    await assertSucceeds(getDocs(collection(dbFor("admin"), "probes")));
  });

  it("the operator console's order queries (flagged orders, counts per state) are for admins only", async () => {
    const flagged = (principal: Principal) => getDocs(query(collection(dbFor(principal), "orders"), where("attention", "!=", null)));
    const placed = (principal: Principal) => getCountFromServer(query(collection(dbFor(principal), "orders"), where("status", "==", "placed")));
    await assertSucceeds(flagged("admin"));
    await assertSucceeds(placed("admin"));
    for (const principal of ["customerA", "staffR1", "courier", "unauthenticated"] as Principal[]) {
      await assertFails(flagged(principal));
      await assertFails(placed(principal));
    }
  });
});

describe("rules: sessions ended by a role change or a ban", () => {
  const NOW = Math.floor(Date.now() / 1000);
  /** A principal's token from a sign-in at `authTime` (seconds). */
  const signedInAt = (principal: Principal, authTime: number) => {
    const who = PRINCIPALS[principal]!;
    return env.authenticatedContext(who.uid, { ...who.claims, auth_time: authTime }).firestore() as unknown as Firestore;
  };
  /** What auth/sessions.ts leaves after revoking: the revocation time on the profile. */
  const revokedAt = (uid: string, seconds: number) =>
    env.withSecurityRulesDisabled((context) => setDoc(doc(context.firestore(), `users/${uid}`), { uid, role: "customer", sessionsValidAfter: seconds }));

  it("a staff member's token from before the revocation no longer reads the board or the orders", async () => {
    await revokedAt("staff-r1", NOW);
    const stale = signedInAt("staffR1", NOW - 60);
    await assertFails(getDoc(doc(stale, "restaurantBoards/r1/openOrders/o1")));
    await assertFails(getDocs(query(collection(stale, "restaurantBoards/r1/openOrders"))));
    await assertFails(getDoc(doc(stale, "orders/o1")));
    await assertFails(getDoc(doc(stale, "restaurants/r2/items/i2")));
  });

  it("a sign-in after the revocation reads again (same second included)", async () => {
    await revokedAt("staff-r1", NOW);
    await assertSucceeds(getDoc(doc(signedInAt("staffR1", NOW), "restaurantBoards/r1/openOrders/o1")));
    await assertSucceeds(getDoc(doc(signedInAt("staffR1", NOW + 5), "orders/o1")));
  });

  it("a demoted admin's and a removed courier's old tokens are refused too", async () => {
    await revokedAt("admin-1", NOW);
    await revokedAt("courier-1", NOW);
    await assertFails(getDocs(collection(signedInAt("admin", NOW - 60), "users")));
    await assertFails(getDoc(doc(signedInAt("admin", NOW - 60), "orders/o1")));
    await assertFails(getDoc(doc(signedInAt("courier", NOW - 60), "orders/o1")));
    await assertSucceeds(getDoc(doc(signedInAt("courier", NOW + 1), "orders/o1")));
  });

  it("a customer's own reads do not depend on it", async () => {
    await revokedAt("customer-a", NOW);
    await assertSucceeds(getDoc(doc(signedInAt("customerA", NOW - 60), "orders/o1")));
  });
});

/**
 * Personal data, field by field: for each document that carries some, what each role reads.
 * A cell is "denied", or the kinds of personal data the role finds in what it reads. Documents
 * are built by the functions' own builders (orders/personal-data.ts), so a field the code starts
 * writing shows up here.
 */
describe("rules: personal data, field by field", () => {
  type Kind = "email" | "phone" | "address" | "fullName";
  const KINDS: Record<Kind, string[]> = {
    email: ["email", "customerEmail"],
    phone: ["phone", "customerPhone"],
    address: ["address", "addresses", "deliveryAddress", "deliveryInstructions", "instructions", "line1"],
    fullName: ["name", "displayName", "customerName"],
  };
  const kindsIn = (data: Record<string, unknown>) => (Object.keys(KINDS) as Kind[]).filter((kind) => KINDS[kind].some((field) => data[field] !== undefined && data[field] !== null)).sort();

  const roles = {
    ownerCustomer: { uid: "customer-a", claims: {} },
    otherCustomer: { uid: "customer-b", claims: {} },
    staffOfRestaurant: { uid: "staff-r1", claims: { role: "staff", restaurantIds: ["r1"] } },
    staffElsewhere: { uid: "staff-r2", claims: { role: "staff", restaurantIds: ["r2"] } },
    assignedCourier: { uid: "courier-1", claims: { role: "courier" } },
    otherCourier: { uid: "courier-2", claims: { role: "courier" } },
    admin: { uid: "admin-1", claims: { role: "admin" } },
    signedOut: null,
  } as const;
  type Role = keyof typeof roles;

  const address = { id: "home", label: "Home", line1: "Calle Mayor 1", city: "Madrid", postalCode: "28013", country: "ES", location: { lat: 40.41681, lng: -3.70381 }, instructions: "Second floor" };
  const contact = contactOf({ displayName: "Lucía Pérez", email: "lucia@example.test", phone: "+34600123456" }, address);
  const order = (status: string) => ({ customerUid: "customer-a", restaurantId: "r1", courierUid: "courier-1", status, ...orderCustomerFields(contact), total: { amount: 1500, currency: "EUR" } });
  const open = openDelivery("o1", "courier-1", contact);
  const closed = Object.fromEntries(Object.entries({ ...openDelivery("o2", "courier-1", contact), status: "closed" }).filter(([field]) => !(DELIVERY_CONTACT_FIELDS as readonly string[]).includes(field)));

  const SEEDS: Record<string, Record<string, unknown>> = {
    "orders/o1": order("picked_up"),
    "orders/o1/private/contact": { ...contact },
    "deliveries/o1": open,
    "orders/o2": order("delivered"),
    "orders/o2/private/contact": { ...contact },
    "deliveries/o2": closed,
    "restaurantBoards/r1/openOrders/o1": { orderId: "o1", status: "picked_up", customerFirstName: order("picked_up").customerFirstName, items: [{ name: "Pizza", quantity: 1 }] },
    "users/customer-a": { uid: "customer-a", role: "customer", displayName: "Lucía Pérez", email: "lucia@example.test", phone: "+34600123456", addresses: [address] },
    "couriers/courier-1": { uid: "courier-1", name: "Carlos Ruiz", available: true, offer: null, activeOrderId: "o1" },
  };

  const D = "denied" as const;
  const none: Kind[] = [];
  const contactKinds: Kind[] = ["address", "email", "fullName", "phone"];
  const deliveryKinds: Kind[] = ["address", "fullName", "phone"];
  const profileKinds: Kind[] = ["address", "email", "fullName", "phone"];
  // Rows: documents; columns: roles. The courier columns read o1 while its delivery is open
  // and o2 after it was delivered.
  const EXPECTED: Record<string, Record<Role, Kind[] | typeof D>> = {
    "orders/o1": { ownerCustomer: none, otherCustomer: D, staffOfRestaurant: none, staffElsewhere: D, assignedCourier: none, otherCourier: D, admin: none, signedOut: D },
    "orders/o1/private/contact": { ownerCustomer: contactKinds, otherCustomer: D, staffOfRestaurant: D, staffElsewhere: D, assignedCourier: D, otherCourier: D, admin: contactKinds, signedOut: D },
    "deliveries/o1": { ownerCustomer: D, otherCustomer: D, staffOfRestaurant: D, staffElsewhere: D, assignedCourier: deliveryKinds, otherCourier: D, admin: deliveryKinds, signedOut: D },
    "orders/o2": { ownerCustomer: none, otherCustomer: D, staffOfRestaurant: none, staffElsewhere: D, assignedCourier: none, otherCourier: D, admin: none, signedOut: D },
    "orders/o2/private/contact": { ownerCustomer: contactKinds, otherCustomer: D, staffOfRestaurant: D, staffElsewhere: D, assignedCourier: D, otherCourier: D, admin: contactKinds, signedOut: D },
    "deliveries/o2": { ownerCustomer: D, otherCustomer: D, staffOfRestaurant: D, staffElsewhere: D, assignedCourier: D, otherCourier: D, admin: none, signedOut: D },
    "restaurantBoards/r1/openOrders/o1": { ownerCustomer: D, otherCustomer: D, staffOfRestaurant: none, staffElsewhere: D, assignedCourier: D, otherCourier: D, admin: none, signedOut: D },
    "users/customer-a": { ownerCustomer: profileKinds, otherCustomer: D, staffOfRestaurant: D, staffElsewhere: D, assignedCourier: D, otherCourier: D, admin: profileKinds, signedOut: D },
    "couriers/courier-1": { ownerCustomer: D, otherCustomer: D, staffOfRestaurant: D, staffElsewhere: D, assignedCourier: ["fullName"], otherCourier: D, admin: ["fullName"], signedOut: D },
  };

  beforeEach(async () => {
    await env.withSecurityRulesDisabled(async (context) => {
      const db = context.firestore();
      for (const [path, data] of Object.entries(SEEDS)) await setDoc(doc(db, path), data);
    });
  });

  for (const [path, row] of Object.entries(EXPECTED)) {
    it(`${path}: each role reads only its part`, async () => {
      const seen: Record<string, Kind[] | typeof D> = {};
      for (const role of Object.keys(row) as Role[]) {
        const who = roles[role];
        const db = (who ? env.authenticatedContext(who.uid, who.claims) : env.unauthenticatedContext()).firestore() as unknown as Firestore;
        try {
          const snapshot = await getDoc(doc(db, path));
          seen[role] = kindsIn(snapshot.data() ?? {});
        } catch (error) {
          if ((error as { code?: string }).code !== "permission-denied") throw error;
          seen[role] = D;
        }
      }
      assert.deepEqual(seen, row);
    });
  }

  it("the kitchen's and the courier's view of the order: a first name and a drop-off area, no more", () => {
    const seed = SEEDS["orders/o1"];
    assert.equal(seed.customerFirstName, "Lucía");
    assert.deepEqual(seed.dropoff, { lat: 40.417, lng: -3.704 });
    assert.deepEqual(kindsIn(seed), []);
  });

  it("a courier lists only their open deliveries", async () => {
    const courier = env.authenticatedContext("courier-1", { role: "courier" }).firestore() as unknown as Firestore;
    const mine = await getDocs(query(collection(courier, "deliveries"), where("courierUid", "==", "courier-1"), where("status", "==", "open")));
    assert.deepEqual(mine.docs.map((d) => d.id), ["o1"]);
    await assertFails(getDocs(query(collection(courier, "deliveries"), where("courierUid", "==", "courier-1"))));
  });
});
