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
  /** Seeded document every principal is tried against. */
  seed: { id: string; data: Record<string, unknown> };
  /** The list query a principal runs (filtered as the app would filter). */
  listQuery?: (db: Firestore) => ReturnType<typeof query>;
  /** Principals allowed each operation; anything not listed must be denied. */
  allowed: Partial<Record<Operation, Principal[]>>;
}

const SERVER_ONLY: CollectionCase["allowed"] = {};

const COLLECTIONS: Record<string, CollectionCase> = {
  probes: {
    seed: { id: "probe-a", data: { uid: "customer-a", status: "started", correlationId: "c-1", hops: {} } },
    listQuery: (db) => query(collection(db, "probes"), where("uid", "==", "customer-a")),
    allowed: { get: ["customerA", "admin"], list: ["customerA", "admin"] },
  },
  rateLimits: { seed: { id: "bucket", data: { tokens: 1, updatedAtMs: 0 } }, allowed: SERVER_ONLY },
  processedEvents: { seed: { id: "h__e", data: { handler: "h", eventId: "e" } }, allowed: SERVER_ONLY },
  deadLetters: { seed: { id: "h__e", data: { handler: "h", status: "open" } }, allowed: SERVER_ONLY },
  auditLog: { seed: { id: "entry", data: { action: "user.role-set", targetUid: "customer-a" } }, allowed: SERVER_ONLY },
  // A collection nobody declared: deny by default.
  somethingNew: { seed: { id: "x", data: { a: 1 } }, allowed: SERVER_ONLY },
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
    for (const [name, c] of Object.entries(COLLECTIONS)) await setDoc(doc(db, name, c.seed.id), c.seed.data);
  });
});

function dbFor(principal: Principal): Firestore {
  const who = PRINCIPALS[principal];
  const context = who ? env.authenticatedContext(who.uid, who.claims) : env.unauthenticatedContext();
  return context.firestore() as unknown as Firestore;
}

function attempt(db: Firestore, name: string, c: CollectionCase, operation: Operation): Promise<unknown> {
  const ref = doc(db, name, c.seed.id);
  switch (operation) {
    case "get":
      return getDoc(ref);
    case "list":
      return getDocs(c.listQuery ? c.listQuery(db) : collection(db, name));
    case "create":
      return setDoc(doc(db, name, "new-doc"), { ...c.seed.data, uid: "customer-a" });
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
          const outcome = attempt(db, name, c, operation);
          if (allowedOps.includes(operation)) await assertSucceeds(outcome);
          else await assertFails(outcome);
        }
      });
    }
  });
}

describe("rules: probes, beyond the matrix", () => {
  it("a customer cannot list every probe, only their own", async () => {
    await assertFails(getDocs(collection(dbFor("customerA"), "probes")));
    await assertFails(getDocs(query(collection(dbFor("customerB"), "probes"), where("uid", "==", "customer-a"))));
  });

  it("an admin can list every probe", async () => {
    await assertSucceeds(getDocs(collection(dbFor("admin"), "probes")));
  });
});
