/**
 * Reading big collections with bounded memory, for the invariant auditor: pages of a query in
 * document order (`limit` + `startAfter`), documents by id in batches, and what the audit is
 * limited to (some restaurants, orders or promo codes, or everything).
 */
import type { DocumentData, DocumentSnapshot, Firestore, Query, QueryDocumentSnapshot } from "firebase-admin/firestore";

/** `in` filters take at most 30 values. */
export const IN_LIMIT = 30;

/** The pages of `query`, `size` documents each; the query must have a total order (add one). */
export async function* pages(query: Query, size: number): AsyncGenerator<QueryDocumentSnapshot[]> {
  let last: QueryDocumentSnapshot | undefined;
  for (;;) {
    const snapshot = await (last ? query.startAfter(last) : query).limit(size).get();
    if (snapshot.empty) return;
    yield snapshot.docs;
    if (snapshot.size < size) return;
    last = snapshot.docs[snapshot.docs.length - 1];
  }
}

/** Splits `items` into runs of at most `size`. */
export function runs<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The documents of `collection` with these ids (missing ones left out), `size` per read. */
export async function* documentsById(db: Firestore, collection: string, ids: string[], size: number): AsyncGenerator<DocumentSnapshot<DocumentData>[]> {
  for (const run of runs(ids, size)) {
    if (run.length === 0) continue;
    const snapshots = await db.getAll(...run.map((id) => db.collection(collection).doc(id)));
    yield snapshots.filter((s) => s.exists);
  }
}

/** Runs `work` over `items`, at most `concurrency` at a time, in order of start. */
export async function eachLimited<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** What an audit covers: everything, or only the documents tied to these ids. */
export interface Scope {
  restaurantIds: Set<string>;
  orderIds: Set<string>;
  promoCodes: Set<string>;
}
