/**
 * Turning schema failures into the field list clients get with `invalid-argument`. Takes only
 * the shape of zod's issues, so importing this costs nothing at cold start.
 */
import type { ZodType } from "zod";
import { invalidArgument, type FieldError } from "./errors";

interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
  /** Set on an unknown-keys issue: the keys a strict object does not accept. */
  keys?: readonly string[];
  /** A schema may name a more precise `reason` than `invalid-request` (a custom issue's params). */
  params?: { reason?: unknown };
}

export function fieldErrors(issues: readonly IssueLike[]): FieldError[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    // zod reports all unknown keys of an object as one issue on the object; the client needs each key named.
    if (issue.keys?.length) return issue.keys.map((key) => ({ path: [...path, key].join("."), message: "Unknown field: remove it." }));
    return [{ path: path.join("."), message: issue.message }];
  });
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
