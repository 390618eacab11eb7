/**
 * The typed callable helper. It takes the Firebase SDK's `httpsCallable` as an argument rather
 * than importing it, so the package depends on zod only and works with any SDK version:
 *
 *   import { httpsCallable } from "firebase/functions";
 *   const call = createCall(httpsCallable);
 *   const order = await call(functions, "placeOrder", request); // CallableResponse<"placeOrder">
 */
import { APP_VERSION_KEY, CALLABLE_SCHEMAS, CALLABLES, CONTRACT_VERSION, type CallableName, type CallableRequest, type CallableResponse, type FieldError } from "./contract/index.js";

/** The shape of `httpsCallable` from `firebase/functions` that `call` needs. */
// `never` takes the SDK's own Functions type (or a test double's) without naming it here.
export type HttpsCallableLike = (functions: never, name: string) => (data: unknown) => Promise<{ data: unknown }>;

/**
 * A request the contract refuses, found before it is sent. Shaped like the server's answer to
 * the same request (`code`, `details.reason`, `details.fields`), so the app handles both alike.
 */
export class InvalidRequestError extends Error {
  readonly code = "functions/invalid-argument";
  readonly details: { reason: "invalid-request"; fields: FieldError[] };

  constructor(name: CallableName, fields: FieldError[]) {
    super(`Invalid ${name} request: ${[...new Set(fields.map((f) => f.path || "(request)"))].join(", ")}.`);
    this.name = "InvalidRequestError";
    this.details = { reason: "invalid-request", fields };
  }
}

/** A callable's name and data for this contract: the request as the app wrote it, plus the contract version. */
function preparedRequest<N extends CallableName>(name: N, request: CallableRequest<N>): Record<string, unknown> {
  const checked = CALLABLE_SCHEMAS[name].request.safeParse(request);
  if (!checked.success) {
    throw new InvalidRequestError(name, checked.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })));
  }
  return { ...(request as Record<string, unknown>), [APP_VERSION_KEY]: CONTRACT_VERSION };
}

/**
 * Binds the SDK's `httpsCallable` into `call(functions, name, request)`: checks the request
 * against the contract (throwing InvalidRequestError, nothing sent), sends it with the contract
 * version, and answers the typed response. Server errors arrive as the SDK's FunctionsError;
 * `isErrorReason(error.details?.reason)` narrows their reason.
 */
export function createCall<H extends HttpsCallableLike>(httpsCallable: H) {
  return async function call<N extends CallableName>(functions: Parameters<H>[0], name: N, request: CallableRequest<N>): Promise<CallableResponse<N>> {
    const data = preparedRequest(name, request);
    const result = await httpsCallable(functions, CALLABLES[name])(data);
    return result.data as CallableResponse<N>;
  };
}
