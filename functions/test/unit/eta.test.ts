import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_PREP_MINUTES, estimateEta, HANDOVER_MINUTES, MAX_QUEUED_ORDERS, QUEUE_MINUTES_PER_ORDER } from "../../src/checkout/eta";

describe("cart quote ETA", () => {
  it("adds preparation, the kitchen's queue and the ride", () => {
    // 3 km at 15 km/h is 12 minutes.
    const eta = estimateEta({ prepMinutes: 20, distanceKm: 3, openOrders: 4, courierSpeedKmh: 15 });
    assert.deepEqual(eta, { minutes: 20 + 4 * QUEUE_MINUTES_PER_ORDER + HANDOVER_MINUTES + 12, prepMinutes: 20, queueMinutes: 8, openOrders: 4, travelMinutes: HANDOVER_MINUTES + 12 });
  });

  it("uses the default preparation time and caps the queue", () => {
    const eta = estimateEta({ prepMinutes: undefined, distanceKm: 0.1, openOrders: 100, courierSpeedKmh: 15 });
    assert.equal(eta.prepMinutes, DEFAULT_PREP_MINUTES);
    assert.equal(eta.queueMinutes, MAX_QUEUED_ORDERS * QUEUE_MINUTES_PER_ORDER);
    assert.equal(eta.travelMinutes, HANDOVER_MINUTES + 1, "a started minute counts");
  });
});
