import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { distanceBetween } from "geofire-common";
import { deliveryCellOf, deliveryCells } from "../../src/catalog/catalog.model";

describe("delivery cells", () => {
  for (const [name, center, radiusKm] of [
    ["Madrid, 5 km", { lat: 40.4168, lng: -3.7038 }, 5],
    ["Helsinki, 30 km", { lat: 60.1699, lng: 24.9384 }, 30],
    ["Quito on the equator, 0.5 km", { lat: -0.1807, lng: -78.4678 }, 0.5],
    ["Fiji across the antimeridian, 10 km", { lat: -16.5, lng: 179.98 }, 10],
  ] as const) {
    it(`cover every point of the delivery circle: ${name}`, () => {
      const cells = new Set(deliveryCells(center, radiusKm));
      // Points on rings inside the circle, every 5 degrees of bearing.
      for (let ring = 0; ring <= 1; ring += 0.25) {
        for (let bearing = 0; bearing < 360; bearing += 5) {
          const d = radiusKm * ring * 0.999;
          const lat = center.lat + (d / 111.32) * Math.cos((bearing * Math.PI) / 180);
          const lngRaw = center.lng + (d / (111.32 * Math.cos((center.lat * Math.PI) / 180))) * Math.sin((bearing * Math.PI) / 180);
          const lng = ((((lngRaw + 180) % 360) + 360) % 360) - 180;
          if (distanceBetween([lat, lng], [center.lat, center.lng]) > radiusKm) continue;
          assert.ok(cells.has(deliveryCellOf({ lat, lng })), `${lat},${lng} is not covered`);
        }
      }
    });
  }

  it("stay few enough to index: at most a few hundred for the largest radius", () => {
    assert.ok(deliveryCells({ lat: 40.4, lng: -3.7 }, 30).length < 400);
    assert.ok(deliveryCells({ lat: 40.4, lng: -3.7 }, 5).length <= 16);
  });
});
