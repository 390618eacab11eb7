import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COURIER_SPEED_KMH, DEFAULT_PREP_MINUTES, estimateEta, HANDOVER_MINUTES, MAX_QUEUED_ORDERS, QUEUE_MINUTES_PER_ORDER } from "../../src/checkout/eta";

describe("cart quote ETA", () => {
  it("adds preparation, the kitchen's queue and the ride", () => {
    const eta = estimateEta({ prepMinutes: 20, distanceKm: 3, openOrders: 4 });
    assert.deepEqual(eta, { minutes: 20 + 4 * QUEUE_MINUTES_PER_ORDER + HANDOVER_MINUTES + 12, prepMinutes: 20, queueMinutes: 8, openOrders: 4, travelMinutes: HANDOVER_MINUTES + 12 });
    assert.equal(COURIER_SPEED_KMH, 15, "3 km at 15 km/h is 12 minutes");
  });

  it("uses the default preparation time and caps the queue", () => {
    const eta = estimateEta({ prepMinutes: undefined, distanceKm: 0.1, openOrders: 100 });
    assert.equal(eta.prepMinutes, DEFAULT_PREP_MINUTES);
    assert.equal(eta.queueMinutes, MAX_QUEUED_ORDERS * QUEUE_MINUTES_PER_ORDER);
    assert.equal(eta.travelMinutes, HANDOVER_MINUTES + 1, "a started minute counts");
  });
});
