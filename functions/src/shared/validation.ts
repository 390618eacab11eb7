/**
 * Turning schema failures into the field list clients get with `invalid-argument`. Takes only
 * the shape of zod's issues, so importing this costs nothing at cold start.
 */
import type { ZodType } from "zod";
import { invalidArgument, type FieldError } from "./errors";

interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
  /** A schema may name a more precise `reason` than `invalid-request` (a custom issue's params). */
  params?: { reason?: unknown };
}

export function fieldErrors(issues: readonly IssueLike[]): FieldError[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

/** Parses `value` with `schema` or throws `invalid-argument` naming every failing field. */
export function parseOrThrow<T>(schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues as readonly IssueLike[];
    const reason = issues.map((issue) => issue.params?.reason).find((r): r is string => typeof r === "string");
    const error = invalidArgument(fieldErrors(issues));
    if (reason) error.extra.reason = reason;
    throw error;
  }
  return result.data;
}
