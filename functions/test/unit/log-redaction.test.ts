/**
 * The logger keeps personal data out of log lines even when a call site passes it: fields named
 * for it are redacted, and emails, phone numbers and push tokens inside any text are masked.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { log } from "../../src/shared/log";

/** What the logger printed while `work` ran. */
function printed(work: () => void): string {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  for (const stream of streams) stream.write = ((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true)) as typeof stream.write;
  try {
    work();
  } finally {
    streams.forEach((stream, i) => (stream.write = originals[i]));
  }
  return chunks.join("");
}

const EMAIL = "lucia.perez@example.test";
const PHONE = "+34600123456";
const TOKEN = "fcm-token:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx";

describe("log redaction", () => {
  it("redacts fields that name personal data, at any depth", () => {
    const out = printed(() =>
      log.info("test.fields", { orderId: "o1", email: EMAIL, customer: { displayName: "Lucía Pérez", phone: PHONE, address: { line1: "Calle Mayor 1" } }, token: TOKEN }),
    );
    for (const secret of [EMAIL, PHONE, "Lucía Pérez", "Calle Mayor 1", TOKEN]) assert.ok(!out.includes(secret), `${secret} printed: ${out}`);
    assert.ok(out.includes('"orderId":"o1"'), "other fields stay");
  });

  it("masks emails, phone numbers and push tokens inside messages and errors", () => {
    const out = printed(() => {
      log.warn("test.text", { reason: `no answer from ${PHONE} for ${EMAIL}` });
      log.error("test.error", new Error(`The 'To' number ${PHONE} is not valid; token ${TOKEN}`), { orderId: "o2" });
    });
    for (const secret of [EMAIL, PHONE, TOKEN]) assert.ok(!out.includes(secret), `${secret} printed: ${out}`);
    assert.ok(out.includes("•••3456"), "the last digits stay, enough for support");
    assert.ok(out.includes('"orderId":"o2"'));
  });

  it("an error line keeps its event name as the message (metrics filter on it) and its stack readable", () => {
    const error = new Error("boom");
    error.stack = "Error: boom\n    at callErrorFromStatus (/srv/node_modules/@grpc/grpc-js/build/src/call.js:32:19)";
    const line = JSON.parse(printed(() => log.error("test.failed", error, { orderId: "o3" })).trim()) as Record<string, unknown>;
    assert.equal(line.message, "test.failed");
    assert.equal(line.severity, "ERROR");
    assert.equal(line.orderId, "o3");
    assert.match(String(line.stack_trace), /@grpc\/grpc-js\/build\/src\/call\.js:32:19/, "Error Reporting reads the stack, paths intact");
  });
});
