/**
 * Resilience policies for calls to the outside (Stripe, Twilio, FCM, SMTP): the one place where each
 * provider's timeout, circuit breaker, bulkhead and retries are decided, on `cockatiel`.
 *
 * Every outbound call goes through `callProvider(provider, point, call)`:
 *
 *   retry (only where safe) -> circuit breaker -> bulkhead -> timeout -> fault point -> call
 *
 * - **Timeout**: the whole call, headers and body, within the function's budget. The SDKs' own
 *   timeouts only notice a silent socket, so an answer that trickles in would hang for ever.
 * - **Circuit breaker**: after `consecutiveFailures` outages in a row (no answer, 5xx, a
 *   timeout; never a refusal such as a declined card) calls are refused at once for
 *   `PROVIDER_BREAKER_COOLDOWN_SECONDS`, then one trial call is let through (half-open): it
 *   closes the breaker or opens it again. Each change is an ops event (`provider.breaker-*`).
 * - **Bulkhead**: at most `maxConcurrent` calls per instance to one provider, `queue` more
 *   waiting; beyond that refused at once, so a flood of one kind cannot hold every socket.
 * - **Retry**: only where the provider dedupes (Stripe's idempotency keys), only outside a task
 *   queue (the queue retries with backoff across instances), and bounded.
 *
 * A refused call (breaker open, bulkhead full) throws `ProviderRefused`: it provably never left,
 * so the caller may retry it without risk of doing the thing twice. A timeout throws
 * `ProviderTimeout`: the request may have reached the provider.
 *
 * Breakers and bulkheads are per instance, like the SDK clients: nothing is shared between
 * instances, and a new instance starts closed.
 */
import { AsyncResource } from "node:async_hooks";
import type { BulkheadPolicy, CircuitBreakerPolicy, IPolicy } from "cockatiel";
import { withFault } from "./faults";
import { log } from "./log";
import { OPS_EVENTS } from "./ops-events";
import { fcmTimeoutSeconds, providerBreakerCooldownSeconds, smtpTimeoutSeconds, stripeTimeoutSeconds, twilioTimeoutSeconds } from "./params";

export type Provider = "stripe" | "twilio" | "fcm" | "smtp";

export interface ProviderPolicySpec {
  /** Longest wait for one attempt's whole answer. */
  timeoutMs: number;
  /** Outages in a row that open the breaker, and how long it stays open before a trial call. */
  breaker: { consecutiveFailures: number; halfOpenAfterMs: number };
  /** Calls in flight per instance, and calls waiting for a slot before more are refused. */
  bulkhead: { maxConcurrent: number; queue: number };
  /** Extra attempts after an outage, for calls made outside a task queue; 0 where a retry could act twice. */
  retries: number;
  /** First pause before a retry (doubling, with jitter). */
  retryDelayMs: number;
  /** Whether an error means the provider is failing (counts against the breaker, may be retried). */
  isOutage(error: unknown): boolean;
}

/** The error's HTTP status as the SDKs put it (`statusCode` for Stripe, `status` for Twilio). */
const httpStatusOf = (error: unknown): number | undefined => {
  const e = error as { statusCode?: unknown; status?: unknown } | null;
  const status = e?.statusCode ?? e?.status;
  return typeof status === "number" ? status : undefined;
};

/** No answer at all (a socket error, our timeout) or a server-side failure. */
function isNoAnswerOrServerError(error: unknown): boolean {
  if (error instanceof ProviderRefused) return false;
  const status = httpStatusOf(error);
  if (status !== undefined) return status >= 500;
  return true;
}

function isStripeOutage(error: unknown): boolean {
  const e = error as { type?: string } | null;
  if (e?.type === "StripeConnectionError" || e?.type === "StripeAPIError") return true;
  if (e?.type?.startsWith("Stripe")) return (httpStatusOf(error) ?? 0) >= 500;
  return isNoAnswerOrServerError(error);
}

/** An SMTP refusal (a 5xx, or a 4xx "try later" for this message) is an answer; no answer or a 421 "closing" is an outage. */
function isSmtpOutage(error: unknown): boolean {
  if (error instanceof ProviderRefused) return false;
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === "number" ? code === 421 : true;
}

