import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientAddress } from "../../src/shared/client-address";

const request = (forwardedFor: string | undefined, remoteAddress = "10.0.0.9") => ({
  headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
  socket: { remoteAddress },
});

describe("client address", () => {
  it("reads the address the front end saw, not the hops a client wrote before it", () => {
    assert.equal(clientAddress(request("203.0.113.7"), 0), "203.0.113.7");
    assert.equal(clientAddress(request("1.1.1.1, 2.2.2.2, 203.0.113.7"), 0), "203.0.113.7");
  });

  it("skips the deployment's own proxies from the end", () => {
    assert.equal(clientAddress(request("1.1.1.1, 203.0.113.7, 34.120.0.1"), 1), "203.0.113.7");
    // Fewer hops than configured: the first one is all there is.
    assert.equal(clientAddress(request("203.0.113.7"), 3), "203.0.113.7");
  });

  it("falls back to the socket's peer without a header", () => {
    assert.equal(clientAddress(request(undefined), 0), "10.0.0.9");
    assert.equal(clientAddress(request(" , "), 0), "10.0.0.9");
  });
});
