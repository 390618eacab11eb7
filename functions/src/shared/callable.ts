/**
 * The callable gateway: the one wrapper every callable goes through. It enforces App Check,
 * authentication and roles, validates the request against the endpoint's schema, applies the
 * per-user rate limit, makes sure a signed-in caller has a profile, runs the handler inside a
 * correlation context and a server span (continuing the request's `traceparent`, see
 * tracing.ts) and maps every failure to a canonical HttpsError. Privileged callers (staff,
 * courier, admin) and specs that ask for it have their session checked against Auth, so
 * a revoked token (role change, ban) stops working at once rather than when it expires.
 * Endpoint files declare a spec and lazily load their implementation, so a cold instance loads
 * only the code of the function it serves. Right after App Check it turns away an app built against
 * a contract older than MIN_APP_VERSION (app-version.ts).
 */
import { HttpsError, onCall, type CallableOptions, type CallableRequest } from "firebase-functions/v2/https";
import type { ZodType } from "zod";
import type { ErrorDetails } from "../contract/errors";
import { assertAppVersionSupported, takeAppVersion } from "./app-version";
import { clientAddress } from "./client-address";
import { acceptCorrelationId, CORRELATION_HEADER, newCorrelationId } from "./context";
import { DomainError, invalidArgument, permissionDenied } from "./errors";
import { log } from "./log";
import { OPS_EVENTS } from "./ops-events";
import { appCheckEnforced, defaultRateLimitPerMinute, minAppVersion } from "./params";
import type { RateLimit } from "./rate-limit";
import { roleOf, type Role } from "./roles";
import { annotateSpan, TRACEPARENT, traceWork } from "./tracing";
import { parseOrThrow } from "./validation";

const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

export interface CallableSpec {
  /** Deployed name (`group-function`): names log lines and rate-limit counters. */
  name: string;
  /** `public`: no sign-in needed; `signed-in`: any user; a role list: only those roles. */
  access: "public" | "signed-in" | readonly Role[];
  /** Calls per user per window; `default` uses RATE_LIMIT_PER_MINUTE, `none` disables. */
  rateLimit?: RateLimit | "default" | "none";
  /** Overrides the APP_CHECK_ENFORCED parameter for this callable. */
  enforceAppCheck?: boolean;
  /** Requests with a larger body are refused before parsing. */
  maxPayloadBytes?: number;
  /**
   * Check that the caller's session was not revoked (one Auth lookup per call) even when the
   * caller is a customer. Staff, courier and admin callers are always checked.
   */
  checkRevoked?: boolean;
  options?: Omit<CallableOptions, "enforceAppCheck">;
}

/** Who is calling, as the handler sees it. */
export interface Caller {
  uid: string | undefined;
  role: Role | "anonymous";
  claims: Record<string, unknown>;
  correlationId: string;
}

/** What an endpoint module provides: the request schema and the work. */
export interface CallableImpl<I, O> {
  input: ZodType<I>;
  run(input: I, caller: Caller): Promise<O>;
}

/** Side effects of the gateway, replaceable in unit tests. */
export interface GatewayDeps {
  consumeRateLimit(key: string, limit: RateLimit): Promise<void>;
  defaultRateLimit(): RateLimit;
  /** Creates a signed-in caller's missing profile (the sign-up trigger is not retried). */
  ensureProfile?(uid: string, claims: Record<string, unknown>): Promise<void>;
  /** Refuses a caller whose session was revoked or whose account is disabled. */
  assertSessionCurrent?(uid: string, claims: Record<string, unknown>): Promise<void>;
  /** APP_CHECK_ENFORCED, read per request. */
  appCheckEnforced?(): boolean;
  /** MIN_APP_VERSION, read per request. */
  minAppVersion?(): string;
}

/** Roles whose tokens are checked for revocation on every call: losing them must take effect at once. */
const SESSION_CHECKED_ROLES: readonly Role[] = ["staff", "courier", "admin"];

const defaultDeps: GatewayDeps = {
  consumeRateLimit: async (key, limit) => (await import("./rate-limit.js")).consumeRateLimit(key, limit),
  defaultRateLimit: () => ({ max: defaultRateLimitPerMinute.value(), windowSeconds: 60 }),
  ensureProfile: async (uid, claims) => (await import("../auth/profile-record.js")).ensureProfile(uid, claims),
  assertSessionCurrent: async (uid, claims) => (await import("../auth/sessions.js")).assertSessionCurrent(uid, claims),
  appCheckEnforced: () => appCheckEnforced.value(),
  minAppVersion: () => minAppVersion.value(),
};

/** Declares a callable Cloud Function whose implementation is loaded on first use. */
export function defineCallable<I, O>(spec: CallableSpec, load: () => Promise<CallableImpl<I, O>>) {
  // The SDK still verifies an App Check token that is sent; whether one is required is the
  // gateway's call, made per request: given a param, onCall reads it when the function is
  // defined, which is deploy analysis, where it has no value.
  return onCall<unknown, Promise<O>>({ ...spec.options, enforceAppCheck: false }, (request) => handleCall(spec, load, request));
}

