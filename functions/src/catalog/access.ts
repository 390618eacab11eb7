/** Who may change a restaurant's catalog: admins, and staff of that restaurant. */
import type { Caller } from "../shared/callable";
import { permissionDenied } from "../shared/errors";
import { restaurantIdsOf } from "../shared/roles";

export function canManageRestaurant(caller: Pick<Caller, "role" | "claims">, restaurantId: string): boolean {
  if (caller.role === "admin") return true;
  return caller.role === "staff" && restaurantIdsOf(caller.claims).includes(restaurantId);
}

export function assertCanManageRestaurant(caller: Pick<Caller, "role" | "claims">, restaurantId: string): void {
  if (!canManageRestaurant(caller, restaurantId)) {
    throw permissionDenied("You can only change the catalog of restaurants you work for.", "not-your-restaurant");
  }
}
