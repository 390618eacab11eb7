import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { createCatalogApp } from "../../src/catalog/api.app";
import type { AppCheckGuard } from "../../src/shared/http";

/**
 * The catalog API's App Check guard, with a stand-in verifier (the emulator cannot mint App Check
 * tokens). Requests go to an unknown path: a 404 `not-found` means the guard let them through,
 * and nothing reads Firestore.
 */
const verified: string[] = [];
const verify = async (token: string) => {
  verified.push(token);
  if (token !== "good-token") throw new Error("invalid token");
  return { appId: "app" };
};

const servers: Server[] = [];

async function serve(appCheck: AppCheckGuard): Promise<string> {
  const server = createCatalogApp({ appCheck, rateLimit: "none" }).listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function call(base: string, token?: string) {
  const response = await fetch(`${base}/v1/nothing-here`, { headers: token ? { "X-Firebase-AppCheck": token } : {} });
  return { status: response.status, body: (await response.json()) as { error: { code: string; details: { reason?: string } } } };
}

let enforced: string;
let relaxed: string;

before(async () => {
  enforced = await serve({ enforced: true, verify });
  relaxed = await serve({ enforced: false, verify });
});

after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

describe("catalog API: App Check", () => {
  it("refuses a request without a token with 401 in the API's error shape, when enforced", async () => {
    const { status, body } = await call(enforced);
    assert.equal(status, 401);
    assert.equal(body.error.code, "unauthenticated");
    assert.equal(body.error.details.reason, "app-check-required");
  });

  it("refuses a token the verifier rejects, without saying why", async () => {
    verified.length = 0;
    const { status, body } = await call(enforced, "forged-token");
    assert.equal(status, 401);
    assert.equal(body.error.code, "unauthenticated");
    assert.deepEqual(verified, ["forged-token"]);
  });

  it("lets a verified token through", async () => {
    const { status, body } = await call(enforced, "good-token");
    assert.equal(status, 404);
    assert.equal(body.error.code, "not-found");
  });

  it("asks nothing of the verifier when not enforced", async () => {
    verified.length = 0;
    assert.equal((await call(relaxed)).status, 404);
    assert.equal((await call(relaxed, "forged-token")).status, 404);
    assert.deepEqual(verified, []);
  });
});
