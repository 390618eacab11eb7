/**
 * A local stand-in for the FCM HTTP v1 API, so firebase-admin's messaging client runs offline.
 * It accepts `POST /v1/projects/{project}/messages:send` with a bearer token and answers as FCM
 * does: `{ name }` on success, or Google's error body with the FcmError code that firebase-admin
 * maps to `messaging/registration-token-not-registered`, `messaging/invalid-argument` and so on.
 * Control API under /_double:
 *   POST /_double/fail      { token (regex), error: unregistered|invalid|quota|unavailable, count }
 *   POST /_double/reset     forget pending failures
 *   GET  /_double/messages  messages accepted (?token=, ?broadcastId= to filter)
 *   GET  /_double/summary   counts for ?broadcastId=: messages, distinct tokens, duplicates
 *   GET  /_double/duplicates  every (data.notificationId, token) that was sent more than once:
 *        { notificationId, token, orderId, count }; what the invariant auditor checks
 * Tokens that contain "unregistered" or "invalid" always fail that way (handy for demo data).
 * Run: tsx scripts/dev/fcm-double.ts  (port FCM_DOUBLE_PORT, default 12113)
 */
import { randomBytes } from "node:crypto";
import { serveDouble } from "./double-server.ts";

const PORT = Number(process.env.FCM_DOUBLE_PORT ?? 12113);

type ErrorKind = "unregistered" | "invalid" | "quota" | "unavailable";

interface Failure {
  token: RegExp;
  error: ErrorKind;
  count: number;
}

interface Accepted {
  name: string;
  token: string;
  title?: string;
  body?: string;
  data: Record<string, string>;
}

const ERRORS: Record<ErrorKind, { status: number; grpc: string; fcm: string; message: string }> = {
  unregistered: { status: 404, grpc: "NOT_FOUND", fcm: "UNREGISTERED", message: "Requested entity was not found." },
  invalid: { status: 400, grpc: "INVALID_ARGUMENT", fcm: "INVALID_ARGUMENT", message: "The registration token is not a valid FCM registration token" },
  quota: { status: 429, grpc: "RESOURCE_EXHAUSTED", fcm: "QUOTA_EXCEEDED", message: "Quota exceeded for quota metric 'Send requests'." },
  unavailable: { status: 503, grpc: "UNAVAILABLE", fcm: "UNAVAILABLE", message: "The service is currently unavailable." },
};

let failures: Failure[] = [];
const accepted: Accepted[] = [];

function failureFor(token: string): ErrorKind | undefined {
  if (token.includes("unregistered")) return "unregistered";
  if (token.includes("invalid")) return "invalid";
  const rule = failures.find((f) => f.count > 0 && f.token.test(token));
  if (!rule) return undefined;
  rule.count -= 1;
  return rule.error;
}

serveDouble("FCM", PORT, ({ method, url, raw, header }, send) => {
  if (url.pathname === "/_double/fail") {
    const body = JSON.parse(raw || "{}") as { token?: string; error: ErrorKind; count?: number };
    failures.push({ token: new RegExp(body.token ?? "."), error: body.error, count: body.count ?? 1 });
    return send(200, { ok: true });
  }
  if (url.pathname === "/_double/reset") {
    failures = [];
    return send(200, { ok: true });
  }
  const token = url.searchParams.get("token");
  const broadcastId = url.searchParams.get("broadcastId");
  const matching = () => accepted.filter((m) => (!token || m.token === token) && (!broadcastId || m.data.broadcastId === broadcastId));
  if (url.pathname === "/_double/messages") return send(200, matching());
  if (url.pathname === "/_double/duplicates") {
    const groups = new Map<string, { notificationId: string; token: string; orderId: string | null; count: number }>();
    for (const m of accepted) {
      const notificationId = m.data.notificationId;
      if (!notificationId) continue;
      const key = `${notificationId}\n${m.token}`;
      const group = groups.get(key) ?? { notificationId, token: m.token, orderId: m.data.orderId ?? null, count: 0 };
      group.count += 1;
      groups.set(key, group);
    }
    return send(200, [...groups.values()].filter((g) => g.count > 1));
  }
  if (url.pathname === "/_double/summary") {
    const list = matching();
    const tokens = new Set(list.map((m) => m.token));
    return send(200, { messages: list.length, tokens: tokens.size, duplicates: list.length - tokens.size });
  }

  const match = url.pathname.match(/^\/v1\/projects\/([^/]+)\/messages:send$/);
  if (!match || method !== "POST") return send(404, { error: { code: 404, message: "Not found", status: "NOT_FOUND" } });
  if (!header("authorization").startsWith("Bearer ")) {
    return send(401, { error: { code: 401, message: "Request had invalid authentication credentials.", status: "UNAUTHENTICATED" } });
  }
  const message = (JSON.parse(raw || "{}") as { message?: { token?: string; notification?: { title?: string; body?: string }; data?: Record<string, string> } }).message;
  if (!message?.token) return send(400, { error: { code: 400, message: "Recipient of the message is not set.", status: "INVALID_ARGUMENT" } });
  const failure = failureFor(message.token);
  if (failure) {
    const e = ERRORS[failure];
    return send(e.status, { error: { code: e.status, message: e.message, status: e.grpc, details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: e.fcm }] } });
  }
  const name = `projects/${match[1]}/messages/${randomBytes(8).toString("hex")}`;
  accepted.push({ name, token: message.token, title: message.notification?.title, body: message.notification?.body, data: message.data ?? {} });
  send(200, { name });
});
