/**
 * The functions host (scripts/load/functions-host.ts), started as bench:load starts it: the built
 * functions on the Functions Framework behind a router that holds each instance to its declared
 * concurrency. It serves the bare hello-world target, queues what exceeds an instance's
 * concurrency, and serves a real callable over the callable protocol with an Auth emulator ID
 * token verified as deployed (no emulator debug switch), a forged token refused.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { oneUnitCashOrder, restaurantWithStock, SOL, stockLeft } from "../support/checkout";
import { admin, PROJECT_ID, randomPhone } from "../support/emulators";

const REPO = join(__dirname, "..", "..", "..");

let host: ChildProcess;
let base: string;

function startHost(targets: string[]): Promise<string> {
  host = spawn(process.execPath, ["--import", "tsx", join(REPO, "scripts", "load", "functions-host.ts"), ...targets], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    host.once("exit", (code) => reject(new Error(`functions host exited with ${code}`)));
    let seen = "";
    host.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split("\n").find((l) => l.startsWith("functions-host ready "));
      if (line) resolve((JSON.parse(line.slice("functions-host ready ".length)) as { url: string }).url);
    });
  });
}

const url = (target: string, rest = "") => `${base}/${PROJECT_ID}/us-central1/${target}${rest}`;

async function idTokenOf(email: string, password: string): Promise<string> {
  const answer = await fetch(`http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=demo-api-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
  return ((await answer.json()) as { idToken: string }).idToken;
}

async function call(target: string, data: unknown, idToken?: string) {
  const answer = await fetch(url(target), {
    method: "POST",
    headers: { "content-type": "application/json", ...(idToken ? { authorization: `Bearer ${idToken}` } : {}) },
    body: JSON.stringify({ data }),
  });
  return { status: answer.status, body: (await answer.json()) as { result?: { orderId?: string }; error?: { status: string; details?: { reason?: string; fields?: unknown } } } };
}

/** An unsigned token shaped like the Auth emulator's, for another project. */
function forgedToken(uid: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: "https://securetoken.google.com/other-project", aud: "other-project", sub: uid, user_id: uid, iat: now, exp: now + 3600, auth_time: now };
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

before(async () => {
  base = await startHost(["hello-world", "checkout-placeOrder"]);
});

after(() => {
  host.kill("SIGTERM");
});

describe("functions host", () => {
  it("serves the bare hello-world target under the emulator's URL scheme", async () => {
    const answer = await fetch(url("hello-world"));
    assert.equal(answer.status, 200);
    assert.equal(await answer.text(), "hello");
    assert.equal((await fetch(url("nothing-here"))).status, 404);
  });

  it("holds an instance to its declared concurrency (80) and queues the rest in order", async () => {
    const before = (await (await fetch(`${base}/_host/stats`)).json()) as Record<string, { queued: number }>;
    const answers = await Promise.all(Array.from({ length: 100 }, () => fetch(url("hello-world", "?waitMs=600")).then((r) => r.status)));
    assert.deepEqual(new Set(answers), new Set([200]));
    const stats = (await (await fetch(`${base}/_host/stats`)).json()) as Record<string, { queued: number; longestWaitMs: number; refused: number }>;
    assert.equal(stats["hello-world"].queued - before["hello-world"].queued, 20, "80 in flight, 20 waiting for a slot");
    assert.ok(stats["hello-world"].longestWaitMs >= 300, `a queued request waited for a slot (${stats["hello-world"].longestWaitMs} ms)`);
    assert.equal(stats["hello-world"].refused, 0);
  });

  it("serves a callable with the callable protocol and an Auth emulator ID token", async () => {
    const { restaurantId, itemId } = await restaurantWithStock(1);
    const email = `host-${randomUUID()}@example.test`;
    await admin().auth.createUser({ email, password: "host-password", phoneNumber: randomPhone() });
    const token = await idTokenOf(email, "host-password");
    const order = oneUnitCashOrder(restaurantId, itemId);
    const placed = await call("checkout-placeOrder", order, token);
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    assert.match(placed.body.result?.orderId ?? "", /.+/);
    assert.equal(await stockLeft(restaurantId, itemId), 0);

    const invalid = await call("checkout-placeOrder", { ...order, tip: -1, idempotencyKey: randomUUID() }, token);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error?.status, "INVALID_ARGUMENT");
  });

  it("verifies ID tokens as deployed: none or a forged one is refused before any work", async () => {
    const { restaurantId, itemId } = await restaurantWithStock(1);
    const order = { restaurantId, lines: [{ itemId, quantity: 1, modifiers: [] }], deliveryAddress: SOL, tip: 0, paymentMethod: "cash", idempotencyKey: randomUUID() };
    const anonymous = await call("checkout-placeOrder", order);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error?.details?.reason, "sign-in-required");
    const forged = await call("checkout-placeOrder", order, forgedToken(`forged-${randomUUID()}`));
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error?.status, "UNAUTHENTICATED");
    assert.equal(await stockLeft(restaurantId, itemId), 1);
  });
});
