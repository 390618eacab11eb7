import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

/**
 * SDKs that load on first use only, never with the module (Firestore comes with its trigger SDK,
 * and brings @opentelemetry/api along; the tracing SDK and exporter are ours to keep out).
 */
const ON_FIRST_USE = ["@google-cloud/pubsub", "@google-cloud/tasks", "zod", "stripe", "twilio", "@opentelemetry/core", "@opentelemetry/sdk-trace-base", "@google-cloud/opentelemetry-cloud-trace-exporter", "graphql", "graphql-yoga", "dataloader"];

function packagesLoadedFor(target: string): string[] {
  const script = join(__dirname, "..", "support", "module-footprint.ts");
  const run = spawnSync(process.execPath, ["--import", "tsx", script, target], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split("\n").pop() ?? "[]") as string[];
}

describe("cold start footprint", () => {
  it("the entry module alone loads only the options module of firebase-functions", () => {
    const loaded = packagesLoadedFor("");
    assert.deepEqual(loaded, ["firebase-functions"]);
  });

  it("a callable's instance loads no package beyond what the bare https SDK loads", () => {
    const baseline = new Set(packagesLoadedFor("baseline"));
    const loaded = packagesLoadedFor("diagnostics.startProbe");
    assert.deepEqual(loaded.filter((p) => !baseline.has(p)), []);
  });

  it("the GraphQL API's instance loads graphql and its server on the first request, not with the module", () => {
    const baseline = new Set(packagesLoadedFor("baseline"));
    const loaded = packagesLoadedFor("api.graphql");
    assert.deepEqual(loaded.filter((p) => !baseline.has(p)), []);
  });

  it("even discovery of every function loads none of the SDKs meant for first use", () => {
    const loaded = packagesLoadedFor("*");
    assert.deepEqual(loaded.filter((p) => ON_FIRST_USE.includes(p)), []);
  });

  it("deploy-time discovery still sees every function", () => {
    const script = join(__dirname, "..", "support", "module-footprint.ts");
    const run = spawnSync(process.execPath, ["--import", "tsx", "-e", `
      const entry = require(${JSON.stringify(join(__dirname, "..", "..", "src", "index.ts"))});
      const names = [];
      for (const [group, fns] of Object.entries(entry)) for (const [name, fn] of Object.entries(fns)) if (fn.__endpoint) names.push(group + "-" + name);
      console.log(JSON.stringify(names.sort()));`], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr + script);
    const names = JSON.parse(run.stdout.trim()) as string[];
    assert.ok(names.includes("diagnostics-startProbe") && names.includes("diagnostics-completeProbe") && names.includes("admin-setUserRole"), names.join(","));
  });
});

describe("client contract", () => {
  it("imports nothing but zod and its own files, so the app can bundle it", () => {
    const dir = join(__dirname, "..", "..", "src", "contract");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const source = readFileSync(join(dir, file), "utf8");
      for (const [, from] of source.matchAll(/from\s+"([^"]+)"/g)) {
        assert.ok(from === "zod" || from.startsWith("./"), `${file} imports ${from}`);
      }
    }
  });
});
