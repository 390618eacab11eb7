/**
 * Dead letters: work that failed for good (a task out of attempts, a message that could not be
 * read), kept with its payload, error, attempts and correlation id. List them, and once the
 * cause is fixed, replay them: a task is enqueued again with its original payload and
 * correlation id (the handler closes the letter when it succeeds), a message is published
 * again with its original attributes (its event id, so subscribers still dedupe). Each replay
 * writes an audit entry (functions/src/ops/dead-letter-replay.service.ts, shared with the
 * operator console's `ops-replayDeadLetter`).
 *
 *   npm run admin:dead-letters -- list [--all] [--project id]
 *   npm run admin:dead-letters -- replay <deadLetterId>… [--project id]
 *   npm run admin:dead-letters -- replay --all-open [--project id]
 */
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { replayDeadLetter } from "../../functions/src/ops/dead-letter-replay.service.ts";
import { newCorrelationId } from "../../functions/src/shared/context.ts";
import { DomainError } from "../../functions/src/shared/errors.ts";
import { db } from "../../functions/src/shared/firebase.ts";
import { describeTarget, useTarget } from "../lib/target.ts";
import { shapedQuery } from "../../functions/src/shared/queries.ts";

const USAGE = "usage: npm run admin:dead-letters -- (list [--all] | replay (<id>… | --all-open)) [--project <id>]";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { all: { type: "boolean" }, "all-open": { type: "boolean" }, project: { type: "string" } },
});
const target = useTarget(values.project);
const [command, ...ids] = positionals;
const letters = () => db().collection(COLLECTIONS.deadLetters);

interface Letter {
  handler: string;
  source: "task" | "pubsub" | "firestore";
  eventId: string;
  payload: Record<string, unknown>;
  error: { name?: string; message?: string };
  attempts: number;
  correlationId: string | null;
  status: string;
  recordedAt?: { toDate(): Date };
}

async function list(): Promise<void> {
  const query = values.all ? letters() : shapedQuery("deadLettersInStatuses", db(), ["open", "replayed"]);
  const snapshot = await query.get();
  console.log(`${describeTarget(target)}: ${snapshot.size} dead letter(s)${values.all ? "" : " not resolved"}`);
  for (const doc of snapshot.docs) {
    const letter = doc.data() as Letter;
    const orderId = (letter.payload?.data as { orderId?: string } | undefined)?.orderId;
    console.log(
      [
        doc.id,
        `  ${letter.status} · ${letter.source} · ${letter.handler} · ${letter.attempts} attempt(s) · ${letter.recordedAt?.toDate().toISOString() ?? "?"}`,
        `  error: ${letter.error?.name ?? "Error"}: ${letter.error?.message ?? "?"}`,
        `  correlation id: ${letter.correlationId ?? "-"}${orderId ? ` · order ${orderId}` : ""}`,
      ].join("\n"),
    );
  }
}

async function replay(id: string): Promise<void> {
  const result = await replayDeadLetter(id, `script:${userInfo().username}`, newCorrelationId()).catch((error: unknown) => {
    if (error instanceof DomainError && error.extra.reason === "dead-letter-resolved") return undefined;
    throw error;
  });
  if (!result) return console.log(`${id}: already resolved; skipped`);
  console.log(`${id}: replayed (${result.source} → ${result.handler})`);
}

if (command === "list") {
  await list();
} else if (command === "replay" && (ids.length > 0 || values["all-open"])) {
  const targets = values["all-open"] ? (await shapedQuery("deadLettersByStatus", db(), "open").get()).docs.map((d) => d.id) : ids;
  let failed = 0;
  for (const id of targets) {
    await replay(id).catch((error: unknown) => {
      failed += 1;
      console.error(`${id}: not replayed: ${(error as Error).message}`);
    });
  }
  console.log(`${describeTarget(target)}: ${targets.length - failed} replayed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
} else {
  console.error(USAGE);
  process.exit(2);
}
process.exit(0);
