/**
 * Nothing a local run does may reach beyond loopback. Every Node process of `npm test` and
 * `npm start` (CLI, Functions workers, test runners) preloads scripts/dev/network-guard.cjs,
 * which refuses such connections and logs them; this tier runs last and reads that log.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";

const guardLog = process.env.NETWORK_GUARD_LOG ?? join(__dirname, "..", "..", "..", ".cache", "network-guard.log");

function loggedAttempts(): { kind: string; host: string; port?: number; argv: string[] }[] {
  if (!existsSync(guardLog)) return [];
  return readFileSync(guardLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe("network isolation", () => {
  it("the guard is armed in test processes and refuses a non-loopback address", async () => {
    const before = loggedAttempts().length;
    const error = await new Promise<Error>((resolve) => {
      // 192.0.2.0/24 is TEST-NET-1: documentation-only, never routed.
      const socket = connect({ host: "192.0.2.1", port: 443 });
      socket.on("error", resolve);
      socket.on("connect", () => resolve(new Error("connected")));
    });
    assert.match(error.message, /network guard/);
    const attempts = loggedAttempts();
    assert.equal(attempts.length, before + 1);
    assert.equal(attempts.at(-1)?.host, "192.0.2.1");
  });

  it("no process of this run tried to reach beyond loopback (besides the check above)", () => {
    const attempts = loggedAttempts().filter((a) => a.host !== "192.0.2.1");
    assert.deepEqual(attempts, [], `attempts beyond loopback:\n${attempts.map((a) => JSON.stringify(a)).join("\n")}`);
  });
});
