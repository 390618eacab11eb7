/**
 * Roles live in Firebase Auth custom claims (`role`, and `restaurantIds` for staff) so that
 * security rules and callables read them from the ID token without a database round trip.
 */
import { ROLES, type Role } from "../contract/roles";

export { ROLES, type Role };

/** The custom claims this backend sets on a user. */
export interface RoleClaims {
  role?: Role;
  restaurantIds?: string[];
}

/** Reads the role from decoded token claims; a user without a role claim is a customer. */
export function roleOf(claims: Record<string, unknown> | undefined): Role {
  const role = claims?.role;
  return typeof role === "string" && (ROLES as readonly string[]).includes(role) ? (role as Role) : "customer";
}

/** The restaurants a staff member works for, from their claims. */
export function restaurantIdsOf(claims: Record<string, unknown> | undefined): string[] {
  const ids = claims?.restaurantIds;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
}
