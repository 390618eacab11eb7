/** Administration callables. Only users with the `admin` role may call them. */
import { z } from "zod";
import { Id, Uid } from "./primitives";
import { ROLES } from "./roles";

/**
 * Grants a role. Staff must name the restaurants they work for; other roles must not.
 * The user sees the new role after their next ID-token refresh (at most an hour, or at once
 * with `getIdToken(true)`).
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
