/**
 * Orders driven to the courier's part of the journey, as the apps would: the kitchen accepts,
 * the courier takes the offer, the kitchen gets it ready, the courier picks it up.
 */
import { CALLABLES } from "../../src/contract/callables";
import { admin, type AppClient } from "./emulators";
import { eventually, orderWhere, placedOrder, type Kitchen, type PlacedOrder } from "./workflow";

/** A placed order the kitchen accepted and made ready, carried by `courier` (who must be free, near the kitchen). */
export async function readyForCourier(k: Kitchen, courier: AppClient, payment: "card" | "cash"): Promise<PlacedOrder> {
  // The courier's previous delivery frees them from its end event: wait, or the search finds nobody.
  await eventually("the courier free", async () => !(await admin().db.doc(`couriers/${courier.user.uid}`).get()).get("activeOrderId"));
  const placed = await placedOrder(k, payment);
  const act = (who: AppClient, name: string, action: string) => who.call(name, { orderId: placed.orderId, action });
  await act(k.staff, CALLABLES.restaurantOrderAction, "accept");
  await orderWhere(placed.orderId, (o) => o.dispatch?.offer?.courierUid === courier.user.uid, 60_000);
  await act(courier, CALLABLES.courierOrderAction, "accept");
  for (const action of ["preparing", "ready"]) await act(k.staff, CALLABLES.restaurantOrderAction, action);
  return placed;
}

/** As readyForCourier, then picked up: the delivery is under way. */
export async function pickedUpOrder(k: Kitchen, courier: AppClient, payment: "card" | "cash"): Promise<PlacedOrder> {
  const placed = await readyForCourier(k, courier, payment);
  await courier.call(CALLABLES.courierOrderAction, { orderId: placed.orderId, action: "picked_up" });
  return placed;
}
