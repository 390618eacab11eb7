import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";

const FUNCTIONS_DIR = join(__dirname, "..", "..");

describe("deploy analysis", () => {
  // The CLI loads every function with FUNCTIONS_CONTROL_API=true to read its options (deploy,
  // and every emulator start). A param read then has no deployed value and prints three warnings.
  it("defines every function without reading a param", () => {
    const visitAll = "const m = require('./src/index.ts'); let n = 0; for (const group of Object.values(m)) for (const fn of Object.values(group)) n += typeof fn === 'function' ? 1 : 0; console.log('functions', n);";
    const run = spawnSync(process.execPath, ["--import", "tsx", "-e", visitAll], {
      cwd: FUNCTIONS_DIR,
      env: { ...process.env, FUNCTIONS_CONTROL_API: "true" },
      encoding: "utf8",
    });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, output);
    assert.match(output, /functions [1-9]\d*/);
    const reads = output.split("\n").filter((line) => line.includes("invoked during function deployment"));
    assert.deepEqual(reads, []);
  });
});
