/**
 * Live tracking of a delivery under way. The courier's app reports where it is
 * (`dispatch-reportLocation`); each report overwrites one small document per delivery,
 * `deliveryTracking/{orderId}` (position, accuracy, distance and ETA to the drop-off), which the
 * order's customer reads while the order is `picked_up` and never before or after
 * (firestore.rules). No history is kept: the document goes in the same transaction that marks
 * the order delivered, and the order's end event deletes it again for any other ending.
 *
 * Each report is one transaction that reads the order and the tracking document, so a report
 * racing the delivery either lands before it (and is deleted with it) or finds the order
 * delivered and is refused: a late report never brings the position back.
 */
import type { Transaction } from "firebase-admin/firestore";
import { distanceBetween } from "geofire-common";
import { ReportLocationRequest, type ReportLocationResponse } from "../contract/delivery";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { DomainError, failedPrecondition, notFound, permissionDenied, resourceExhausted } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { courierSpeedKmh, trackingMaxAgeSeconds, trackingMinIntervalSeconds, trackingReportIntervalSeconds } from "../shared/params";
import { etaSeconds, fixTimeProblem, reportWaitSeconds } from "./tracking";

const trackingRef = (orderId: string) => db().collection(COLLECTIONS.deliveryTracking).doc(orderId);

export const reportLocation: CallableImpl<ReportLocationRequest, ReportLocationResponse> = {
  input: ReportLocationRequest,
  async run({ orderId, location, accuracyMeters, recordedAt }, caller) {
    const now = Date.now();
    const problem = fixTimeProblem(recordedAt, now, trackingMaxAgeSeconds.value());
    if (problem) throw new DomainError("invalid-argument", problem.message, { reason: problem.reason, fields: [{ path: "recordedAt", message: problem.message }] });
    const { Timestamp } = firestoreValues();
    return db().runTransaction(async (tx) => {
      const [order, tracking] = await Promise.all([tx.get(db().collection(COLLECTIONS.orders).doc(orderId)), tx.get(trackingRef(orderId))]);
      if (!order.exists) throw notFound("Order", "order-not-found", "orderId");
      if (order.get("courierUid") !== caller.uid) throw permissionDenied("This delivery is not yours.", "not-your-order");
      if (order.get("status") !== "picked_up") throw failedPrecondition("Location is shared only between pickup and delivery.", "not-en-route");
      // The courier carries one delivery at a time (dispatch never offers a busy courier), so
      // the delivery's document is also the courier's throttle.
      const lastReceived = (tracking.get("receivedAt") as { toMillis(): number } | undefined)?.toMillis() ?? null;
      const wait = reportWaitSeconds(lastReceived, now, trackingMinIntervalSeconds.value());
      if (wait > 0) throw resourceExhausted(`Location reports come at most every ${trackingMinIntervalSeconds.value()} seconds.`, wait, "location-report-too-frequent");
      const lastRecorded = (tracking.get("recordedAt") as { toMillis(): number } | undefined)?.toMillis() ?? 0;
      if (recordedAt <= lastRecorded) {
        const message = "A newer location was already reported.";
        throw new DomainError("invalid-argument", message, { reason: "location-too-old", fields: [{ path: "recordedAt", message }] });
      }
      const dropoff = order.get("dropoff") as { lat: number; lng: number } | undefined;
      const distanceMeters = dropoff ? Math.round(distanceBetween([location.lat, location.lng], [dropoff.lat, dropoff.lng]) * 1000) : null;
      const eta = distanceMeters === null ? null : etaSeconds(distanceMeters, courierSpeedKmh.value());
      tx.set(trackingRef(orderId), {
        orderId,
        courierUid: caller.uid,
        position: { lat: location.lat, lng: location.lng },
        accuracyMeters,
        recordedAt: Timestamp.fromMillis(recordedAt),
        receivedAt: Timestamp.fromMillis(now),
        distanceMeters,
        etaSeconds: eta,
        etaAt: eta === null ? null : Timestamp.fromMillis(now + eta * 1000),
      });
      return { orderId, nextReportInSeconds: trackingReportIntervalSeconds.value(), distanceMeters, etaSeconds: eta };
    });
  },
};

/** Deletes the delivery's position in `tx` (the move that ends the delivery). Call after the transaction's reads. */
export function planEndTracking(tx: Transaction, orderId: string): void {
  tx.delete(trackingRef(orderId));
}

/** Deletes the delivery's position, if any: safe to repeat (the order's end event may come twice). */
export async function endTracking(orderId: string): Promise<void> {
  await trackingRef(orderId).delete();
}
