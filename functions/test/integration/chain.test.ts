/**
 * The smoke test of the whole stack, driven as the mobile app drives it: sign up in the Auth
 * emulator, call a callable, then watch (with a Firestore listener, through security rules)
 * every hop of callable -> Firestore write -> trigger -> Pub/Sub -> subscriber -> Cloud Task ->
 * task handler, each stamped with the same correlation id.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { CALLABLES, PROBE_HOPS, ProbeDocument, StartProbeResponse } from "../../src/contract";
import { admin, signUp, waitForDocument, type AppClient } from "../support/emulators";

describe("event chain, end to end", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));

  it("carries one correlation id through every hop and completes exactly once", async () => {
    const app = await signUp();
    clients.push(app);

    // Parsing with the contract's schemas proves the server answers what the app is told to expect.
    const { probeId, correlationId } = StartProbeResponse.parse(await app.call(CALLABLES.startProbe, { label: "smoke" }));
    assert.match(probeId, /^[A-Za-z0-9]{20}$/);

    const probe = ProbeDocument.parse(await waitForDocument(app.firestore, `probes/${probeId}`, (d) => d?.status === "completed"));
    assert.equal(probe.uid, app.user.uid);
    assert.equal(probe.correlationId, correlationId);
    for (const hop of PROBE_HOPS) {
      assert.equal(probe.hops?.[hop]?.correlationId, correlationId, `hop ${hop} carries the request's correlation id`);
    }

    const ledger = await admin().db.collection("processedEvents").where("handler", "==", "diagnostics-completeProbe").get();
    const entries = ledger.docs.filter((d) => d.get("correlationId") === correlationId);
    assert.equal(entries.length, 1, "the task handler recorded its effect exactly once");
  });

  it("does not let one user watch another user's probe", async () => {
    const [alice, bob] = [await signUp(), await signUp()];
    clients.push(alice, bob);
    const { probeId } = StartProbeResponse.parse(await alice.call(CALLABLES.startProbe, {}));
    await assert.rejects(
      waitForDocument(bob.firestore, `probes/${probeId}`, () => true, 10_000),
      (error: { code?: string }) => error.code === "permission-denied",
    );
  });
});
