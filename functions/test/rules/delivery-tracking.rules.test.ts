/**
 * Who reads a delivery's live position (`deliveryTracking/{orderId}`) and couriers' cash days
 * (`cashReconciliations`), through firestore.rules. The position is the customer's only while
 * the order is picked up, never before pickup or after delivery; nobody else's ever. In a
 * project of its own, so it never touches other tiers' data.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { collection, deleteDoc, doc, getDoc, getDocs, query, setDoc, where, type Firestore } from "firebase/firestore";

let env: RulesTestEnvironment;

const PEOPLE = {
  customer: { uid: "customer-a", claims: {} },
  otherCustomer: { uid: "customer-b", claims: {} },
  courier: { uid: "courier-1", claims: { role: "courier" } },
  otherCourier: { uid: "courier-2", claims: { role: "courier" } },
  staffOfRestaurant: { uid: "staff-r1", claims: { role: "staff", restaurantIds: ["r1"] } },
  staffElsewhere: { uid: "staff-r2", claims: { role: "staff", restaurantIds: ["r2"] } },
  admin: { uid: "admin-1", claims: { role: "admin" } },
} as const;
type Person = keyof typeof PEOPLE | "signedOut";

function dbFor(person: Person): Firestore {
  const context = person === "signedOut" ? env.unauthenticatedContext() : env.authenticatedContext(PEOPLE[person].uid, PEOPLE[person].claims);
  return context.firestore() as unknown as Firestore;
}

const tracking = { orderId: "o1", courierUid: "courier-1", position: { lat: 40.41, lng: -3.7 }, accuracyMeters: 8, distanceMeters: 900, etaSeconds: 216 };

async function seed(status: string): Promise<void> {
  await env.withSecurityRulesDisabled(async (context) => {
    const db = context.firestore();
    await setDoc(doc(db, "orders/o1"), { customerUid: "customer-a", restaurantId: "r1", courierUid: "courier-1", status, total: { amount: 1500, currency: "EUR" } });
    await setDoc(doc(db, "deliveryTracking/o1"), tracking);
  });
}

const readTracking = (person: Person) => getDoc(doc(dbFor(person), "deliveryTracking/o1"));

before(async () => {
  const [host, port] = (process.env.FIRESTORE_EMULATOR_HOST ?? "127.0.0.1:8080").split(":");
  env = await initializeTestEnvironment({
    projectId: "demo-rules-delivery",
    firestore: { rules: readFileSync(join(__dirname, "..", "..", "..", "firestore.rules"), "utf8"), host, port: Number(port) },
  });
});

after(() => env?.cleanup());

beforeEach(() => env.clearFirestore());

describe("rules: deliveryTracking", () => {
  it("the order's customer and courier read the position while the order is picked up; admins too", async () => {
    await seed("picked_up");
    for (const person of ["customer", "courier", "admin"] as const) await assertSucceeds(readTracking(person));
  });

  it("other customers, other couriers, staff of any restaurant and the signed out never read it", async () => {
    await seed("picked_up");
    for (const person of ["otherCustomer", "otherCourier", "staffOfRestaurant", "staffElsewhere", "signedOut"] as const) await assertFails(readTracking(person));
  });

  for (const status of ["accepted", "preparing", "ready"]) {
    it(`before pickup (${status}) not even the customer reads it`, async () => {
      await seed(status);
      await assertFails(readTracking("customer"));
      await assertFails(readTracking("courier"));
    });
  }

  for (const status of ["delivered", "cancelled", "refunded"]) {
    it(`after the delivery ends (${status}) not even the customer reads it, were it left behind`, async () => {
      await seed(status);
      await assertFails(readTracking("customer"));
      await assertFails(readTracking("courier"));
    });
  }

  it("nobody writes it, nor lists it but admins", async () => {
    await seed("picked_up");
    for (const person of ["customer", "courier", "admin"] as const) {
      await assertFails(setDoc(doc(dbFor(person), "deliveryTracking/o1"), { ...tracking, position: { lat: 0, lng: 0 } }));
      await assertFails(deleteDoc(doc(dbFor(person), "deliveryTracking/o1")));
    }
    await assertFails(getDocs(collection(dbFor("customer"), "deliveryTracking")));
    await assertSucceeds(getDocs(collection(dbFor("admin"), "deliveryTracking")));
  });
});

describe("rules: cashReconciliations", () => {
  const day = { courierUid: "courier-1", day: "2026-11-30", currency: "EUR", orders: {}, expected: 1500, collected: 1000, unrecordedOrders: 0, short: 500, over: 0, flagged: true };

  beforeEach(() =>
    env.withSecurityRulesDisabled(async (context) => {
      await setDoc(doc(context.firestore(), "cashReconciliations/courier-1_2026-11-30_EUR"), day);
    }),
  );

  it("the courier reads and lists their own days; admins read and list every day", async () => {
    await assertSucceeds(getDoc(doc(dbFor("courier"), "cashReconciliations/courier-1_2026-11-30_EUR")));
    await assertSucceeds(getDocs(query(collection(dbFor("courier"), "cashReconciliations"), where("courierUid", "==", "courier-1"))));
    await assertSucceeds(getDoc(doc(dbFor("admin"), "cashReconciliations/courier-1_2026-11-30_EUR")));
    await assertSucceeds(getDocs(query(collection(dbFor("admin"), "cashReconciliations"), where("flagged", "==", true))));
  });

  it("another courier, customers and staff read nothing of it; nobody writes it", async () => {
    for (const person of ["otherCourier", "customer", "staffOfRestaurant", "signedOut"] as const) {
      await assertFails(getDoc(doc(dbFor(person), "cashReconciliations/courier-1_2026-11-30_EUR")));
    }
    await assertFails(getDocs(query(collection(dbFor("otherCourier"), "cashReconciliations"), where("courierUid", "==", "courier-1"))));
    await assertFails(getDocs(collection(dbFor("courier"), "cashReconciliations")));
    for (const person of ["courier", "admin"] as const) await assertFails(setDoc(doc(dbFor(person), "cashReconciliations/courier-1_2026-11-30_EUR"), { ...day, short: 0, flagged: false }));
  });
});
