/**
 * `npm run dev:outbox`: follows the push, SMS and email the local stack "sends". Under
 * `npm start` push and SMS land in the Firestore collection `devOutbox`, which clients may not
 * read (rules deny it, as they would any collection the app has no business in); this reads it
 * with admin rights from the emulator. Email goes over real SMTP to the local SMTP sink
 * (scripts/dev/smtp-sink.ts), read here from its HTTP side. Each message is printed as it
 * arrives, oldest first.
 *
 *   npm run dev:outbox -- [--last N] [--once]
 *
 * `--last N` shows the N latest messages already there (default 10), `--once` exits after them.
 */
import { parseArgs } from "node:util";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { db } from "../../functions/src/shared/firebase.ts";
import { useTarget } from "../lib/target.ts";
import { SMTP_SINK_URL } from "./local-services.ts";

const USAGE = "usage: npm run dev:outbox -- [--last N] [--once]";

interface OutboxMessage {
  channel: "push" | "sms" | "email";
  at?: { toDate(): Date };
  token?: string;
  to?: string;
  title?: string;
  body?: string;
  data?: Record<string, string>;
  /** Email: the subject, and the files attached. */
  subject?: string;
  attachments?: string[];
}

/** An email as the SMTP sink keeps it. */
interface SinkEmail {
  id: string;
  at: string;
  to: string[];
  subject: string;
  text: string;
  attachments: { filename: string }[];
}

const fromSink = (email: SinkEmail): OutboxMessage => {
  const at = new Date(email.at);
  return { channel: "email", at: { toDate: () => at }, to: email.to.join(","), subject: email.subject, body: email.text, attachments: email.attachments.map((a) => a.filename) };
};

/** One line per message: when, channel, recipient (a token's tail only), text, order. */
export function describeMessage(message: OutboxMessage): string {
  const at = message.at?.toDate().toISOString().slice(11, 19) ?? "--:--:--";
  const recipient = message.channel === "push" ? `…${(message.token ?? "").slice(-8)}` : message.to ?? "?";
  const files = message.attachments?.length ? `  (attached: ${message.attachments.join(", ")})` : "";
  const text = message.channel === "sms" ? message.body : message.channel === "email" ? `${message.subject} — ${(message.body ?? "").replace(/\s+/g, " ").trim()}${files}` : `${message.title} — ${message.body}`;
  const order = message.data?.orderId ? `  [order ${message.data.orderId}]` : "";
  return `${at}  ${message.channel.padEnd(5)}  ${recipient.padEnd(16)}  ${text}${order}`;
}

const { values } = parseArgs({ options: { last: { type: "string", default: "10" }, once: { type: "boolean", default: false }, help: { type: "boolean" } } });
const last = Number(values.last);
if (values.help || !Number.isInteger(last) || last < 0) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 1);
}
useTarget(undefined);

const atMs = (message: OutboxMessage) => message.at?.toDate().getTime() ?? Number.MAX_SAFE_INTEGER;
const emailsSeen = new Set<string>();

/** The emails the SMTP sink holds that were not shown yet; none when the sink is not running. */
async function newEmails(): Promise<OutboxMessage[]> {
  try {
    const all = (await (await fetch(`${SMTP_SINK_URL}/_double/messages`)).json()) as SinkEmail[];
    const fresh = all.filter((email) => !emailsSeen.has(email.id));
    for (const email of fresh) emailsSeen.add(email.id);
    return fresh.map(fromSink);
  } catch {
    return [];
  }
}

let first = true;
// The whole collection, sorted here: it holds one session's messages, and no index is needed.
db()
  .collection(COLLECTIONS.devOutbox)
  .onSnapshot(
    async (snapshot) => {
      const added = snapshot.docChanges().filter((change) => change.type === "added").map((change) => change.doc.data() as OutboxMessage);
      if (first) added.push(...(await newEmails()));
      const toShow = first ? added.sort((a, b) => atMs(a) - atMs(b)).slice(-last || added.length) : added.sort((a, b) => atMs(a) - atMs(b));
      for (const message of first && last === 0 ? [] : toShow) console.log(describeMessage(message));
      if (first && values.once) process.exit(0);
      if (first) {
        console.log("following devOutbox and the SMTP sink (Ctrl-C stops)…");
        setInterval(() => void newEmails().then((emails) => emails.forEach((email) => console.log(describeMessage(email)))), 1000);
      }
      first = false;
    },
    (error) => {
      console.error(`devOutbox cannot be followed: ${error.message}. Is npm start running?`);
      process.exit(1);
    },
  );
