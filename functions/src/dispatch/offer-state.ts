/**
 * A courier offer's lifecycle as data. An offer is made to one courier for one order; it ends
 * once, in one of four ways, and an ended offer never opens again (a later offer to the same
 * courier is a new offer with a new number).
 *
 *   offered -> accepted    the courier takes it
 *           -> declined    the courier turns it down
 *           -> lapsed      nobody answered within COURIER_OFFER_SECONDS
 *           -> withdrawn   the order ended (cancelled, rejected, delivered) while it was open
 */

export const OFFER_STATES = ["offered", "accepted", "declined", "lapsed", "withdrawn"] as const;
export type OfferState = (typeof OFFER_STATES)[number];
export type OfferEnd = Exclude<OfferState, "offered">;

/** Who may end an offer each way. */
export const OFFER_TRANSITIONS: { from: "offered"; to: OfferEnd; by: "courier" | "timeout" | "order" }[] = [
  { from: "offered", to: "accepted", by: "courier" },
  { from: "offered", to: "declined", by: "courier" },
  { from: "offered", to: "lapsed", by: "timeout" },
  { from: "offered", to: "withdrawn", by: "order" },
];

/** An order's open offer, as `dispatch.offer` holds it. */
export interface OpenOffer {
  courierUid: string;
  number: number;
}

export type OfferDecision = { ok: true } | { ok: false; reason: "no-open-offer" | "not-this-offer" | "not-your-move" };

/**
 * Whether `by` may end offer `number` to `courierUid` as `to`, given the order's open offer.
 * Anything but the open offer itself is refused: a late timeout or a second answer for an offer
 * that already ended must change nothing, on the order or on the courier.
 */
export function decideOfferEnd(open: OpenOffer | null, courierUid: string, number: number | undefined, to: OfferEnd, by: "courier" | "timeout" | "order"): OfferDecision {
  if (!open) return { ok: false, reason: "no-open-offer" };
  if (open.courierUid !== courierUid || (number !== undefined && open.number !== number)) return { ok: false, reason: "not-this-offer" };
  if (!OFFER_TRANSITIONS.some((t) => t.to === to && t.by === by)) return { ok: false, reason: "not-your-move" };
  return { ok: true };
}

/** Ends that leave the order still looking for a courier, with this one asked again only last. */
export const PASSED_ON: OfferEnd[] = ["declined", "lapsed"];
