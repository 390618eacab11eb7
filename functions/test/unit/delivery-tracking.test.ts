import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReportLocationRequest } from "../../src/contract/delivery";
import { CLOCK_SKEW_ALLOWANCE_MS, etaSeconds, fixTimeProblem, reportWaitSeconds } from "../../src/dispatch/tracking";

describe("live tracking rules", () => {
  const now = 1_800_000_000_000;

  it("takes a fix from the last minute, refuses one from the future (past the clock skew) or too old", () => {
    assert.equal(fixTimeProblem(now - 1000, now, 60), null);
    assert.equal(fixTimeProblem(now + CLOCK_SKEW_ALLOWANCE_MS, now, 60), null);
    assert.equal(fixTimeProblem(now + CLOCK_SKEW_ALLOWANCE_MS + 1, now, 60)?.reason, "location-in-future");
    assert.equal(fixTimeProblem(now - 60_000, now, 60), null);
    assert.equal(fixTimeProblem(now - 60_001, now, 60)?.reason, "location-too-old");
  });

  it("throttles reports closer than the minimum interval, saying how long to wait", () => {
    assert.equal(reportWaitSeconds(null, now, 5), 0);
    assert.equal(reportWaitSeconds(now - 5000, now, 5), 0);
    assert.equal(reportWaitSeconds(now - 4999, now, 5), 1);
    assert.equal(reportWaitSeconds(now - 100, now, 5), 5);
  });

  it("estimates the time to the door at the courier's speed", () => {
    assert.equal(etaSeconds(0, 15), 0);
    assert.equal(etaSeconds(1500, 15), 360);
    assert.equal(etaSeconds(1000, 20), 180);
  });

  it("refuses coordinates out of range and an accuracy that is no fix, naming the fields", () => {
    const good = { orderId: "o1", location: { lat: 40.4, lng: -3.7 }, accuracyMeters: 12, recordedAt: now };
    assert.equal(ReportLocationRequest.safeParse(good).success, true);
    const bad = ReportLocationRequest.safeParse({ ...good, location: { lat: 91, lng: -181 }, accuracyMeters: 0, recordedAt: 1.5 });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error!.issues.map((issue) => issue.path.join(".")).sort(), ["accuracyMeters", "location.lat", "location.lng", "recordedAt"]);
    assert.equal(ReportLocationRequest.safeParse({ ...good, accuracyMeters: 5000 }).success, false);
  });
});
