/**
 * App version gating: an app built against a contract older than MIN_APP_VERSION is told to
 * update (`failed-precondition` / `app-update-required`, with `minAppVersion` in the details)
 * instead of meeting requests it no longer understands. Callables carry the version in their
 * request data (APP_VERSION_KEY; the gateway takes it off before the schema sees the request);
 * HTTP endpoints read the APP_VERSION_HEADER header and call the same check.
 */
import { APP_VERSION_KEY, isContractVersion } from "../contract/version";
import { DomainError, invalidArgument } from "./errors";
import { log } from "./log";

/** Versions compared as numbers, part by part: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < 3; i += 1) {
    if (left[i] !== right[i]) return left[i] < right[i] ? -1 : 1;
  }
  return 0;
}

/** Empty or 0.0.0 switches the check off: every app is served, with or without a version. */
export function gatingOn(minimum: string): boolean {
  return minimum.trim() !== "" && minimum.trim() !== "0.0.0";
}

/**
 * Refuses a malformed version (`invalid-argument`, named by `field`) and, while MIN_APP_VERSION
 * is set, an app that sends none or an older one. `minimum` is MIN_APP_VERSION's value.
 */
export function assertAppVersionSupported(sent: unknown, minimum: string, field: string = APP_VERSION_KEY): void {
  if (sent !== undefined && !isContractVersion(sent)) {
    throw invalidArgument([{ path: field, message: "Use major.minor.patch, e.g. 1.4.0." }]);
  }
  if (!gatingOn(minimum)) return;
  const min = minimum.trim();
  if (!isContractVersion(min)) {
    // A mistyped param must not lock every app out: serve, and say so where operators look.
    log.error("app-version.minimum-malformed", new Error("MIN_APP_VERSION is not major.minor.patch"), { minimum: min });
    return;
  }
  if (sent === undefined || compareVersions(sent, min) < 0) {
    const message = `This version of the app is no longer supported. Update the app (contract ${min} or later).`;
    throw new DomainError("failed-precondition", message, {
      reason: "app-update-required",
      fields: [{ path: field, message: `${min} or later is needed.` }],
      minAppVersion: min,
    });
  }
}

/** Splits a callable's request data into the app's version and the request proper. */
export function takeAppVersion(data: unknown): { version: unknown; request: unknown } {
  if (data === null || typeof data !== "object" || Array.isArray(data) || !(APP_VERSION_KEY in data)) return { version: undefined, request: data };
  const { [APP_VERSION_KEY]: version, ...request } = data as Record<string, unknown>;
  return { version, request };
}