/** The gateway itself, free of the onCall registration so it can be tested directly. */
export async function handleCall<I, O>(
  spec: CallableSpec,
  load: () => Promise<CallableImpl<I, O>>,
  request: Pick<CallableRequest<unknown>, "data" | "auth" | "rawRequest"> & Partial<Pick<CallableRequest<unknown>, "app">>,
  deps: GatewayDeps = defaultDeps,
): Promise<O> {
  const correlationId = acceptCorrelationId(request.rawRequest?.headers?.[CORRELATION_HEADER]) ?? newCorrelationId();
  const uid = request.auth?.uid;
  // The app may send a `traceparent`; a malformed one starts a new trace.
  const parent = request.rawRequest?.headers?.[TRACEPARENT];
  return traceWork({ handler: spec.name, role: "server", correlationId, uid, parent: typeof parent === "string" ? parent : undefined }, async () => {
    const started = Date.now();
    try {
      assertAppVerified(spec, request, deps);
      // An outdated app is told to update before anything else it could not handle.
      const { version, request: data } = takeAppVersion(request.data ?? {});
      assertAppVersionSupported(version, deps.minAppVersion?.() ?? "");
      const caller = authorize(spec, request, correlationId);
      checkPayloadSize(spec, request);
      if (caller.uid && (spec.checkRevoked || (caller.role !== "anonymous" && SESSION_CHECKED_ROLES.includes(caller.role)))) {
        await deps.assertSessionCurrent?.(caller.uid, caller.claims);
      }
      const impl = await load();
      const input = parseOrThrow(impl.input, data);
      annotateSpan({ orderId: orderIdOf(input) });
      const limit = spec.rateLimit === "default" || spec.rateLimit === undefined ? deps.defaultRateLimit() : spec.rateLimit;
      if (limit !== "none") await deps.consumeRateLimit(`${spec.name}:${uid ?? `ip:${clientAddress(request.rawRequest ?? { headers: {} })}`}`, limit);
      if (uid) await deps.ensureProfile?.(uid, caller.claims);
      const output = await impl.run(input, caller);
      annotateSpan({ orderId: orderIdOf(output) });
      log.info(OPS_EVENTS.callableCompleted.name, { durationMs: Date.now() - started });
      return withCorrelationId(output, correlationId);
    } catch (error) {
      throw toHttpsError(error, correlationId, Date.now() - started);
    }
  });
}

/**
 * Every object answer carries the call's correlation id, as errors do in their details: the
 * Firebase SDK cannot set request headers, so this is how the app learns the id support asks for.
 */
function withCorrelationId<O>(output: O, correlationId: string): O {
  if (output === null || typeof output !== "object" || Array.isArray(output)) return output;
  return { ...output, correlationId };
}

/** The order a request or response names, so the order's trace finds this call's span. */
function orderIdOf(value: unknown): string | undefined {
  const orderId = (value as { orderId?: unknown } | null | undefined)?.orderId;
  return typeof orderId === "string" ? orderId : undefined;
}

function assertAppVerified(spec: CallableSpec, request: Partial<Pick<CallableRequest<unknown>, "app">>, deps: GatewayDeps): void {
  const enforced = spec.enforceAppCheck ?? deps.appCheckEnforced?.() ?? false;
  if (enforced && !request.app) {
    throw new DomainError("unauthenticated", "This app could not be verified. Update the app or try again.", { reason: "app-check-required" });
  }
}

function authorize(spec: CallableSpec, request: Pick<CallableRequest<unknown>, "auth">, correlationId: string): Caller {
  const claims = (request.auth?.token ?? {}) as Record<string, unknown>;
  if (!request.auth) {
    if (spec.access === "public") return { uid: undefined, role: "anonymous", claims, correlationId };
    throw new DomainError("unauthenticated", "Sign in to do this.", { reason: "sign-in-required" });
  }
  const role = roleOf(claims);
  if (Array.isArray(spec.access) && !spec.access.includes(role)) {
    throw permissionDenied(`This needs one of the roles: ${spec.access.join(", ")}.`, "role-required");
  }
  return { uid: request.auth.uid, role, claims, correlationId };
}

function checkPayloadSize(spec: CallableSpec, request: Pick<CallableRequest<unknown>, "data" | "rawRequest">): void {
  const max = spec.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const declared = Number(request.rawRequest?.headers?.["content-length"] ?? NaN);
  const size = Number.isFinite(declared) ? declared : Buffer.byteLength(JSON.stringify(request.data ?? null));
  if (size > max) {
    throw invalidArgument([{ path: "", message: `Request body is ${size} bytes; the limit is ${max}.` }], "Request is too large.");
  }
}

/** Maps any failure to what the client may see; unknown errors are logged and become `internal`. */
export function toHttpsError(error: unknown, correlationId: string, durationMs?: number): HttpsError {
  if (error instanceof DomainError) {
    log.warn(OPS_EVENTS.callableRefused.name, { code: error.code, reason: error.extra.reason, durationMs });
    const details: ErrorDetails = { correlationId, ...error.extra };
    return new HttpsError(error.code, error.message, details);
  }
  if (error instanceof HttpsError) {
    log.warn(OPS_EVENTS.callableRefused.name, { code: error.code, durationMs });
    return new HttpsError(error.code, error.message, { ...(error.details as object), correlationId });
  }
  log.error(OPS_EVENTS.callableFailed.name, error, { durationMs });
  const details: ErrorDetails = { correlationId, reason: "internal" };
  return new HttpsError("internal", "Something went wrong on our side. Quote the correlation id if it persists.", details);
}
