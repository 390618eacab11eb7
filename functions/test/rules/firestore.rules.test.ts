/**
 * firestore.rules as a matrix: every principal x every collection x every operation, each cell
 * asserted. Runs against the Firestore emulator with @firebase/rules-unit-testing, in a project
 * of its own so it never touches the integration tier's data.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { collection, deleteDoc, doc, getDoc, getDocs, query, setDoc, updateDoc, where, type Firestore } from "firebase/firestore";

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
  notificationRequests: serverOnly("notificationRequests"),
  devices: serverOnly("devices"),
  pushTargets: serverOnly("pushTargets"),
  notifications: serverOnly("notifications"),
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
  broadcasts: serverOnly("broadcasts"),
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
  deadLetters: serverOnly("deadLetters"),
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


  it("a customer cannot list every probe, only their own", async () => {
    await assertFails(getDocs(collection(dbFor("customerA"), "probes")));
    await assertFails(getDocs(query(collection(dbFor("customerB"), "probes"), where("uid", "==", "customer-a"))));
  });

  it("an admin can list every probe", async () => {
    await assertSucceeds(getDocs(collection(dbFor("admin"), "probes")));
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
