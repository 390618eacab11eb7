/**
 * A ban's lifecycle as data (`bans/{uid}.status`). Banning and lifting each take steps outside
 * Firestore (disabling the Auth account, revoking sessions), so each has an in-between state
 * written before those steps: a crash leaves it visible, and the same request again resumes it.
 *
 *   (none) | unbanned -> banning -> banned -> unbanning -> unbanned
 *   banning -> banning (resume)     unbanning -> unbanning (resume)
 *   banning -> unbanning            unbanning -> banning   (an admin changes their mind mid-way)
 */

export const BAN_STATES = ["banning", "banned", "unbanning", "unbanned"] as const;
export type BanState = (typeof BAN_STATES)[number];

/** What moves a ban: an admin's request, or the completion of its steps. */
export type BanMove = "ban" | "unban" | "complete";

/** Every allowed move. `from: null` is a user never banned. */
export const BAN_TRANSITIONS: { from: BanState | null; move: BanMove; to: BanState }[] = [
  { from: null, move: "ban", to: "banning" },
  { from: "unbanned", move: "ban", to: "banning" },
  { from: "banning", move: "ban", to: "banning" },
  { from: "unbanning", move: "ban", to: "banning" },
  { from: "banning", move: "complete", to: "banned" },
  { from: "banned", move: "unban", to: "unbanning" },
  { from: "banning", move: "unban", to: "unbanning" },
  { from: "unbanning", move: "unban", to: "unbanning" },
  { from: "unbanning", move: "complete", to: "unbanned" },
];

/** States in which the person is kept out: sign-in and sign-up are refused. */
export const BAN_IN_FORCE: readonly BanState[] = ["banning", "banned", "unbanning"];

export type BanDecision = { ok: true; to: BanState } | { ok: false; reason: "already-banned" | "not-banned" | "not-in-progress" };

/** Where `move` takes a ban in state `from`, or why it cannot. */
export function decideBanMove(from: BanState | null, move: BanMove): BanDecision {
  const transition = BAN_TRANSITIONS.find((t) => t.from === from && t.move === move);
  if (transition) return { ok: true, to: transition.to };
  if (move === "ban") return { ok: false, reason: "already-banned" };
  if (move === "unban") return { ok: false, reason: "not-banned" };
  return { ok: false, reason: "not-in-progress" };
}
