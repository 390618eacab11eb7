/** Administration callables. Only users with the `admin` role may call them. */
import { z } from "zod";
import { Id, Uid } from "./primitives.js";
import { ROLES } from "./roles.js";

/**
 * Grants a role. Staff must name the restaurants they work for; other roles must not.
 * The change ends the user's sessions: their next call with an old token as staff, courier or
 * admin answers `unauthenticated` (`session-revoked`), and their next sign-in carries the new role.
 */
export const SetUserRoleRequest = z
  .strictObject({
    uid: Uid,
    role: z.enum(ROLES),
    restaurantIds: z.array(Id).max(50).optional(),
  })
  .superRefine((value, ctx) => {
    const count = value.restaurantIds?.length ?? 0;
    if (value.role === "staff" && count === 0) {
      ctx.addIssue({ code: "custom", path: ["restaurantIds"], message: "Staff must be given at least one restaurant." });
    }
    if (value.role !== "staff" && count > 0) {
      ctx.addIssue({ code: "custom", path: ["restaurantIds"], message: "Only staff have restaurants." });
    }
  });
export type SetUserRoleRequest = z.infer<typeof SetUserRoleRequest>;

export const SetUserRoleResponse = z.object({
  uid: z.string(),
  role: z.enum(ROLES),
  restaurantIds: z.array(z.string()),
});
export type SetUserRoleResponse = z.infer<typeof SetUserRoleResponse>;

/** Why an account was banned: a code, never free text (the record is kept for as long as the ban). */
export const BAN_REASONS = ["fraud", "payment-abuse", "harassment", "spam", "terms-violation"] as const;
export type BanReason = (typeof BAN_REASONS)[number];

/**
 * Bans a user: the account is disabled, their sessions end, and their email and phone (as keyed
 * hashes) cannot sign up again. Banning a banned user changes nothing; admins cannot ban themselves.
 */
export const BanUserRequest = z.strictObject({
  uid: Uid,
  reason: z.enum(BAN_REASONS),
});
export type BanUserRequest = z.infer<typeof BanUserRequest>;

export const BanUserResponse = z.object({
  uid: z.string(),
  status: z.literal("banned"),
  reason: z.enum(BAN_REASONS),
  /** ISO 8601. */
  bannedAt: z.string(),
});
export type BanUserResponse = z.infer<typeof BanUserResponse>;

/** Lifts a ban: the account is enabled and its email and phone may sign up again. */
export const UnbanUserRequest = z.strictObject({ uid: Uid });
export type UnbanUserRequest = z.infer<typeof UnbanUserRequest>;

export const UnbanUserResponse = z.object({ uid: z.string(), status: z.literal("unbanned") });
export type UnbanUserResponse = z.infer<typeof UnbanUserResponse>;
