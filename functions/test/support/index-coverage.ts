/**
 * Which index serves a declared query shape (shared/queries.ts), by Firestore's rules, read from
 * `firestore.indexes.json`. The emulator serves every query; production refuses one whose index is
 * missing, so this is where a missing index shows before a deploy.
 *
 * The rules applied (https://firebase.google.com/docs/firestore/query-data/index-overview):
 * - A query on one collection with equality filters only (`==`, `in`) is served by the automatic
 *   single-field indexes, merged; so is a filter or an ordering on one field alone. A field exempt
 *   in `fieldOverrides` (`indexes: []`) has no single-field index.
 * - A collection-group query has no automatic single-field index: it needs a `fieldOverrides`
 *   entry of scope COLLECTION_GROUP, or a composite index of that scope.
 * - Otherwise (an inequality or ordering with other fields, several orderings, array-contains with
 *   other filters) one composite index must hold exactly: the equality and array-contains fields
 *   first (any order; array-contains as `arrayConfig: CONTAINS`), then the orderings, in order and
 *   direction. An inequality without an ordering orders by its field, ascending.
 * - Ordering by `__name__` last is implicit in every index.
 */
import type { Filter, Ordering, QueryShape } from "../../src/shared/queries";

interface IndexField {
  fieldPath: string;
  order?: "ASCENDING" | "DESCENDING";
  arrayConfig?: "CONTAINS";
}
export interface CompositeIndex {
  collectionGroup: string;
  queryScope: "COLLECTION" | "COLLECTION_GROUP";
  fields: IndexField[];
}
interface FieldOverride {
  collectionGroup: string;
  fieldPath: string;
  indexes: { order?: string; arrayConfig?: string; queryScope: string }[];
}
export interface IndexFile {
  indexes: CompositeIndex[];
  fieldOverrides?: FieldOverride[];
}

const EQUALITY = new Set(["==", "in"]);
const ARRAY = new Set(["array-contains", "array-contains-any"]);
const ID = "__name__";

export type Coverage =
  | { served: true; by: "nothing" | "single-field"; index?: undefined }
  | { served: true; by: "composite"; index: CompositeIndex }
  | { served: false; needs: string };

const direction = (order: string): IndexField => ({ fieldPath: "", order: order === "desc" ? "DESCENDING" : "ASCENDING" });

/** The index fields a shape needs: the unordered prefix (equality, array-contains) and the orderings. */
function needs(shape: QueryShape): { prefix: IndexField[]; ordered: IndexField[]; problem?: string } {
  const where: readonly Filter[] = shape.where ?? [];
  let orderBy: Ordering[] = [...(shape.orderBy ?? [])];
  if (orderBy.at(-1)?.[0] === ID) orderBy = orderBy.slice(0, -1);
  const inequality = [...new Set(where.filter(([, op]) => !EQUALITY.has(op) && !ARRAY.has(op)).map(([field]) => field))].sort();
  if (orderBy.length === 0) orderBy = inequality.map((field) => [field, "asc"] as const);
  const ordered = orderBy.map(([field, dir]) => ({ ...direction(dir ?? "asc"), fieldPath: field }));
  const orderedFields = new Set(ordered.map((f) => f.fieldPath));
  const stray = inequality.find((field) => !orderedFields.has(field));
  const prefix: IndexField[] = [];
  for (const [field, op] of where) {
    if (orderedFields.has(field) || prefix.some((f) => f.fieldPath === field)) continue;
    prefix.push(ARRAY.has(op) ? { fieldPath: field, arrayConfig: "CONTAINS" } : { fieldPath: field, order: "ASCENDING" });
  }
  return { prefix, ordered, ...(stray ? { problem: `its inequality on ${stray} must be ordered by first` } : {}) };
}

const describeField = (f: IndexField) => `${f.fieldPath} ${f.arrayConfig ?? f.order}`;

/** A shape as one line: `orders (collection): status ==, payBefore < ; order by payBefore desc`. */
export function describeShape(shape: QueryShape): string {
  const where = (shape.where ?? []).map(([field, op]) => `${field} ${op}`).join(", ");
  const order = (shape.orderBy ?? []).map(([field, dir]) => `${field} ${dir}`).join(", ");
  return `${shape.collection} (${shape.group ? "collection group" : "collection"}): ${where || "no filter"}${order ? `; order by ${order}` : ""}`;
}

