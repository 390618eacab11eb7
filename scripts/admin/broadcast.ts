/**
 * Broadcasts: a promotion to a segment of customers who opted in, sent in batches by Cloud
 * Tasks. Start one from a JSON file shaped like the `notifications-startBroadcast` request
 * (functions/src/contract/notifications.ts), follow it, pause it, or resume one that stopped
 * (paused, or stalled when a batch ran out of retries) from where it got to. Nobody is sent a
 * broadcast twice, however often it is resumed.
 *
 *   npm run admin:broadcast -- start <request.json> [--project id]
 *   npm run admin:broadcast -- status <broadcastId> [--project id]
 *   npm run admin:broadcast -- pause <broadcastId> [--project id]
 *   npm run admin:broadcast -- resume <broadcastId> [--project id]
 */
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { StartBroadcastRequest } from "../../functions/src/contract/notifications.ts";
import { broadcastTotals, pauseBroadcast, resumeBroadcast, startBroadcast } from "../../functions/src/notifications/broadcast.service.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { newCorrelationId, withContext } from "../../functions/src/shared/context.ts";
import { db } from "../../functions/src/shared/firebase.ts";
import { describeTarget, useTarget } from "../lib/target.ts";

const USAGE = "usage: npm run admin:broadcast -- (start <request.json> | status <id> | pause <id> | resume <id>) [--project <id>]";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { project: { type: "string" } } });
const target = useTarget(values.project);
const [command, argument] = positionals;
if (!command || !argument) {
  console.error(USAGE);
  process.exit(2);
}

async function status(broadcastId: string): Promise<void> {
  const broadcast = await db().collection(COLLECTIONS.broadcasts).doc(broadcastId).get();
  if (!broadcast.exists) throw new Error(`No broadcast ${broadcastId}.`);
  const totals = await broadcastTotals(broadcastId);
  console.log(`${describeTarget(target)}: broadcast ${broadcastId} is ${broadcast.get("status")} after ${broadcast.get("batchesDone")} batch(es)`);
  console.log(JSON.stringify(totals));
}

await withContext({ correlationId: newCorrelationId(), handler: "admin:broadcast" }, async () => {
  switch (command) {
    case "start": {
      const parsed = StartBroadcastRequest.safeParse(JSON.parse(readFileSync(argument, "utf8")));
      if (!parsed.success) throw new Error(`${argument} is not a broadcast request:\n${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n")}`);
      const result = await startBroadcast(parsed.data, `script:${userInfo().username}`);
      console.log(`${describeTarget(target)}: broadcast ${result.broadcastId} ${result.started ? "started" : `already exists (${result.status})`}`);
      break;
    }
    case "status":
      await status(argument);
      break;
    case "pause":
      console.log(`broadcast ${argument}: ${(await pauseBroadcast(argument)).status}`);
      break;
    case "resume":
      console.log(`broadcast ${argument}: ${(await resumeBroadcast(argument)).status}, from batch ${(await db().collection(COLLECTIONS.broadcasts).doc(argument).get()).get("batchesDone")}`);
      break;
    default:
      console.error(USAGE);
      process.exit(2);
  }
}).catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
process.exit(0);
