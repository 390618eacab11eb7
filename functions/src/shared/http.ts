/**
 * HTTP endpoint plumbing shared by onRequest functions: the correlation context, error bodies
 * with the same codes and details callables use, and cacheable JSON (ETag, Cache-Control, and
 * a short per-instance response cache so repeated reads skip Firestore).
 */
import { createHash } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { ErrorCode, ErrorDetails } from "../contract/errors";
import { acceptCorrelationId, CORRELATION_HEADER, correlationId, newCorrelationId, withContext } from "./context";
import { DomainError } from "./errors";
import { log } from "./log";

const STATUS: Record<ErrorCode, number> = {
  "invalid-argument": 400,
  unauthenticated: 401,
  "permission-denied": 403,
  "not-found": 404,
  "already-exists": 409,
  aborted: 409,
  "failed-precondition": 412,
  "resource-exhausted": 429,
  unavailable: 503,
  internal: 500,
};

/** Middleware: runs the rest of the request inside a correlation context, echoed in a header. */
export function correlationContext(handler: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = acceptCorrelationId(req.get(CORRELATION_HEADER)) ?? newCorrelationId();
    res.set(CORRELATION_HEADER, id);
    withContext({ correlationId: id, handler }, () => next());
  };
}

/** Error middleware: `{ error: { code, message, details } }` with the matching HTTP status. */
export function errorResponder() {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const id = correlationId();
    if (error instanceof DomainError) {
      log.warn("http.refused", { code: error.code, reason: error.extra.reason });
      const details: ErrorDetails = { correlationId: id, ...error.extra };
      if (error.extra.retryAfterSeconds) res.set("Retry-After", String(error.extra.retryAfterSeconds));
      res.status(STATUS[error.code]).json({ error: { code: error.code, message: error.message, details } });
      return;
    }
    log.error("http.failed", error);
    res.status(500).json({ error: { code: "internal", message: "Something went wrong on our side.", details: { correlationId: id, reason: "internal" } } });
  };
}

/**
 * Sends `body` as JSON with a strong ETag; answers 304 when the client already has it.
 * `maxAgeSeconds` is for browsers and the app, `sharedMaxAgeSeconds` for a CDN.
 */
export function sendCacheableJson(req: Request, res: Response, body: string, cache: { maxAgeSeconds: number; sharedMaxAgeSeconds: number }): void {
  const etag = `"${createHash("sha1").update(body).digest("base64url")}"`;
  res.set("ETag", etag);
  res.set("Cache-Control", `public, max-age=${cache.maxAgeSeconds}, s-maxage=${cache.sharedMaxAgeSeconds}`);
  res.set("Vary", "Accept-Encoding");
  if (req.get("if-none-match")?.split(/\s*,\s*/).includes(etag)) {
    res.status(304).end();
    return;
  }
  res.type("application/json").send(body);
}

/** A small time-bounded cache of serialized responses, per instance. Oldest entries go first. */
export class ResponseCache {
  private readonly entries = new Map<string, { body: string; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  async get(key: string, produce: () => Promise<unknown>, now = Date.now()): Promise<string> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.body;
    const body = JSON.stringify(await produce());
    this.entries.delete(key);
    this.entries.set(key, { body, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return body;
  }
}
