/**
 * The emulator serves any query; production refuses one whose composite index is missing from
 * `firestore.indexes.json`. Every query the code runs is declared in shared/queries.ts and built
 * from the declaration: these tests check each declared shape against the index file (by
 * Firestore's rules, test/support/index-coverage.ts), that no index is left that nothing uses,
 * and that no query is built anywhere else.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import type { CollectionReference, Firestore } from "firebase-admin/firestore";
import { QUERIES, shapedQuery, type QueryName, type QueryShape } from "../../src/shared/queries";
import { coverage, describeIndex, uncoveredQueries, unusedIndexes, type IndexFile } from "../support/index-coverage";

const REPO = join(__dirname, "..", "..", "..");
const INDEX_FILE = JSON.parse(readFileSync(join(REPO, "firestore.indexes.json"), "utf8")) as IndexFile;
const SHAPES: Record<string, QueryShape> = QUERIES;

describe("composite indexes", () => {
  it("every declared query is served by firestore.indexes.json", () => {
    assert.deepEqual(uncoveredQueries(SHAPES, INDEX_FILE), []);
  });

  it("every composite index serves a declared query", () => {
    assert.deepEqual(unusedIndexes(SHAPES, INDEX_FILE).map(describeIndex), []);
  });

  it("a missing index is named with the query that needs it", () => {
    const without = {
      ...INDEX_FILE,
      indexes: INDEX_FILE.indexes.filter((index) => describeIndex(index) !== "orders (COLLECTION): status ASCENDING, payBefore DESCENDING"),
    };
    assert.equal(without.indexes.length, INDEX_FILE.indexes.length - 1);
    assert.deepEqual(uncoveredQueries(SHAPES, without), [
      "query ordersOverduePayBeforeNewestFirst (orders (collection): status ==, payBefore <; order by payBefore desc) needs a composite index on orders (COLLECTION): status ASCENDING, payBefore DESCENDING",
    ]);
  });

  it("applies Firestore's rules: what single-field indexes serve and what needs a composite", () => {
    const file: IndexFile = {
      indexes: [{ collectionGroup: "things", queryScope: "COLLECTION", fields: [{ fieldPath: "a", order: "ASCENDING" }, { fieldPath: "b", order: "DESCENDING" }] }],
      fieldOverrides: [
        { collectionGroup: "things", fieldPath: "expireAt", indexes: [] },
        { collectionGroup: "things", fieldPath: "g", indexes: [{ order: "ASCENDING", queryScope: "COLLECTION_GROUP" }] },
      ],
    };
    const served = (shape: Omit<QueryShape, "collection">) => coverage({ collection: "things", ...shape }, file).served;
    // Equalities merge single-field indexes; one field alone, in any mode, has its own.
    assert.equal(served({ where: [["a", "=="], ["c", "in"], ["d", "=="]], orderBy: [["__name__", "asc"]] }), true);
    assert.equal(served({ where: [["c", "<"], ["c", ">="]] }), true);
    assert.equal(served({ where: [["c", "<"]], orderBy: [["c", "desc"]] }), true);
    assert.equal(served({ where: [["tags", "array-contains"]] }), true);
    // An exempt field has no single-field index.
    assert.equal(served({ where: [["expireAt", "<"]] }), false);
    assert.equal(served({ where: [["expireAt", "=="], ["a", "=="]] }), false);
    // The composite must match fields, order and direction exactly.
    assert.equal(served({ where: [["a", "=="], ["b", "<"]], orderBy: [["b", "desc"]] }), true);
    assert.equal(served({ where: [["a", "=="], ["b", "<"]] }), false, "an inequality alone orders ascending");
    assert.equal(served({ where: [["a", "=="]], orderBy: [["c", "asc"]] }), false);
    assert.equal(served({ orderBy: [["a", "asc"], ["b", "desc"]] }), true);
    assert.equal(served({ orderBy: [["a", "asc"], ["c", "asc"]] }), false, "several orderings need their own index");
    assert.equal(served({ where: [["a", "=="], ["tags", "array-contains"]] }), false, "array-contains with another filter needs a composite");
    assert.equal(served({ where: [["c", "=="], ["a", "=="]], orderBy: [["b", "desc"]] }), false, "an extra equality is not in the index");
    // Collection-group queries have no automatic single-field index.
    assert.equal(served({ group: true, where: [["c", "=="]] }), false);
    assert.equal(served({ group: true, where: [["g", "=="]] }), true);
    assert.equal(served({ group: true, where: [["a", "=="]], orderBy: [["b", "desc"]] }), false, "the composite's scope is COLLECTION");
    // An inequality must be ordered by first.
    assert.match(String((coverage({ collection: "things", where: [["c", "<"]], orderBy: [["b", "asc"]] }, file) as { needs?: string }).needs), /ordered by first/);
  });
});

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "lib") return [];
    return statSync(path).isDirectory() ? sources(path) : /\.[cm]?[tj]s$/.test(name) ? [path] : [];
  });
}

describe("query shapes have one home", () => {
  it("no query is built outside shared/queries.ts (functions/src and scripts/)", () => {
    const home = join(REPO, "functions", "src", "shared", "queries.ts");
    const built = [...sources(join(REPO, "functions", "src")), ...sources(join(REPO, "scripts"))]
      .filter((file) => file !== home)
      .flatMap((file) =>
        readFileSync(file, "utf8")
          .split("\n")
          .flatMap((line, n) => (/\.where\(|\.orderBy\(|collectionGroup\(/.test(line) ? [`${relative(REPO, file)}:${n + 1}: ${line.trim()}`] : [])),
      );
    assert.deepEqual(built, []);
  });

  it("shapedQuery builds exactly the declared filters and orderings", () => {
    for (const [name, shape] of Object.entries(SHAPES)) {
      const calls: string[] = [];
      const recorder = {
        id: shape.collection,
        path: `parent/p/${shape.collection}`,
        where: (field: string, op: string, value: unknown) => (calls.push(`where ${field} ${op} ${String(value)}`), recorder),
        orderBy: (field: string, direction: string) => (calls.push(`orderBy ${field} ${direction}`), recorder),
      };
      const database = {
        collection: (id: string) => (calls.push(`collection ${id}`), recorder),
        collectionGroup: (id: string) => (calls.push(`collectionGroup ${id}`), recorder),
      };
      const values = (shape.where ?? []).map((_, n) => `v${n}`);
      const build = shapedQuery as (name: QueryName, source: unknown, ...values: unknown[]) => unknown;
      build(name as QueryName, database as unknown as Firestore, ...values);
      const expected = [
        `${shape.group ? "collectionGroup" : "collection"} ${shape.collection}`,
        ...(shape.where ?? []).map(([field, op], n) => `where ${field} ${op} v${n}`),
        ...(shape.orderBy ?? []).map(([field, direction]) => `orderBy ${field} ${direction}`),
      ];
      assert.deepEqual(calls, expected, name);
      // A subcollection is passed as itself and must have the declared id.
      if (shape.group) continue;
      calls.length = 0;
      build(name as QueryName, recorder as unknown as CollectionReference, ...values);
      assert.deepEqual(calls, expected.slice(1), name);
    }
  });

  it("refuses the wrong number of values and a collection of another id", () => {
    const build = shapedQuery as (name: QueryName, source: unknown, ...values: unknown[]) => unknown;
    const collection = { id: "orders", path: "orders", where: () => collection, orderBy: () => collection };
    assert.throws(() => build("ordersInState", collection), /takes 1 values, got 0/);
    assert.throws(() => build("itemsOfCategory", collection, "c"), /reads items, not orders/);
  });
});
