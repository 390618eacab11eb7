/**
 * Turning schema failures into the field list clients get with `invalid-argument`. Takes only
 * the shape of zod's issues, so importing this costs nothing at cold start.
 */
import type { ZodType } from "zod";
import { invalidArgument, type FieldError } from "./errors";

interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
}

export function fieldErrors(issues: readonly IssueLike[]): FieldError[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

/** Parses `value` with `schema` or throws `invalid-argument` naming every failing field. */
export function parseOrThrow<T>(schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidArgument(fieldErrors(result.error.issues));
  return result.data;
}
