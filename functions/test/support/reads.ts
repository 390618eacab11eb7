/**
 * Counting what a piece of work reads from Firestore, through the SDK itself (the emulator
 * counts nothing): every query, document get and `getAll` this process makes while it runs.
 */
import { mock } from "node:test";
import { DocumentReference, Firestore, Query } from "firebase-admin/firestore";

export interface Read {
  kind: "document" | "query" | "getAll";
  /** The id of the collection read (`orders`, `items`, ...). */
  collection?: string;
  /** The query's `limit`, undefined when it has none. */
  limit?: number;
  documents: number;
}

/**
 * Records every Firestore read this process makes while `work` runs. A query's limit and
 * collection are read from the SDK's query options; if that internal field ever moves, they read
 * as missing and the assertions on them fail loudly.
 */
export async function readsDuring(work: () => Promise<void>): Promise<Read[]> {
  const reads: Read[] = [];
  const queryGet = Query.prototype.get;
  const documentGet = DocumentReference.prototype.get;
  const getAll = Firestore.prototype.getAll;
  // A document's get() is a getAll() of itself inside the SDK: counted once, as the get.
  const gettingOne = new WeakSet<object>();
  const queries = mock.method(Query.prototype, "get", async function (this: Query) {
    const snapshot = await queryGet.call(this);
    const options = (this as unknown as { _queryOptions?: { limit?: number; collectionId?: string } })._queryOptions;
    reads.push({ kind: "query", collection: options?.collectionId, limit: options?.limit, documents: snapshot.size });
    return snapshot;
  });
  const documents = mock.method(DocumentReference.prototype, "get", async function (this: DocumentReference) {
    gettingOne.add(this);
    const snapshot = await documentGet.call(this).finally(() => gettingOne.delete(this));
    reads.push({ kind: "document", collection: this.parent.id, documents: 1 });
    return snapshot;
  });
  const batches = mock.method(Firestore.prototype, "getAll", async function (this: Firestore, ...refs: Parameters<Firestore["getAll"]>) {
    const snapshots = await getAll.apply(this, refs);
    if (refs.length === 1 && gettingOne.has(refs[0] as object)) return snapshots;
    reads.push({ kind: "getAll", collection: (refs[0] as DocumentReference | undefined)?.parent.id, documents: snapshots.length });
    return snapshots;
  });
  try {
    await work();
  } finally {
    queries.mock.restore();
    documents.mock.restore();
    batches.mock.restore();
  }
  return reads;
}

export const documentsRead = (reads: Read[]) => reads.reduce((sum, read) => sum + read.documents, 0);
