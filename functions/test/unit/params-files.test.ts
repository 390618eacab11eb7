/**
 * Every parameter the functions declare has a value in the files the emulator reads: the
 * Functions emulator stops to prompt for a missing one, so `npm start` and `npm test` would hang.
 * Secrets come from `.secret.local`, the others from `.env` (deployed defaults) or `.env.local`.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

const FUNCTIONS = join(__dirname, "..", "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function declared(): { params: Set<string>; secrets: Set<string> } {
  const params = new Set<string>();
  const secrets = new Set<string>();
  for (const file of sources(join(FUNCTIONS, "src"))) {
    for (const [, kind, name] of readFileSync(file, "utf8").matchAll(/define(Int|String|Boolean|Float|List|Secret)\(\s*"([A-Z][A-Z0-9_]*)"/g)) {
      (kind === "Secret" ? secrets : params).add(name);
    }
  }
  return { params, secrets };
}

function valuesIn(...files: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    for (const line of readFileSync(join(FUNCTIONS, file), "utf8").split("\n")) {
      const match = /^\s*([A-Z][A-Z0-9_]*)\s*=/.exec(line);
      if (match) names.add(match[1]);
    }
  }
  return names;
}

describe("params files", () => {
  const { params, secrets } = declared();

  it("finds the declarations (the scan itself works)", () => {
    assert.ok(params.has("RATE_LIMIT_PER_MINUTE") && secrets.has("PSEUDONYM_KEY"), JSON.stringify({ params: [...params], secrets: [...secrets] }));
  });

  it("gives every parameter a value in functions/.env or .env.local", () => {
    const values = valuesIn(".env", ".env.local");
    assert.deepEqual([...params].filter((name) => !values.has(name)).sort(), []);
  });

  it("gives every secret a local value in functions/.secret.local, and no secret a value in .env", () => {
    const local = valuesIn(".secret.local");
    assert.deepEqual([...secrets].filter((name) => !local.has(name)).sort(), []);
    const plain = valuesIn(".env");
    assert.deepEqual([...secrets].filter((name) => plain.has(name)).sort(), []);
  });
});
