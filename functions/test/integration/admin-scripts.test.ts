/**
 * The operator scripts, run as an operator runs them (tsx, against the emulators): the catalog
 * import validates every row before writing anything, and set-role grants exactly like the
 * admin callable.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { applyRole } from "../../src/admin/roles.service";
import { admin } from "../support/emulators";

const REPO = join(__dirname, "..", "..", "..");

function runScript(script: string, args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "admin", script), ...args], { cwd: REPO, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function catalogFile(restaurantId: string, priceAmount: number): string {
  const dir = mkdtempSync(join(tmpdir(), "catalog-"));
  const file = join(dir, "catalog.json");
  const restaurant = {
    restaurantId,
    name: "Script Diner",
    cuisines: ["diner"],
    location: { lat: 51.5072, lng: -0.1276 },
    address: "1 Strand, London",
    deliveryRadiusKm: 3,
    deliveryFee: 250,
    openingHours: { timeZone: "Europe/London", weekly: { sat: [{ open: "09:00", close: "17:00" }] } },
    currency: "GBP",
    published: true,
    categories: [{ categoryId: "mains", name: "Mains", position: 0 }],
    items: [
      { itemId: "pie", categoryId: "mains", name: "Pie", price: { amount: priceAmount, currency: "GBP" }, available: true, tracksStock: true },
      { itemId: "mash", categoryId: "mains", name: "Mash", price: { amount: 300, currency: "EUR" }, available: true },
    ],
  };
  writeFileSync(file, JSON.stringify({ restaurants: [restaurant], stock: [{ restaurantId, itemId: "pie", onHand: 5 }] }));
  return file;
}

describe("admin: import-catalog", () => {
  it("lists every bad field of a file and writes nothing", async () => {
    const id = `script-${randomUUID()}`;
    const { status, output } = runScript("import-catalog.ts", ["--file", catalogFile(id, -5)]);
    assert.equal(status, 1);
    assert.match(output, /restaurants\.0\.items\.0\.price\.amount/);
    assert.match(output, /restaurants\.0\.items\.1\.price\.currency/);
    assert.equal((await admin().db.doc(`restaurants/${id}`).get()).exists, false);
  });

  it("validates only with --dry-run, then imports with progress, idempotently", async () => {
    const id = `script-${randomUUID()}`;
    const file = catalogFile(id, 800);
    // The only bad row of this file is the EUR item: fix it by rewriting the file without it.
    const fixed = JSON.parse(readFileSync(file, "utf8"));
    fixed.restaurants[0].items = fixed.restaurants[0].items.slice(0, 1);
    writeFileSync(file, JSON.stringify(fixed));

    const dry = runScript("import-catalog.ts", ["--file", file, "--dry-run"]);
    assert.equal(dry.status, 0, dry.output);
    assert.match(dry.output, /1 restaurants, 1 items, 1 stock levels, all valid/);
    assert.equal((await admin().db.doc(`restaurants/${id}`).get()).exists, false);

    for (let i = 0; i < 2; i += 1) {
      const real = runScript("import-catalog.ts", ["--file", file]);
      assert.equal(real.status, 0, real.output);
      assert.match(real.output, /\[1\/1\] Script Diner: 1 categories, 1 items/);
    }
    const items = await admin().db.collection(`restaurants/${id}/items`).get();
    assert.deepEqual(items.docs.map((d) => d.id), ["pie"]);
    assert.equal((await admin().db.doc(`inventory/${id}__pie`).get()).get("level"), 5);
  });
});

describe("admin: set-role", () => {
  it("grants a role by email, audited, and refuses staff without restaurants", async () => {
    const email = `script-${randomUUID()}@example.test`;
    const user = await admin().auth.createUser({ email, password: "correct-horse-battery" });

    const refused = runScript("set-role.ts", ["--email", email, "--role", "staff"]);
    assert.equal(refused.status, 2);
    assert.match(refused.output, /restaurant/i);

    const granted = runScript("set-role.ts", ["--email", email, "--role", "staff", "--restaurant", "r9"]);
    assert.equal(granted.status, 0, granted.output);
    const claims = (await admin().auth.getUser(user.uid)).customClaims;
    assert.deepEqual(claims, { role: "staff", restaurantIds: ["r9"] });
    const audit = await admin().db.collection("auditLog").where("targetUid", "==", user.uid).get();
    assert.equal(audit.size, 1);
    assert.match(String(audit.docs[0].get("actorUid")), /^script:/);
    assert.equal(audit.docs[0].get("outcome"), "applied");
  });

  it("leaves one audit entry for a role change that could not be applied", async () => {
    const user = await admin().auth.createUser({ email: `script-${randomUUID()}@example.test`, password: "correct-horse-battery" });
    // Claims over Firebase's 1000-byte limit: Auth refuses them after the entry was written.
    const restaurantIds = Array.from({ length: 60 }, (_, i) => `restaurant-with-a-long-id-${i}`);
    await assert.rejects(applyRole({ uid: user.uid, role: "staff", restaurantIds }, { id: "test-admin", correlationId: randomUUID() }));
    const audit = await admin().db.collection("auditLog").where("targetUid", "==", user.uid).get();
    assert.equal(audit.size, 1, "the attempt is on record");
    assert.equal(audit.docs[0].get("outcome"), "failed");
    assert.equal((await admin().auth.getUser(user.uid)).customClaims?.role, undefined, "nothing was granted");
  });
});
