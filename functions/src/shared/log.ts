/**
 * Structured logging: an event name plus fields, never concatenated strings. Every line carries
 * the correlation id and handler of the current work context. Keep personal data and secrets
 * out of the fields.
 */
import * as logger from "firebase-functions/logger";
import { currentContext } from "./context";

type Fields = Record<string, unknown>;

function entry(fields: Fields | undefined): Fields {
  const context = currentContext();
  return { ...(context ? { correlationId: context.correlationId, handler: context.handler } : {}), ...fields };
}

export const log = {
  debug: (event: string, fields?: Fields) => logger.debug(event, entry(fields)),
  info: (event: string, fields?: Fields) => logger.info(event, entry(fields)),
  warn: (event: string, fields?: Fields) => logger.warn(event, entry(fields)),
  /** Errors are logged with their stack, which stays server-side. */
  error: (event: string, error: unknown, fields?: Fields) =>
    logger.error(event, entry({ ...fields, error: describeError(error) })),
};

export function describeError(error: unknown): Fields {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}
