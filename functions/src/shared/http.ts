/**
 * HTTP endpoint plumbing shared by onRequest functions: the correlation context, error bodies
 * with the same codes and details callables use, cacheable JSON (ETag, Cache-Control, and
 * a short per-instance response cache so repeated reads skip Firestore), and the guards of a
 * public endpoint: a rate limit per client address and App Check.
 */
import { createHash } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { ErrorCode, ErrorDetails } from "../contract/errors";
import { clientAddress } from "./client-address";
import { acceptCorrelationId, CORRELATION_HEADER, correlationId, newCorrelationId, withContext } from "./context";
import { DomainError } from "./errors";
import { appCheck } from "./firebase";
import { log } from "./log";
import type { LocalRateLimiter } from "./rate-limit";
import { flushSpans, startSpan, TRACEPARENT } from "./tracing";

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

/**
 * Middleware: runs the rest of the request inside a correlation context and a server span that
 * continues the request's `traceparent` (a malformed one starts a new trace). The correlation
 * id and the server span's `traceparent` are echoed in headers; the span ends with the response
 * (an error for a 5xx).
 */
export function correlationContext(handler: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const { id, span, finish } = requestSpan(handler, req);
    res.set(CORRELATION_HEADER, id);
    res.set(TRACEPARENT, span.traceparent);
    res.on("finish", () => {
      finish(res);
      void flushSpans();
    });
    withContext({ correlationId: id, handler, trace: span.context }, () => next());
  };
}

/** A request's correlation id and server span (continuing its `traceparent`); `finish` ends it with the response's status. */
function requestSpan(handler: string, req: Request) {
  const id = acceptCorrelationId(req.get(CORRELATION_HEADER)) ?? newCorrelationId();
  const span = startSpan({ name: handler, role: "server", parent: req.get(TRACEPARENT), attributes: { correlationId: id, handler, "http.method": req.method } });
  const finish = (res: Response) => {
    span.annotate({ "http.status_code": res.statusCode });
    span.end(res.statusCode >= 500 ? { code: `http-${res.statusCode}` } : undefined);
  };
  return { id, span, finish };
}

/**
 * For an onRequest function without express (a webhook): runs its work in the request's
 * correlation context and a server span continuing the request's `traceparent`, ended with the
 * response's status (an error for a 5xx) and flushed before returning.
 */
export async function traceRequest(handler: string, req: Request, res: Response, work: (correlationId: string) => Promise<void>): Promise<void> {
  const { id, span, finish } = requestSpan(handler, req);
  try {
    await withContext({ correlationId: id, handler, trace: span.context }, () => work(id));
    finish(res);
  } catch (error) {
    span.end(error);
    throw error;
  } finally {
    await flushSpans();
  }
}

/** Middleware: one token of the client address's bucket per request; `resource-exhausted` (429, Retry-After) when over. */
export function rateLimitByClient(limiter: LocalRateLimiter) {
  return (req: Request, _res: Response, next: NextFunction) => {
    limiter.consume(`ip:${clientAddress(req)}`);
    next();
  };
}

export const APP_CHECK_HEADER = "x-firebase-appcheck";

export interface AppCheckGuard {
  enforced: boolean;
  /** Resolves for a valid token, rejects otherwise (firebase-admin's `verifyToken`). */
  verify?: (token: string) => Promise<unknown>;
}

/**
 * Middleware: when enforced, a request needs a valid App Check token in `X-Firebase-AppCheck`,
 * as callables do; otherwise `unauthenticated` (401). Why a token failed is logged, not told.
 */
export function requireAppCheck(guard: AppCheckGuard) {
  const verify = guard.verify ?? ((token: string) => appCheck().verifyToken(token));
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (!guard.enforced) return next();
    const token = req.get(APP_CHECK_HEADER);
    if (!token) throw appCheckRequired();
    try {
      await verify(token);
    } catch (error) {
      log.warn("http.app-check-rejected", { error: error instanceof Error ? error.name : typeof error });
      throw appCheckRequired();
    }
    next();
  };
}

const appCheckRequired = () => new DomainError("unauthenticated", "This app could not be verified.", { reason: "app-check-required" });

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

/**
 * A small time-bounded cache of values, per instance. Oldest entries go first. Requests that miss
 * a key while it is being read wait for that one read: an instance serving 80 requests at once
 * would otherwise send 80 identical queries every time an entry expires.
 */
export class MemoryCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private readonly reading = new Map<string, Promise<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  async get(key: string, produce: () => Promise<T>, now = Date.now()): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const inFlight = this.reading.get(key);
    if (inFlight) return inFlight;
    const read = produce().then(
      (value) => {
        this.reading.delete(key);
        this.entries.delete(key);
        this.entries.set(key, { value, expiresAt: now + this.ttlMs });
        while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
        return value;
      },
      (error: unknown) => {
        // A failed read is not kept: the next request reads again.
        this.reading.delete(key);
        throw error;
      },
    );
    this.reading.set(key, read);
    return read;
  }
}

/** A MemoryCache of serialized responses: the body is serialized once, when computed. */
export class ResponseCache {
  private readonly bodies: MemoryCache<string>;

  constructor(ttlMs: number, maxEntries: number) {
    this.bodies = new MemoryCache(ttlMs, maxEntries);
  }

  get(key: string, produce: () => Promise<unknown>, now = Date.now()): Promise<string> {
    return this.bodies.get(key, async () => JSON.stringify(await produce()), now);
  }
}
