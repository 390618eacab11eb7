/**
 * Where an order's personal data lives, so each reader gets only its part (firestore.rules):
 *   - `orders/{id}`: what every party to the order may see. Of the customer, only the first
 *     name (the kitchen calls it out) and the drop-off area (the courier weighs an offer by it);
 *   - `orders/{id}/private/contact`: name, email, phone and address; the customer and admins;
 *   - `deliveries/{id}`: what the courier needs at the door (name, phone, address with its
 *     instructions), written when a courier takes the order; readable by that courier only while
 *     it is `open`, and emptied of contact data when it is `closed` (delivered or given up).
 */
import type { Address } from "../contract/profile";

export const PRIVATE = "private";
export const CONTACT = "contact";

/** Contact fields a closed delivery and a deleted account lose. */
export const DELIVERY_CONTACT_FIELDS = ["name", "phone", "address"] as const;

/** The part of a name a kitchen calls out: the first word. */
export function firstNameOf(displayName: string | null | undefined): string | null {
  const first = displayName?.trim().split(/\s+/)[0];
  return first ? first : null;
}

/**
 * The drop-off as the order shows it: about 100 m (three decimals), enough for a courier to
 * weigh an offer, not enough to find a door. The exact point is in the delivery document.
 */
export function dropoffArea(location: { lat: number; lng: number }): { lat: number; lng: number } {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return { lat: round(location.lat), lng: round(location.lng) };
}

export interface CustomerContact {
  name: string | null;
  email: string | null;
  phone: string | null;
  address: Address;
}

/** `orders/{id}/private/contact`, as checkout writes it. */
export function contactOf(profile: { displayName?: string | null; email?: string | null; phone?: string | null } | undefined, address: Address): CustomerContact {
  return { name: profile?.displayName ?? null, email: profile?.email ?? null, phone: profile?.phone ?? null, address };
}

/** The customer's fields on the order itself, readable by everyone party to it. */
export function orderCustomerFields(contact: CustomerContact): { customerFirstName: string | null; dropoff: { lat: number; lng: number } } {
  return { customerFirstName: firstNameOf(contact.name), dropoff: dropoffArea(contact.address.location) };
}

/** `deliveries/{id}` while open: what the assigned courier needs at the door, and nothing else. */
export function openDelivery(orderId: string, courierUid: string, contact: CustomerContact | undefined) {
  return {
    orderId,
    courierUid,
    status: "open" as const,
    name: contact?.name ?? null,
    phone: contact?.phone ?? null,
    address: contact?.address ?? null,
  };
}
