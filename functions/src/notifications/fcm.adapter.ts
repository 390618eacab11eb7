/**
 * The FCM adapter of the push port, on firebase-admin messaging (`sendEach`). Deployed, it uses
 * the default app and its service account. With FCM_API_URL set (the local FCM double), it uses
 * an app of its own whose HTTP agent carries every request to that origin and whose credential
 * is a fixed token, so the same SDK code runs offline and nothing reaches Google. Every sendEach
 * goes through FCM's policy (shared/provider-policies.ts): a timeout on the whole answer, the
 * circuit breaker and the bulkhead.
 */
import type { Agent } from "node:https";
import type { Messaging } from "firebase-admin/messaging";
import { adminApp } from "../shared/firebase";
import { fcmApiUrl } from "../shared/params";
import { callProvider } from "../shared/provider-policies";
import { classifyFcmError, classifyFcmTransportError, PUSH_BATCH_LIMIT, type PushMessage, type PushOutcome, type PushTransport } from "./push";
import { transportCode } from "./transport-errors";

let messaging: Messaging | undefined;

function client(): Messaging {
  if (!messaging) {
    const { getMessaging } = require("firebase-admin/messaging") as typeof import("firebase-admin/messaging");
    const base = fcmApiUrl.value();
    if (!base) {
      messaging = getMessaging(adminApp());
    } else {
      messaging = getMessaging(localDoubleApp(base));
      // HTTP/1.1 goes through the app's agent; the HTTP/2 transport would dial Google itself.
      messaging.enableLegacyHttpTransport();
    }
  }
  return messaging;
}

function localDoubleApp(base: string) {
  const { initializeApp, getApps } = require("firebase-admin/app") as typeof import("firebase-admin/app");
  const name = "fcm-local-double";
  const existing = getApps().find((app) => app.name === name);
  if (existing) return existing;
  const credential = { getAccessToken: async () => ({ access_token: "local-double-token", expires_in: 3600 }) };
  return initializeApp({ projectId: process.env.GCLOUD_PROJECT, credential, httpAgent: loopbackAgent(base) }, name);
}

/** An https agent in name only: it opens a plain TCP connection to `base`, whatever the URL says. */
function loopbackAgent(base: string): Agent {
  const https = require("node:https") as typeof import("node:https");
  const net = require("node:net") as typeof import("node:net");
  const target = new URL(base);
  class LoopbackAgent extends https.Agent {
    createConnection() {
      return net.connect(Number(target.port), target.hostname);
    }
  }
  return new LoopbackAgent({ keepAlive: true, maxSockets: 50 });
}

function toFcm(message: PushMessage) {
  return {
    token: message.token,
    notification: { title: message.title, body: message.body },
    data: message.data,
    android: { priority: message.urgent ? ("high" as const) : ("normal" as const) },
    apns: { headers: { "apns-priority": message.urgent ? "10" : "5" } },
  };
}

/** FCM's error code; for a message that got no answer, with the socket's error (`app/network-error:ECONNRESET`). */
function providerCodeOf(error: { code?: string; message?: string } | undefined): string {
  const code = error?.code ?? "unknown";
  if (code === "app/network-timeout") return `${code}:ETIMEDOUT`;
  if (code === "app/network-error") return `${code}:${transportCode(error) ?? "unknown"}`;
  return code;
}

/**
 * A batch every message of which FCM answered as its own failure (unavailable, internal): FCM is
 * down even though the call returned. Thrown inside the policy so it counts against the breaker;
 * the adapter still reports each message's answer.
 */
class FcmDown extends Error {
  constructor(readonly batch: Awaited<ReturnType<Messaging["sendEach"]>>) {
    super("FCM answered every message of the batch as unavailable");
    this.name = "FcmDown";
  }
}

function failIfFcmDown(batch: Awaited<ReturnType<Messaging["sendEach"]>>) {
  const down = batch.responses.length > 0 && batch.responses.every((r) => !r.success && classifyFcmError(r.error?.code, r.error?.message) === "unavailable");
  if (down) throw new FcmDown(batch);
  return batch;
}

export const fcmPush: PushTransport = {
  async sendEach(messages: PushMessage[]): Promise<PushOutcome[]> {
    if (messages.length > PUSH_BATCH_LIMIT) throw new RangeError(`sendEach takes at most ${PUSH_BATCH_LIMIT} messages`);
    if (messages.length === 0) return [];
    let batch: Awaited<ReturnType<Messaging["sendEach"]>>;
    try {
      batch = await callProvider("fcm", "fcm.send", () => client().sendEach(messages.map(toFcm)).then(failIfFcmDown), { inQueue: true });
    } catch (error) {
      if (error instanceof FcmDown) batch = error.batch;
      else {
      // The whole call failed (over HTTP/2, a session error does that): its answers are lost.
      // All of its messages are retried only if the connection provably never came up.
        const failure = classifyFcmTransportError(error);
        return messages.map(() => ({ ok: false, failure, providerCode: `transport:${transportCode(error as Error) ?? "unknown"}` }));
      }
    }
    return batch.responses.map((response) =>
      response.success
        ? { ok: true, messageId: response.messageId ?? "" }
        : { ok: false, failure: classifyFcmError(response.error?.code, response.error?.message), providerCode: providerCodeOf(response.error) },
    );
  },
};