/** The params are read when the first call needs them (never at deploy analysis). */
function specs(): Record<Provider, ProviderPolicySpec> {
  const halfOpenAfterMs = providerBreakerCooldownSeconds.value() * 1000;
  return {
    // Checkout makes up to three Stripe calls in its 60 s: 3 x 2 attempts x 6 s stays inside it.
    stripe: { timeoutMs: stripeTimeoutSeconds.value() * 1000, breaker: { consecutiveFailures: 5, halfOpenAfterMs }, bulkhead: { maxConcurrent: 20, queue: 40 }, retries: 1, retryDelayMs: 200, isOutage: isStripeOutage },
    // An SMS retried after no answer could be sent twice: the task queue retries only what provably never left.
    twilio: { timeoutMs: twilioTimeoutSeconds.value() * 1000, breaker: { consecutiveFailures: 5, halfOpenAfterMs }, bulkhead: { maxConcurrent: 10, queue: 20 }, retries: 0, retryDelayMs: 0, isOutage: isNoAnswerOrServerError },
    // One sendEach carries up to 500 messages; per-message refusals come back in its answer, not as errors.
    fcm: { timeoutMs: fcmTimeoutSeconds.value() * 1000, breaker: { consecutiveFailures: 5, halfOpenAfterMs }, bulkhead: { maxConcurrent: 10, queue: 20 }, retries: 0, retryDelayMs: 0, isOutage: isNoAnswerOrServerError },
    // An email retried after no answer could arrive twice: like SMS, only the task queue retries, and only what never left.
    smtp: { timeoutMs: smtpTimeoutSeconds.value() * 1000, breaker: { consecutiveFailures: 5, halfOpenAfterMs }, bulkhead: { maxConcurrent: 10, queue: 20 }, retries: 0, retryDelayMs: 0, isOutage: isSmtpOutage },
  };
}

/** A call refused without being made: the breaker is open or the bulkhead is full. */
export class ProviderRefused extends Error {
  /** A socket-style code, so transport classifiers see a call that never left (transport-errors.ts). */
  readonly code: "ECIRCUITOPEN" | "EBULKHEADFULL";
  constructor(
    readonly provider: Provider,
    readonly why: "breaker-open" | "bulkhead-full",
    readonly retryAfterSeconds: number,
  ) {
    super(`${provider} call refused: ${why}`);
    this.name = "ProviderRefused";
    this.code = why === "breaker-open" ? "ECIRCUITOPEN" : "EBULKHEADFULL";
  }
}

/** A call that did not answer within its provider's timeout; it may have taken effect. */
export class ProviderTimeout extends Error {
  readonly code = "ETIMEDOUT";
  constructor(readonly provider: Provider, readonly timeoutMs: number) {
    super(`${provider} did not answer within ${timeoutMs} ms`);
    this.name = "ProviderTimeout";
  }
}

/** Where a provider's breaker stands, for callers that decide before calling (checkout). */
export type ProviderAvailability = { available: true } | { available: false; retryAfterSeconds: number };

export interface ProviderPolicy {
  readonly provider: Provider;
  readonly spec: ProviderPolicySpec;
  /** Runs `call` under the policy; `inQueue` skips the retries (the task queue retries). */
  execute<T>(call: (signal: AbortSignal) => Promise<T>, options?: { inQueue?: boolean }): Promise<T>;
  availability(): ProviderAvailability;
  /** Counters since the policy was made, for benchmarks and tests. */
  readonly stats: { attempted: number; shortCircuited: number; bulkheadRejected: number; timedOut: number; failed: number; succeeded: number };
}

