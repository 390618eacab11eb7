/**
 * Firebase Auth blocking functions (`beforeUserCreated`, `beforeUserSignedIn`): Auth waits for
 * their answer before it creates an account or signs someone in. They need Identity Platform in
 * production; the Auth emulator runs them as deployed. An implementation refuses by throwing a
 * DomainError: the person gets its message with the reason code in brackets (Auth passes on
 * only the message), and anything unexpected refuses with `unavailable`, never an upstream text.
 */
import { beforeUserCreated, beforeUserSignedIn, HttpsError, type AuthUserRecord, type BlockingOptions } from "firebase-functions/v2/identity";
import { newCorrelationId } from "./context";
import { DomainError } from "./errors";
import { log } from "./log";
import { traceWork } from "./tracing";

export interface AdmissionImpl {
  /** Resolves to let the person in; throws a DomainError to refuse. */
  admit(user: AuthUserRecord): Promise<void>;
}

/** Auth waits at most 7 s for a blocking function (the global 60 s is refused at load). */
const BLOCKING_TIMEOUT_SECONDS = 7;

interface BlockingSpec {
  name: string;
  options?: BlockingOptions;
}

export function defineBeforeUserCreated(spec: BlockingSpec, load: () => Promise<AdmissionImpl>) {
  return beforeUserCreated({ timeoutSeconds: BLOCKING_TIMEOUT_SECONDS, ...spec.options }, (event) => admit(spec.name, load, event.data));
}

export function defineBeforeUserSignedIn(spec: BlockingSpec, load: () => Promise<AdmissionImpl>) {
  return beforeUserSignedIn({ timeoutSeconds: BLOCKING_TIMEOUT_SECONDS, ...spec.options }, (event) => admit(spec.name, load, event.data));
}

async function admit(name: string, load: () => Promise<AdmissionImpl>, user: AuthUserRecord | undefined): Promise<void> {
  if (!user) throw new HttpsError("invalid-argument", "No user in the request.");
  return traceWork({ handler: name, role: "server", correlationId: newCorrelationId(), uid: user.uid }, async () => {
    const started = Date.now();
    try {
      await (await load()).admit(user);
      log.info("auth.admitted", { durationMs: Date.now() - started });
    } catch (error) {
      if (error instanceof DomainError) {
        log.warn("auth.refused", { reason: error.extra.reason, durationMs: Date.now() - started });
        throw new HttpsError(error.code, `${error.message} (${error.extra.reason})`, { reason: error.extra.reason });
      }
      log.error("auth.admission-failed", error, { durationMs: Date.now() - started });
      throw new HttpsError("unavailable", "Signing in is not possible right now. Try again in a moment. (admission-unavailable)", { reason: "admission-unavailable" });
    }
  });
}
