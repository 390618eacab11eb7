/**
 * The cart quote's delivery estimate, pure: the kitchen's preparation time, a few minutes for
 * each order already open in that kitchen, then pickup and the ride at a courier's average
 * speed. Deliberately simple and explainable: no courier positions (dispatch picks the courier
 * later) and no traffic; the queue is the restaurant's open orders on its board, one cheap
 * `count()`.
 */

/** Preparation time of a restaurant that states none (`restaurants/{id}.prepMinutes`). */
export const DEFAULT_PREP_MINUTES = 15;
/** Each order already open in the kitchen delays a new one by this much. */
export const QUEUE_MINUTES_PER_ORDER = 2;
/** Ahead-of-us orders counted at most: past this the estimate is already long. */
export const MAX_QUEUED_ORDERS = 15;
/** Finding the order at the counter and handing it over. */
export const HANDOVER_MINUTES = 5;

export interface EtaInput {
  prepMinutes: number | undefined;
  distanceKm: number;
  openOrders: number;
  /** The courier speed live tracking's ETA assumes too (param `COURIER_SPEED_KMH`). */
  courierSpeedKmh: number;
}

export function estimateEta({ prepMinutes, distanceKm, openOrders, courierSpeedKmh }: EtaInput) {
  const prep = prepMinutes ?? DEFAULT_PREP_MINUTES;
  const queueMinutes = Math.min(openOrders, MAX_QUEUED_ORDERS) * QUEUE_MINUTES_PER_ORDER;
  const travelMinutes = HANDOVER_MINUTES + Math.ceil((distanceKm / courierSpeedKmh) * 60);
  return { minutes: prep + queueMinutes + travelMinutes, prepMinutes: prep, queueMinutes, openOrders, travelMinutes };
}
