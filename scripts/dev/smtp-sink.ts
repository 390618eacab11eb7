/**
 * A local SMTP server that keeps every email it is sent, so the real `nodemailer` client runs
 * offline against a real SMTP exchange (no TLS, no login). What it received is readable over
 * HTTP, like the other doubles, for tests and `npm run dev:outbox`:
 *   GET  /_double/messages   every email accepted, oldest first (?to= to filter by recipient):
 *        { id, at, from, to, subject, text, messageId, notificationId, attachments: [{ filename,
 *        contentType, size, head }] } where `head` is the attachment's first bytes as text
 *   GET  /_double/messages/{id}/attachments/{n}  the attachment's bytes
 *   POST /_double/fail       { to (regex), code, stage: "rcpt" | "data", count }  the next emails to
 *                            matching addresses are refused with that SMTP reply code (451 try
 *                            later, 550 no such mailbox…) at RCPT TO or after DATA; or
 *                            { to, after: "hang", count }: the email is kept, then the final
 *                            answer never comes (the client times out)
 *   POST /_double/reset      forget pending failures
 * Run: tsx scripts/dev/smtp-sink.ts  (SMTP on SMTP_SINK_PORT, default 12116; HTTP on
 * SMTP_SINK_HTTP_PORT, default 12117)
 */
import { randomUUID } from "node:crypto";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { serveDouble } from "./double-server.ts";

const SMTP_PORT = Number(process.env.SMTP_SINK_PORT ?? 12116);
const HTTP_PORT = Number(process.env.SMTP_SINK_HTTP_PORT ?? 12117);

interface Failure {
  to: RegExp;
  code: number;
  stage: "rcpt" | "data";
  after?: "hang";
  count: number;
}

interface Kept {
  id: string;
  at: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string | null;
  notificationId: string | null;
  attachments: { filename: string; contentType: string; size: number; head: string }[];
}

let failures: Failure[] = [];
const messages: Kept[] = [];
const attachmentBytes = new Map<string, Buffer[]>();

/** Takes the first pending failure for any of `addresses` at `stage`, counting it down. */
function failureFor(addresses: string[], stage: Failure["stage"]): Failure | undefined {
  const failure = failures.find((f) => f.count > 0 && f.stage === stage && addresses.some((a) => f.to.test(a)));
  if (failure) failure.count -= 1;
  return failure;
}

const refusal = (code: number) => Object.assign(new Error(code >= 500 ? "Mailbox unavailable" : "Try again later"), { responseCode: code });

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  size: 10 * 1024 * 1024,
  onRcptTo(address, _session, callback) {
    const failure = failureFor([address.address], "rcpt");
    callback(failure ? refusal(failure.code) : undefined);
  },
  onData(stream, session, callback) {
    const to = session.envelope.rcptTo.map((r) => r.address);
    simpleParser(stream)
      .then((mail) => {
        const failure = failureFor(to, "data");
        if (failure && !failure.after) return callback(refusal(failure.code));
        const id = randomUUID();
        const files = mail.attachments ?? [];
        attachmentBytes.set(id, files.map((a) => a.content));
        messages.push({
          id,
          at: new Date().toISOString(),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to,
          subject: mail.subject ?? "",
          text: mail.text ?? "",
          messageId: mail.messageId ?? null,
          notificationId: (mail.headers.get("x-notification-id") as string | undefined) ?? null,
          attachments: files.map((a) => ({ filename: a.filename ?? "", contentType: a.contentType, size: a.size, head: a.content.subarray(0, 8).toString("latin1") })),
        });
        // Kept, then no final answer: the client cannot know the email arrived.
        if (failure?.after === "hang") return;
        callback();
      })
      .catch((error: Error) => callback(error));
  },
});

server.listen(SMTP_PORT, "127.0.0.1", () => {
  serveDouble("SMTP sink", HTTP_PORT, ({ method, url, raw }, send) => {
    if (url.pathname === "/_double/fail" && method === "POST") {
      const body = JSON.parse(raw || "{}") as { to?: string; code?: number; stage?: "rcpt" | "data"; after?: "hang"; count?: number };
      failures.push({ to: new RegExp(body.to ?? "."), code: body.code ?? 451, stage: body.after ? "data" : (body.stage ?? "rcpt"), after: body.after, count: body.count ?? 1 });
      return send(200, { ok: true });
    }
    if (url.pathname === "/_double/reset" && method === "POST") {
      failures = [];
      return send(200, { ok: true });
    }
    if (url.pathname === "/_double/messages") {
      const to = url.searchParams.get("to");
      return send(200, to ? messages.filter((m) => m.to.includes(to)) : messages);
    }
    const file = url.pathname.match(/^\/_double\/messages\/([\w-]+)\/attachments\/(\d+)$/);
    if (file) {
      const bytes = attachmentBytes.get(file[1])?.[Number(file[2])];
      return bytes ? send(200, { base64: bytes.toString("base64") }) : send(404, { error: "no such attachment" });
    }
    send(404, { error: "not found" });
  });
  console.log(`SMTP sink taking mail on smtp://127.0.0.1:${SMTP_PORT}`);
});