/** Builds a provider's policy from its spec; `callProvider` keeps one per provider per instance. */
export function createProviderPolicy(provider: Provider, spec: ProviderPolicySpec): ProviderPolicy {
  const c = require("cockatiel") as typeof import("cockatiel");
  // The policies' own refusals are not the provider failing: they neither trip the breaker nor retry.
  const outage = c.handleWhen((error) => !c.isBrokenCircuitError(error) && !c.isBulkheadRejectedError(error) && spec.isOutage(error));
  const breaker: CircuitBreakerPolicy = c.circuitBreaker(outage, { halfOpenAfter: spec.breaker.halfOpenAfterMs, breaker: new c.ConsecutiveBreaker(spec.breaker.consecutiveFailures) });
  const bulkhead: BulkheadPolicy = c.bulkhead(spec.bulkhead.maxConcurrent, spec.bulkhead.queue);
  const timeout = c.timeout(spec.timeoutMs, { strategy: c.TimeoutStrategy.Aggressive, abortOnReturn: true });
  const retry = spec.retries > 0 ? c.retry(outage, { maxAttempts: spec.retries, backoff: new c.ExponentialBackoff({ initialDelay: spec.retryDelayMs, maxDelay: spec.retryDelayMs * 4 }) }) : undefined;
  const stats = { attempted: 0, shortCircuited: 0, bulkheadRejected: 0, timedOut: 0, failed: 0, succeeded: 0 };
  let openedAt = 0;

  breaker.onBreak((reason) => {
    openedAt = Date.now();
    log.error(OPS_EVENTS.providerBreakerOpened.name, "error" in reason ? reason.error : undefined, { provider, failures: spec.breaker.consecutiveFailures, halfOpenAfterSeconds: spec.breaker.halfOpenAfterMs / 1000 });
  });
  breaker.onHalfOpen(() => log.info(OPS_EVENTS.providerBreakerHalfOpen.name, { provider }));
  breaker.onReset(() => log.info(OPS_EVENTS.providerBreakerClosed.name, { provider }));

  const secondsUntilTrial = () => Math.max(1, Math.ceil((openedAt + spec.breaker.halfOpenAfterMs - Date.now()) / 1000));

  const availability = (): ProviderAvailability => {
    // Open and cooling down: refused. Open past the cool-down: the next call is the trial, let it
    // through. Half-open: a trial is in flight and the breaker refuses everything else meanwhile.
    if (breaker.state === c.CircuitState.Open && Date.now() < openedAt + spec.breaker.halfOpenAfterMs) return { available: false, retryAfterSeconds: secondsUntilTrial() };
    if (breaker.state === c.CircuitState.HalfOpen) return { available: false, retryAfterSeconds: 1 };
    return { available: true };
  };

  const attempt = <T>(call: (signal: AbortSignal) => Promise<T>) =>
    breaker.execute(() =>
      // A queued call is started by the call that frees its slot; bound here, it keeps its own
      // request's context (correlation id, span) instead of running as that other request.
      bulkhead.execute(
        AsyncResource.bind(() =>
          timeout.execute(async (_context, signal) => {
            stats.attempted += 1;
            return call(signal);
          }),
        ),
      ),
    );

  const translate = (error: unknown): unknown => {
    if (c.isBrokenCircuitError(error)) {
      stats.shortCircuited += 1;
      const now = availability();
      return new ProviderRefused(provider, "breaker-open", now.available ? 1 : now.retryAfterSeconds);
    }
    if (c.isBulkheadRejectedError(error)) {
      stats.bulkheadRejected += 1;
      log.warn(OPS_EVENTS.providerBulkheadFull.name, { provider, maxConcurrent: spec.bulkhead.maxConcurrent, queue: spec.bulkhead.queue });
      return new ProviderRefused(provider, "bulkhead-full", 1);
    }
    // Not c.isTaskCancelledError: in cockatiel 3.2.1 it tests for the bulkhead's marker instead.
    if (error instanceof c.TaskCancelledError) {
      stats.timedOut += 1;
      return new ProviderTimeout(provider, spec.timeoutMs);
    }
    stats.failed += 1;
    return error;
  };

  return {
    provider,
    spec,
    stats,
    availability,
    async execute(call, options = {}) {
      const policy: IPolicy | undefined = options.inQueue ? undefined : retry;
      try {
        const result = await (policy ? policy.execute(() => attempt(call)) : attempt(call));
        stats.succeeded += 1;
        return result;
      } catch (error) {
        throw translate(error);
      }
    },
  };
}

const policies = new Map<Provider, ProviderPolicy>();

/** This instance's policy for `provider`, made on first use. */
export function providerPolicy(provider: Provider): ProviderPolicy {
  let policy = policies.get(provider);
  if (!policy) {
    policy = createProviderPolicy(provider, specs()[provider]);
    policies.set(provider, policy);
  }
  return policy;
}

/** Whether `provider` takes calls on this instance now; a provider not called yet does. */
export function providerAvailability(provider: Provider): ProviderAvailability {
  return policies.get(provider)?.availability() ?? { available: true };
}

/**
 * Calls a provider under its policy. `point` names the call for the fault plan and its client
 * span (faults.ts); an injected fault counts against the breaker like a real outage.
 */
export function callProvider<T>(provider: Provider, point: string, call: (signal: AbortSignal) => Promise<T>, options: { inQueue?: boolean } = {}): Promise<T> {
  return providerPolicy(provider).execute((signal) => withFault(point, () => call(signal)), options);
}

/** The policy specs in force, for the README table and the benchmark. */
export function providerPolicySpecs(): Record<Provider, ProviderPolicySpec> {
  return specs();
}