/** Whether the automatic (or overridden) single-field index of `field` in this scope exists in this mode. */
function singleField(file: IndexFile, shape: QueryShape, field: IndexField, anyOrder: boolean): boolean {
  const override = file.fieldOverrides?.find((o) => o.collectionGroup === shape.collection && o.fieldPath === field.fieldPath);
  const scope = shape.group ? "COLLECTION_GROUP" : "COLLECTION";
  if (!override) return !shape.group;
  return override.indexes.some(
    (index) => index.queryScope === scope && (field.arrayConfig ? index.arrayConfig === field.arrayConfig : index.order !== undefined && (anyOrder || index.order === field.order)),
  );
}

/** Whether `index` holds exactly the prefix (in any order) then the orderings. */
function compositeServes(index: CompositeIndex, shape: QueryShape, prefix: IndexField[], ordered: IndexField[]): boolean {
  if (index.collectionGroup !== shape.collection || index.queryScope !== (shape.group ? "COLLECTION_GROUP" : "COLLECTION")) return false;
  const fields = index.fields.at(-1)?.fieldPath === ID ? index.fields.slice(0, -1) : index.fields;
  if (fields.length !== prefix.length + ordered.length) return false;
  const head = fields.slice(0, prefix.length);
  const prefixServed = prefix.every((need) =>
    head.some((f) => f.fieldPath === need.fieldPath && (need.arrayConfig ? f.arrayConfig === need.arrayConfig : f.order !== undefined)),
  );
  const orderServed = ordered.every((need, n) => fields[prefix.length + n].fieldPath === need.fieldPath && fields[prefix.length + n].order === need.order);
  return prefixServed && orderServed;
}

/** How `file` serves `shape`, or what it lacks. */
export function coverage(shape: QueryShape, file: IndexFile): Coverage {
  const { prefix, ordered, problem } = needs(shape);
  if (problem) return { served: false, needs: `a valid shape: ${problem}` };
  const composite = file.indexes.find((index) => compositeServes(index, shape, prefix, ordered));
  if (composite) return { served: true, by: "composite", index: composite };
  const all = [...prefix, ...ordered];
  if (all.length === 0) return { served: true, by: "nothing" };
  const equalityOnly = ordered.length === 0 && prefix.every((f) => !f.arrayConfig);
  const oneField = new Set(all.map((f) => f.fieldPath)).size === 1 && all.length === 1;
  if ((equalityOnly || oneField) && all.every((f) => singleField(file, shape, f, equalityOnly))) return { served: true, by: "single-field" };
  if (oneField || equalityOnly) {
    return { served: false, needs: `a single-field index on ${shape.collection}.${all.map(describeField).join(", ")}${shape.group ? " (scope COLLECTION_GROUP)" : ""}` };
  }
  const scope = shape.group ? "COLLECTION_GROUP" : "COLLECTION";
  return { served: false, needs: `a composite index on ${shape.collection} (${scope}): ${all.map(describeField).join(", ")}` };
}

/** One line per declared query no index serves, naming the query and the index it needs. */
export function uncoveredQueries(queries: Record<string, QueryShape>, file: IndexFile): string[] {
  return Object.entries(queries).flatMap(([name, shape]) => {
    const result = coverage(shape, file);
    return result.served ? [] : [`query ${name} (${describeShape(shape)}) needs ${result.needs}`];
  });
}

/** The composite indexes of `file` that serve none of `queries`. */
export function unusedIndexes(queries: Record<string, QueryShape>, file: IndexFile): CompositeIndex[] {
  const used = new Set(Object.values(queries).flatMap((shape) => {
    const result = coverage(shape, file);
    return result.served && result.by === "composite" ? [result.index] : [];
  }));
  return file.indexes.filter((index) => !used.has(index));
}

export const describeIndex = (index: CompositeIndex) => `${index.collectionGroup} (${index.queryScope}): ${index.fields.map(describeField).join(", ")}`;
