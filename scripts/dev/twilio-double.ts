/**
 * A local stand-in for Twilio's Messages API, so the real `twilio` SDK runs offline. It accepts
 * `POST /2010-04-01/Accounts/{sid}/Messages.json` with Basic auth, answers like Twilio (a
 * message resource, or an error body with Twilio's `code`), and adds a control API under /_double:
 *   POST /_double/fail      { to (regex), status, code, count }  next messages to matching numbers fail
 *   POST /_double/fail      { to (regex), after: "hang" | "drop", count }  next messages to matching
 *                           numbers are accepted (they show in /_double/messages), then the answer
 *                           never comes (the client times out) or the connection is reset
 *   POST /_double/reset     forget pending failures
 *   GET  /_double/messages  every message accepted
 * Run: tsx scripts/dev/twilio-double.ts  (port TWILIO_DOUBLE_PORT, default 12112)
 */
import { randomBytes } from "node:crypto";
import { serveDouble } from "./double-server.ts";

const PORT = Number(process.env.TWILIO_DOUBLE_PORT ?? 12112);

interface Failure {
  to: RegExp;
  status: number;
  code: number;
  /** Accept the message, then answer nothing. */
  after?: "hang" | "drop";
  count: number;
}

const ERROR_MESSAGES: Record<number, string> = {
  21211: "The 'To' number is not a valid phone number.",
  21610: "Attempt to send to unsubscribed recipient",
  21614: "'To' number is not a valid mobile number",
  20429: "Too Many Requests",
  30001: "Queue overflow",
};

let failures: Failure[] = [];
const messages: Record<string, unknown>[] = [];

serveDouble("Twilio", PORT, ({ method, url, raw, header }, send, unanswered) => {
  if (url.pathname === "/_double/fail") {
    const body = JSON.parse(raw || "{}") as { to?: string; status?: number; code?: number; after?: "hang" | "drop"; count?: number };
    failures.push({ to: new RegExp(body.to ?? "."), status: body.status ?? 400, code: body.code ?? 0, after: body.after, count: body.count ?? 1 });
    return send(200, { ok: true });
  }
  if (url.pathname === "/_double/reset") {
    failures = [];
    return send(200, { ok: true });
  }
  if (url.pathname === "/_double/messages") return send(200, messages);

  const match = url.pathname.match(/^\/2010-04-01\/Accounts\/(AC\w+)\/Messages\.json$/);
  if (!match || method !== "POST") return send(404, { code: 20404, message: "The requested resource was not found", status: 404 });
  if (!header("authorization").startsWith("Basic ")) return send(401, { code: 20003, message: "Authenticate", status: 401 });
  const params = Object.fromEntries(new URLSearchParams(raw));
  const failure = failures.find((f) => f.count > 0 && f.to.test(params.To ?? ""));
  if (failure) failure.count -= 1;
  if (failure && !failure.after) {
    return send(failure.status, { code: failure.code, message: ERROR_MESSAGES[failure.code] ?? "Error", more_info: `https://www.twilio.com/docs/errors/${failure.code}`, status: failure.status });
  }
  const message = {
    sid: `SM${randomBytes(16).toString("hex")}`,
    account_sid: match[1],
    to: params.To,
    from: params.From ?? null,
    messaging_service_sid: params.MessagingServiceSid ?? null,
    body: params.Body,
    status: "queued",
    status_callback: params.StatusCallback ?? null,
    error_code: null,
    date_created: new Date().toUTCString(),
  };
  messages.push(message);
  if (failure?.after) return unanswered[failure.after]();
  send(201, message);
});
