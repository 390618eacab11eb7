/**
 * `npm run dev:outbox`: follows the push and SMS the local stack "sends". Under `npm start` they
 * land in the Firestore collection `devOutbox`, which clients may not read (rules deny it, as
 * they would any collection the app has no business in); this reads it with admin rights from
 * the emulator and prints each message as it arrives, oldest first.
 *
 *   npm run dev:outbox -- [--last N] [--once]
 *
 * `--last N` shows the N latest messages already there (default 10), `--once` exits after them.
 */
import { parseArgs } from "node:util";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { db } from "../../functions/src/shared/firebase.ts";
import { useTarget } from "../lib/target.ts";

const USAGE = "usage: npm run dev:outbox -- [--last N] [--once]";

interface OutboxMessage {
  channel: "push" | "sms";
  at?: { toDate(): Date };
  token?: string;
  to?: string;
  title?: string;
  body?: string;
  data?: Record<string, string>;
}

/** One line per message: when, channel, recipient (a token's tail only), text, order. */
export function describeMessage(message: OutboxMessage): string {
  const at = message.at?.toDate().toISOString().slice(11, 19) ?? "--:--:--";
  const recipient = message.channel === "sms" ? message.to ?? "?" : `…${(message.token ?? "").slice(-8)}`;
  const text = message.channel === "sms" ? message.body : `${message.title} — ${message.body}`;
  const order = message.data?.orderId ? `  [order ${message.data.orderId}]` : "";
  return `${at}  ${message.channel.padEnd(4)}  ${recipient.padEnd(16)}  ${text}${order}`;
}

const { values } = parseArgs({ options: { last: { type: "string", default: "10" }, once: { type: "boolean", default: false }, help: { type: "boolean" } } });
const last = Number(values.last);
if (values.help || !Number.isInteger(last) || last < 0) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 1);
}
useTarget(undefined);

const atMs = (message: OutboxMessage) => message.at?.toDate().getTime() ?? Number.MAX_SAFE_INTEGER;
let first = true;
// The whole collection, sorted here: it holds one session's messages, and no index is needed.
db()
  .collection(COLLECTIONS.devOutbox)
  .onSnapshot(
    (snapshot) => {
      const added = snapshot.docChanges().filter((change) => change.type === "added").map((change) => change.doc.data() as OutboxMessage);
      const toShow = first ? added.sort((a, b) => atMs(a) - atMs(b)).slice(-last || added.length) : added.sort((a, b) => atMs(a) - atMs(b));
      for (const message of first && last === 0 ? [] : toShow) console.log(describeMessage(message));
      if (first && values.once) process.exit(0);
      if (first) console.log("following devOutbox (Ctrl-C stops)…");
      first = false;
    },
    (error) => {
      console.error(`devOutbox cannot be followed: ${error.message}. Is npm start running?`);
      process.exit(1);
    },
  );
