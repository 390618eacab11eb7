/**
 * Bulkheads as declared: options resolve as `firebase deploy` resolves them, a broadcast's share
 * of the platform is bounded whatever its audience, and the README's bulkhead table is the one
 * the code declares.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as entry from "../../src/index";
import { bulkheadTable, deployedFunctions, resolveDeployedOptions, type DeployedOptions } from "../support/deployed-options";

// The 1st gen auth trigger reads the project id when its options are read.
process.env.GCLOUD_PROJECT ??= "demo-food-delivery";

const functions = () => deployedFunctions(entry as unknown as Parameters<typeof deployedFunctions>[0]);
const named = (name: string): DeployedOptions => {
  const found = functions().find((f) => f.name === name);
  assert.ok(found, `${name} is exported`);
  return found;
};

describe("deployed options", () => {
  it("resolve CPU from memory and concurrency from CPU, as firebase deploy does", () => {
    const reset = {}; // firebase-functions' RESET_VALUE: the platform default
    assert.deepEqual(
      (({ memoryMiB, cpu, concurrency, maxInstances }) => ({ memoryMiB, cpu, concurrency, maxInstances }))(
        resolveDeployedOptions("a-b", "a.b", { platform: "gcfv2", availableMemoryMb: reset as number, maxInstances: reset as number, httpsTrigger: {} }),
      ),
      { memoryMiB: 256, cpu: 1, concurrency: 80, maxInstances: undefined },
    );
    assert.equal(resolveDeployedOptions("a-b", "a.b", { platform: "gcfv2", cpu: "gcf_gen1", availableMemoryMb: 512, httpsTrigger: {} }).concurrency, 1, "less than a CPU serves one request at a time");
    assert.equal(resolveDeployedOptions("a-b", "a.b", { platform: "gcfv1", eventTrigger: {} }).concurrency, 1, "1st gen serves one request at a time");
    const task = resolveDeployedOptions("a-b", "a.b", { platform: "gcfv2", taskQueueTrigger: { rateLimits: { maxConcurrentDispatches: 3, maxDispatchesPerSecond: null } } });
    assert.deepEqual(task.queue, { maxConcurrentDispatches: 3, maxDispatchesPerSecond: undefined });
  });
});

describe("bulkheads", () => {
  it("a broadcast holds at most two single-batch instances, fed one batch at a time", () => {
    const batch = named("notifications-broadcastBatch");
    assert.equal(batch.concurrency, 1);
    assert.equal(batch.maxInstances, 2);
    assert.deepEqual(batch.queue, { maxConcurrentDispatches: 1, maxDispatchesPerSecond: 2 });
    assert.ok((named("notifications-startBroadcast").maxInstances ?? Infinity) <= 2);
  });

  it("checkout has room for far more requests at once than any background work", () => {
    const checkout = named("checkout-placeOrder");
    const capacity = (f: DeployedOptions) => f.concurrency * (f.maxInstances ?? 100);
    assert.ok(checkout.cpu >= 1 && checkout.concurrency > 1, "checkout serves many requests per instance");
    for (const f of functions().filter((f) => f.trigger === "task" || f.name.startsWith("notifications-"))) {
      assert.ok(capacity(checkout) >= 4 * capacity(f), `${f.name} (${capacity(f)} at once) is bounded well below checkout (${capacity(checkout)})`);
    }
  });

  it("the README's bulkhead table is the one the code declares", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "..", "README.md"), "utf8");
    const table = bulkheadTable(functions());
    assert.ok(readme.includes(table), `README.md's bulkhead table is out of date; the code declares:\n${table}`);
  });
});
