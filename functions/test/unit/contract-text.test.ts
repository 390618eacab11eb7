/**
 * Free text of every request schema comes out clean: control and invisible format characters
 * (bidi overrides, NUL, BEL, zero-width joiners) removed, NFC. The schemas are walked, so a new
 * string field is checked without anyone remembering to add it here.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ZodType } from "zod";
import * as contract from "../../src/contract";
import { authDisplayName } from "../../src/auth/profile-record";

const EVIL = "\u202Eevil\u0000\u0007";
/** Long enough for the minimum length of a token-like field. */
const LONG_EVIL = `\u202E${"evil".repeat(6)}\u200D\u0000\u0007`;
const DIRTY = /[\p{Cc}\p{Cf}]/u;

interface Def {
  type: string;
  format?: string;
  checks?: { _zod: { def: { check: string } } }[];
  shape?: Record<string, ZodType>;
  element?: ZodType;
  innerType?: ZodType;
  in?: ZodType;
  out?: ZodType;
  options?: ZodType[];
  valueType?: ZodType;
}
const defOf = (schema: ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Every string schema inside `schema`, with its path. */
function stringLeaves(schema: ZodType, path: string, found: { path: string; schema: ZodType }[] = []) {
  const def = defOf(schema);
  switch (def.type) {
    case "string":
      found.push({ path, schema });
      break;
    case "object":
      for (const [key, child] of Object.entries(def.shape!)) stringLeaves(child, path ? `${path}.${key}` : key, found);
      break;
    case "array":
      stringLeaves(def.element!, `${path}.N`, found);
      break;
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      stringLeaves(def.innerType!, path, found);
      break;
    case "pipe":
      stringLeaves(def.in!, path, found);
      break;
    case "union":
      def.options!.forEach((option) => stringLeaves(option, path, found));
      break;
    case "record":
      stringLeaves(def.valueType!, `${path}.*`, found);
      break;
  }
  return found;
}

/** A string with a format, a pattern or a custom rule is not free text: it may refuse instead. */
const isConstrained = (schema: ZodType) => {
  const def = defOf(schema);
  return def.format !== undefined || (def.checks ?? []).some((c) => c._zod.def.check === "string_format" || c._zod.def.check === "custom");
};

const requestSchemas = Object.entries(contract).filter(([name]) => /(Request|Action|Query)$/.test(name)) as [string, ZodType][];

describe("free text in requests", () => {
  it("finds the request schemas and their free-text fields", () => {
    const names = requestSchemas.map(([name]) => name);
    for (const expected of ["UpdateProfileRequest", "SaveRestaurantRequest", "SaveItemRequest", "ImportMenuRequest", "CancelOrderRequest", "AdminOrderAction", "StartBroadcastRequest", "CheckoutRequest"]) {
      assert.ok(names.includes(expected), expected);
    }
    const free = requestSchemas.flatMap(([name, schema]) => stringLeaves(schema, name).filter((leaf) => !isConstrained(leaf.schema)).map((leaf) => leaf.path));
    for (const expected of ["UpdateProfileRequest.displayName", "UpdateProfileRequest.addresses.N.instructions", "CheckoutRequest.deliveryAddress.line1", "ImportMenuRequest.items.N.modifierGroups.N.options.N.name", "AdminOrderAction.note", "StartBroadcastRequest.message.en.body"]) {
      assert.ok(free.includes(expected), expected);
    }
  });

  for (const [name, schema] of requestSchemas) {
    it(`${name}: every string field comes out without control or format characters`, () => {
      for (const leaf of stringLeaves(schema, name)) {
        for (const input of [EVIL, LONG_EVIL]) {
          const result = leaf.schema.safeParse(input);
          if (result.success) assert.doesNotMatch(String(result.data), DIRTY, `${leaf.path} kept ${JSON.stringify(result.data)}`);
        }
        if (!isConstrained(leaf.schema)) {
          const result = leaf.schema.safeParse(EVIL);
          assert.ok(result.success, `${leaf.path} refused free text`);
          assert.equal(result.data, "evil", leaf.path);
        }
      }
    });
  }

  it("keeps line breaks where a field is multi-line, and only there; composes to NFC", () => {
    const address = { id: "home", label: "Home", line1: "Gran\nVía 1", city: "Madrid", postalCode: "28013", country: "ES", location: { lat: 40.4, lng: -3.7 }, instructions: "Ring twice\r\n3rd floor\u202E" };
    const parsed = contract.UpdateProfileRequest.parse({ displayName: "Lu\u0063\u0301ia\u200B", addresses: [address] });
    assert.equal(parsed.addresses![0].instructions, "Ring twice\n3rd floor");
    assert.equal(parsed.addresses![0].line1, "Gran Vía 1");
    assert.equal(parsed.displayName, "Lu\u0107ia");
    assert.equal(contract.AdminOrderAction.parse({ orderId: "o1", action: "cancel", reason: "other", note: "Called\r\nback\u202E" }).note, "Called\nback");
    // A field left with nothing but invisible characters is empty, and refused where text is required.
    assert.equal(contract.UpdateProfileRequest.safeParse({ displayName: "\u202E\u200D\u0000" }).success, false);
  });

  it("cleans the name Auth holds when a profile starts from it (it never passed a schema)", () => {
    assert.equal(authDisplayName(EVIL), "evil");
    assert.equal(authDisplayName("\u202E\u0007"), null);
    assert.equal(authDisplayName(undefined), null);
  });
});
