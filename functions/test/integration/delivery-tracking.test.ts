/**
 * Live tracking on the emulators: the assigned courier's reports between pickup and delivery
 * become one document the customer reads (through the rules), throttled per courier; bad or
 * misplaced reports are refused and change nothing; delivery deletes the position and a late
 * report cannot bring it back; an order ended another way loses it through its end event.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { doc, getDoc } from "firebase/firestore";
import { CALLABLES } from "../../src/contract/callables";
import type { ReportLocationResponse } from "../../src/contract/delivery";
import { pickedUpOrder, readyForCourier } from "../support/delivery";
import { admin, callError, signInWithRole, type AppClient } from "../support/emulators";
import { courierAt, eventually, kitchen, orderWhere, type Kitchen } from "../support/workflow";

const KM_PER_DEGREE_LAT = 111.2;

describe("live courier tracking", () => {
  let k: Kitchen;
  let courier: AppClient;
  let otherCourier: AppClient;
  let operator: AppClient | undefined;
  let orderId: string;
  const tracking = () => admin().db.doc(`deliveryTracking/${orderId}`).get();
  /** A fix `km` north of the kitchen (the drop-off is the kitchen's spot), taken now. */
  const fix = (km: number, extra: Record<string, unknown> = {}) => ({ orderId, location: { lat: k.location.lat + km / KM_PER_DEGREE_LAT, lng: k.location.lng }, accuracyMeters: 10, recordedAt: Date.now(), ...extra });

  before(async () => {
    k = await kitchen();
    [courier, otherCourier] = await Promise.all([courierAt(k.location), signInWithRole("courier")]);
    ({ orderId } = await readyForCourier(k, courier, "cash"));
  });

  after(() => Promise.all([k.staff, k.customer, courier, otherCourier, operator].map((client) => client?.close())));

  it("refuses reports before pickup, writing nothing", async () => {
    const error = await callError(courier.call(CALLABLES.reportLocation, fix(1)));
    assert.equal(error.code, "functions/failed-precondition");
    assert.equal(error.details.reason, "not-en-route");
    assert.equal((await tracking()).exists, false);
    // Nor can the customer see anything of the courier yet.
    await assert.rejects(getDoc(doc(k.customer.firestore, `deliveryTracking/${orderId}`)), /permission/i);
  });

  it("gives the customer the courier's position and ETA once picked up, and the app its report interval", async () => {
    await courier.call(CALLABLES.courierOrderAction, { orderId, action: "picked_up" });
    const answer = await courier.call<ReportLocationResponse>(CALLABLES.reportLocation, fix(1.5));
    assert.equal(answer.nextReportInSeconds, 15);
    // The drop-off is rounded to ~100 m: 1.5 km give or take that.
    assert.ok(answer.distanceMeters! > 1350 && answer.distanceMeters! < 1650, `distance ${answer.distanceMeters}`);
    assert.equal(answer.etaSeconds, Math.round(answer.distanceMeters! / (15_000 / 3600)));
    const seen = (await getDoc(doc(k.customer.firestore, `deliveryTracking/${orderId}`))).data()!;
    assert.equal(seen.courierUid, courier.user.uid);
    assert.equal(seen.etaSeconds, answer.etaSeconds);
    assert.ok(Math.abs(seen.position.lat - (k.location.lat + 1.5 / KM_PER_DEGREE_LAT)) < 1e-9);
    assert.ok(Math.abs(seen.etaAt.toMillis() - (seen.receivedAt.toMillis() + answer.etaSeconds! * 1000)) < 1000);
  });

  it("refuses a report faster than the minimum interval with resource-exhausted and the wait, keeping the last position", async () => {
    const before = (await tracking()).data()!;
    const error = await callError(courier.call(CALLABLES.reportLocation, fix(0.5)));
    assert.equal(error.code, "functions/resource-exhausted");
    assert.equal(error.details.reason, "location-report-too-frequent");
    assert.ok(Number(error.details.retryAfterSeconds) >= 1 && Number(error.details.retryAfterSeconds) <= 5, `retryAfterSeconds ${error.details.retryAfterSeconds}`);
    assert.deepEqual((await tracking()).data(), before);
  });

  it("refuses bad fixes and other couriers with the failing field and reason, changing nothing", async () => {
    const before = (await tracking()).data()!;
    const cases: [AppClient, Record<string, unknown>, string, string, string | undefined][] = [
      [courier, fix(1, { recordedAt: Date.now() + 5 * 60_000 }), "functions/invalid-argument", "location-in-future", "recordedAt"],
      [courier, fix(1, { recordedAt: Date.now() - 5 * 60_000 }), "functions/invalid-argument", "location-too-old", "recordedAt"],
      [courier, fix(1, { location: { lat: 95, lng: 0 } }), "functions/invalid-argument", "invalid-request", "location.lat"],
      [courier, fix(1, { accuracyMeters: 5000 }), "functions/invalid-argument", "invalid-request", "accuracyMeters"],
      [otherCourier, fix(1), "functions/permission-denied", "not-your-order", undefined],
      [k.customer, fix(1), "functions/permission-denied", "role-required", undefined],
    ];
    for (const [who, data, code, reason, field] of cases) {
      const error = await callError(who.call(CALLABLES.reportLocation, data));
      assert.deepEqual([error.code, error.details.reason], [code, reason], JSON.stringify(data));
      if (field) assert.ok((error.details.fields as { path: string }[]).some((f) => f.path === field), JSON.stringify(error.details.fields));
    }
    assert.deepEqual((await tracking()).data(), before);
  });

  it("is gone once delivered, and a late report is refused rather than bringing it back", async () => {
    await courier.call(CALLABLES.courierOrderAction, { orderId, action: "delivered" });
    // Deleted in the delivering transaction itself: no wait for an event.
    assert.equal((await tracking()).exists, false);
    const error = await callError(courier.call(CALLABLES.reportLocation, fix(0.1)));
    assert.equal(error.code, "functions/failed-precondition");
    assert.equal(error.details.reason, "not-en-route");
    assert.equal((await tracking()).exists, false);
    await assert.rejects(getDoc(doc(k.customer.firestore, `deliveryTracking/${orderId}`)), /permission/i);
  });

  it("an order given up while under way loses its position through its end event", async () => {
    operator = await signInWithRole("admin");
    ({ orderId } = await pickedUpOrder(k, courier, "cash"));
    await courier.call(CALLABLES.reportLocation, fix(2));
    assert.equal((await tracking()).exists, true);
    await operator.call(CALLABLES.adminOrderAction, { orderId, action: "cancel", reason: "customer-request" });
    await orderWhere(orderId, (o) => o.status === "cancelled");
    await eventually("the position deleted", async () => !(await tracking()).exists);
  });
});
