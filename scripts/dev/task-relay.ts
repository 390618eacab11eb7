/**
 * The local stand-in for what the Cloud Tasks emulator leaves out: schedule times and task
 * names. Under the emulator, enqueueTask (functions/src/shared/tasks.ts) hands tasks here; the
 * relay refuses a name it has seen before, as Cloud Tasks does for a long while after a task
 * ran, holds a delayed task until it is due, and then enqueues it into the Tasks emulator, which
 * delivers and retries it as usual. Started by `npm start` and `npm test`, never deployed.
 *
 *   POST /enqueue  { queue, id?, envelope, delaySeconds? } -> 200 { dueAt } | 409 already exists
 *   GET  /tasks    tasks held until their time: [{ queue, id, data, dueAt }]
 *   POST /run      { queue?, idPrefix? } fires held tasks now (tests, demos: "time passes")
 */
import { functionsAdmin } from "../../functions/src/shared/firebase.ts";
import { serveDouble } from "./double-server.ts";

interface Held {
  queue: string;
  id: string | null;
  envelope: { data?: unknown; notBefore?: number };
  dueAt: number;
  timer: NodeJS.Timeout;
}

const usedNames = new Set<string>();
const held = new Set<Held>();
let forwarded = 0;

async function forward(task: Omit<Held, "timer">): Promise<void> {
  // Due now: the handler must not take the task for an early delivery.
  const envelope = { ...task.envelope };
  delete envelope.notBefore;
  try {
    await functionsAdmin().taskQueue(task.queue).enqueue(envelope);
    forwarded += 1;
  } catch (error) {
    console.error(`task relay: could not enqueue ${task.queue} ${task.id ?? ""}: ${String(error)}`);
  }
}

function hold(task: Omit<Held, "timer">): void {
  const entry: Held = { ...task, timer: setTimeout(() => fire(entry), Math.max(0, task.dueAt - Date.now())) };
  held.add(entry);
}

function fire(entry: Held): Promise<void> {
  clearTimeout(entry.timer);
  held.delete(entry);
  return forward(entry);
}

serveDouble("task relay", Number(process.env.TASK_RELAY_PORT ?? 12114), (request, send) => {
  const path = request.url.pathname;
  if (request.method === "POST" && path === "/enqueue") {
    const body = JSON.parse(request.raw) as { queue: string; id?: string; envelope: Held["envelope"]; delaySeconds?: number };
    if (body.id) {
      const name = `${body.queue}/${body.id}`;
      if (usedNames.has(name)) return send(409, { error: "already-exists", name });
      usedNames.add(name);
    }
    const dueAt = Date.now() + (body.delaySeconds ?? 0) * 1000;
    const task = { queue: body.queue, id: body.id ?? null, envelope: body.envelope, dueAt };
    if (dueAt <= Date.now()) void forward(task);
    else hold(task);
    return send(200, { dueAt });
  }
  if (request.method === "GET" && path === "/tasks") {
    return send(200, { forwarded, held: [...held].map(({ queue, id, envelope, dueAt }) => ({ queue, id, data: envelope.data ?? null, dueAt })) });
  }
  if (request.method === "POST" && path === "/run") {
    const filter = (request.raw ? JSON.parse(request.raw) : {}) as { queue?: string; idPrefix?: string };
    const due = [...held].filter((t) => (!filter.queue || t.queue === filter.queue) && (!filter.idPrefix || (t.id ?? "").startsWith(filter.idPrefix)));
    void Promise.all(due.map(fire)).then(() => undefined);
    return send(200, { fired: due.length });
  }
  send(404, { error: `no route ${request.method} ${path}` });
});
