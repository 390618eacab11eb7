/**
 * The contract's version (semver): what the app was built against. It is the version of the
 * `@food-delivery/client` package (packages/client/package.json; its CHANGELOG.md says what
 * changed). The app sends it with every call, so the server can turn away an app older than
 * MIN_APP_VERSION with `failed-precondition` / `app-update-required`.
 */
export const CONTRACT_VERSION = "1.2.0";

/**
 * The request-data key a callable's version travels under: the Firebase SDK cannot set headers
 * on callables. The gateway removes it before the request meets its schema.
 */
export const APP_VERSION_KEY = "contractVersion";

/** The header other HTTP endpoints (GraphQL) read the version from. */
export const APP_VERSION_HEADER = "x-app-version";

/**
 * `major.minor.patch`, numbers only (no pre-release or build suffix). A plain check, not a zod
 * schema: the gateway runs it on every call, and a callable's instance loads zod only on first use.
 */
export function isContractVersion(value: unknown): value is string {
  return typeof value === "string" && /^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/.test(value);
}
