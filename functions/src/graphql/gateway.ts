/**
 * GraphQL's side of the callable gateway: the HTTP request becomes the request a callable gets
 * (`auth` from `Authorization: Bearer <ID token>`, `app` from `X-Firebase-AppCheck`), each field
 * runs through `handleCall` with the callable's own spec and implementation, and every failure
 * becomes a GraphQL error whose `extensions` are the callable error's code and details. The app's
 * contract version comes in the `X-App-Version` header and is held to MIN_APP_VERSION once per
 * request, as the callable gateway holds `contractVersion` (app-version.ts).
 */
import type { Request } from "express";
import type { DecodedAppCheckToken } from "firebase-admin/app-check";
import type { DecodedIdToken } from "firebase-admin/auth";
import { HttpsError } from "firebase-functions/v2/https";
import { GraphQLError } from "graphql";
import { APP_VERSION_HEADER, APP_VERSION_KEY } from "../contract/version";
import { assertAppVersionSupported } from "../shared/app-version";
import { handleCall, toHttpsError, type CallableImpl, type CallableSpec } from "../shared/callable";
import { acceptCorrelationId, CORRELATION_HEADER, newCorrelationId } from "../shared/context";
import { DomainError } from "../shared/errors";
import { appCheck, auth } from "../shared/firebase";
import { APP_CHECK_HEADER } from "../shared/http";
import { log } from "../shared/log";

/** A callable's declaration, as each `*.function.ts` exports it for this API. */
export interface Call<I, O> {
  spec: CallableSpec;
  load: () => Promise<CallableImpl<I, O>>;
}

/** Who sent the HTTP request, verified once per request, in the callable's terms. */
export interface RequestIdentity {
  /** The node request, with the request's correlation id in its headers (handleCall reads it there). */
  req: Request;
  correlationId: string;
  auth?: { uid: string; token: DecodedIdToken; rawToken: string };
  app?: { appId: string; token: DecodedAppCheckToken };
  /** The `X-App-Version` the app sent, already held to MIN_APP_VERSION. */
  appVersion?: string;
}

export interface TokenVerifiers {
  verifyIdToken(token: string): Promise<DecodedIdToken>;
  verifyAppCheckToken(token: string): Promise<{ appId: string; token: DecodedAppCheckToken }>;
}

export const firebaseVerifiers: TokenVerifiers = {
  verifyIdToken: (token) => auth().verifyIdToken(token),
  verifyAppCheckToken: (token) => appCheck().verifyToken(token),
};

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Verifies the request's tokens. A token that is sent must be valid, as with callables: a bad ID
 * token is `unauthenticated` (`invalid-token`), a bad App Check token `unauthenticated`
 * (`app-check-required`); whether a missing one is refused is each field's spec's call. Then the
 * app's version: while `minAppVersion` (MIN_APP_VERSION's value) is set, an app sending an older
 * one, or none, is `failed-precondition` / `app-update-required` for the whole request, the
 * public catalog reads included; a malformed one is `invalid-argument`.
 */
export async function identify(req: Request, verifiers: TokenVerifiers, minAppVersion = ""): Promise<RequestIdentity> {
  const correlationId = acceptCorrelationId(req.headers[CORRELATION_HEADER]) ?? newCorrelationId();
  req.headers[CORRELATION_HEADER] = correlationId;
  const identity: RequestIdentity = { req, correlationId };
  const authorization = req.headers.authorization;
  if (authorization) {
    const rawToken = BEARER.exec(authorization)?.[1];
    try {
      if (!rawToken) throw new Error("not a bearer token");
      const token = await verifiers.verifyIdToken(rawToken);
      identity.auth = { uid: token.uid, token, rawToken };
    } catch (error) {
      log.warn("graphql.id-token-rejected", { error: error instanceof Error ? error.name : typeof error });
      throw toGraphqlError(new DomainError("unauthenticated", "Your session is not valid. Sign in again.", { reason: "invalid-token" }), correlationId, 401);
    }
  }
  const appToken = req.headers[APP_CHECK_HEADER];
  if (typeof appToken === "string" && appToken) {
    try {
      identity.app = await verifiers.verifyAppCheckToken(appToken);
    } catch (error) {
      log.warn("graphql.app-check-rejected", { error: error instanceof Error ? error.name : typeof error });
      throw toGraphqlError(new DomainError("unauthenticated", "This app could not be verified. Update the app or try again.", { reason: "app-check-required" }), correlationId, 401);
    }
  }
  const version = req.headers[APP_VERSION_HEADER];
  const sent = Array.isArray(version) ? version[0] : version;
  try {
    assertAppVersionSupported(sent, minAppVersion, APP_VERSION_HEADER);
  } catch (error) {
    // The status a callable answers these codes with (failed-precondition and invalid-argument: 400).
    throw toGraphqlError(error, correlationId, 400);
  }
  identity.appVersion = sent;
  return identity;
}

/** Runs `call` exactly as its callable would for this request: App Check, auth, role, schema, rate limit, session. */
export async function runCall<I, O>(identity: RequestIdentity, call: Call<I, O>, data: unknown): Promise<O> {
  // The header's version rides in the data as the callable's own would, so handleCall's check
  // (the same MIN_APP_VERSION) agrees with identify's instead of refusing a request without one.
  const versioned = identity.appVersion === undefined ? withoutNulls(data) : { ...(withoutNulls(data) as object), [APP_VERSION_KEY]: identity.appVersion };
  try {
    return await handleCall(call.spec, call.load, { data: versioned, auth: identity.auth as never, app: identity.app as never, rawRequest: identity.req as never });
  } catch (error) {
    throw toGraphqlError(error, identity.correlationId);
  }
}

/** The callable's error as GraphQL carries it: `extensions` = `{ code, ...details }` (reason, fields, correlationId). */
export function toGraphqlError(error: unknown, correlationId: string, httpStatus?: number): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const https = error instanceof HttpsError ? error : toHttpsError(error, correlationId);
  const details = (https.details ?? {}) as Record<string, unknown>;
  return new GraphQLError(https.message, {
    extensions: { code: https.code, ...details, correlationId: details.correlationId ?? correlationId, ...(httpStatus ? { http: { status: httpStatus } } : {}) },
  });
}

/**
 * GraphQL sends an absent optional field as absent, but a client may send `null`: the schemas
 * (zod `.optional()`) mean "not given" by undefined, so nulls are dropped before validation.
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}
