import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { DomainError } from "../../src/shared/errors";
import { parseOrThrow } from "../../src/shared/validation";

const failure = (schema: z.ZodType, value: unknown): DomainError => {
  try {
    parseOrThrow(schema, value);
  } catch (error) {
    assert.ok(error instanceof DomainError);
    return error;
  }
  assert.fail("expected invalid-argument");
};

describe("parseOrThrow", () => {
  const schema = z.strictObject({ name: z.string(), address: z.strictObject({ city: z.string() }) });

  it("names each unknown key as a failing field, in the message too", () => {
    const error = failure(schema, { name: "A", address: { city: "X", zip: 1 }, promo: "x" });
    assert.equal(error.code, "invalid-argument");
    const fields = (error.extra.fields as { path: string; message: string }[]).map((f) => f.path).sort();
    assert.deepEqual(fields, ["address.zip", "promo"]);
    assert.match(error.message, /address\.zip/);
    assert.match(error.message, /promo/);
    assert.doesNotMatch(error.message, /\(request\)/);
  });

  it("keeps naming ordinary failing fields", () => {
    const error = failure(schema, { name: 3, address: {} });
    const fields = (error.extra.fields as { path: string }[]).map((f) => f.path).sort();
    assert.deepEqual(fields, ["address.city", "name"]);
  });
});
