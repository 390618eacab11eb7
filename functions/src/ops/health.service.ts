/**
 * `ops-health`: whether the backend can work right now (Firestore, Pub/Sub and the task queues
 * answer) and whether its backlogs are sane (open dead letters, outbox lag, notification claims
 * stuck in `sending`, orders flagged for attention, stuck orders). Each check has a deadline and
 * reports its latency; a backlog reports its count and limit. No personal data: counts and
 * names only. Read by an uptime check (`x-health-token`) or an admin (ID token).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Query } from "firebase-admin/firestore";
import type { Request, Response } from "express";
import { COLLECTIONS } from "../shared/collections";
import { DomainError, permissionDenied } from "../shared/errors";
import { adminApp, auth, db } from "../shared/firebase";
import { errorResponder, traceRequest } from "../shared/http";
import { localSetting } from "../shared/local-stack";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";
import { topicExists } from "../shared/pubsub";
import { roleOf } from "../shared/roles";
import { TASK_QUEUES } from "../shared/task-queues";
import { TOPICS } from "../shared/topics";
import { backlogQueries, stuckOrderQueries } from "./stuck-work.service";
import type { BacklogKind } from "./stuck-work";
import { shapedQuery } from "../shared/queries";

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  value?: number;
  limit?: number;
  detail?: string;
}

export type HealthStatus = "ok" | "degraded";

export interface HealthReport {
  status: HealthStatus;
  checks: Record<string, CheckResult>;
}

/** How many of each backlog are tolerated (params HEALTH_MAX_*). */
export interface HealthLimits {
  openDeadLetters: number;
  outboxLagging: number;
  stuckSending: number;
  attentionOrders: number;
  stuckOrders: number;
}

export const HEALTH_TOKEN_HEADER = "x-health-token";
/** Each check's deadline: an uptime check waits about 10 s, and a slow answer is itself a symptom. */
export const CHECK_DEADLINE_MS = 3_000;
/** Counts stop here: past it the exact figure does not change the verdict, and the read stays bounded. */
export const COUNT_CAP = 1_000;
/** The region every function runs in (index.ts), hence where the task queues live. */
const REGION = "us-central1";

/** The verdict on fixed check results: ok only when every check is. */
export function evaluateHealth(checks: Record<string, CheckResult>): HealthReport {
  return { status: Object.values(checks).every((check) => check.ok) ? "ok" : "degraded", checks };
}

/** A backlog within its limit is fine; `value` and `limit` are in the report either way. */
export const backlogResult = (value: number, limit: number) => ({ ok: value <= limit, value, limit });

class DeadlineExceeded extends Error {}

/** Runs one check within the deadline; a failure or silence is a failed check, never a thrown error. */
async function timed(work: () => Promise<Omit<CheckResult, "latencyMs">>, deadlineMs = CHECK_DEADLINE_MS): Promise<CheckResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new DeadlineExceeded()), deadlineMs)));
    return { ...(await Promise.race([work(), deadline])), latencyMs: Date.now() - started };
  } catch (error) {
    // The code only: an upstream message may name hosts or resources and is logged, not reported.
    const detail = error instanceof DeadlineExceeded ? `no answer within ${deadlineMs} ms` : `failed (${String((error as { code?: unknown }).code ?? (error as Error).name ?? "error")})`;
    if (!(error instanceof DeadlineExceeded)) log.warn("ops.health-check-failed", { error: (error as Error).message });
    return { ok: false, latencyMs: Date.now() - started, detail };
  } finally {
    clearTimeout(timer);
  }
}

const countOf = async (query: Query) => (await query.limit(COUNT_CAP).count().get()).data().count;

async function tasksReachable(): Promise<Omit<CheckResult, "latencyMs">> {
  const relay = localSetting("TASK_RELAY_URL");
  const emulator = process.env.CLOUD_TASKS_EMULATOR_HOST;
  if (relay || emulator) {
    // Locally the queues are the task relay and the Tasks emulator behind it. Neither has a status
    // route: any HTTP answer means it is up to take a task.
    const endpoints = [relay, emulator && `http://${emulator}`].filter((url): url is string => Boolean(url));
    await Promise.all(endpoints.map((url) => fetch(url).then((answer) => answer.body?.cancel())));
    return { ok: true, detail: `local task endpoints answered: ${endpoints.length}` };
  }
  // Deployed: each queue's state, one GET of the Cloud Tasks API per queue with the functions'
  // own credential (no client library needed for a read). A paused or missing queue loses tasks.
  const token = await adminApp().options.credential!.getAccessToken();
  const project = process.env.GCLOUD_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT;
  const queues = Object.values(TASK_QUEUES);
  const problems = await Promise.all(
    queues.map(async (queue) => {
      const answer = await fetch(`https://cloudtasks.googleapis.com/v2/projects/${project}/locations/${REGION}/queues/${queue}`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      });
      if (!answer.ok) return `${queue}: HTTP ${answer.status}`;
      const { state } = (await answer.json()) as { state?: string };
      return state === "RUNNING" ? null : `${queue}: ${state ?? "no state"}`;
    }),
  );
  const bad = problems.filter((problem): problem is string => problem !== null);
  return { ok: bad.length === 0, value: queues.length - bad.length, limit: queues.length, detail: bad.join("; ") || `${queues.length} queues running` };
}

/** Runs every check (in parallel, each within its deadline) and judges them. */
export async function checkHealth(limits: HealthLimits, now = Date.now()): Promise<HealthReport> {
  const backlog = (kind: BacklogKind) => backlogQueries(now).filter((q) => q.kind === kind).map((q) => q.query.any())[0];
  const entries = await Promise.all(
    Object.entries({
      firestore: () => timed(async () => (await db().collection(COLLECTIONS.opsAlerts).doc("health-probe").get(), { ok: true })),
      pubsub: () => timed(async () => ((await topicExists(TOPICS.orderEvents)) ? { ok: true } : { ok: false, detail: `topic ${TOPICS.orderEvents} not found` })),
      tasks: () => timed(tasksReachable),
      openDeadLetters: () => timed(async () => backlogResult(await countOf(backlog("dead-letter")), limits.openDeadLetters)),
      outboxLagging: () => timed(async () => backlogResult(await countOf(backlog("outbox-unpublished")), limits.outboxLagging)),
      stuckSending: () => timed(async () => backlogResult(await countOf(backlog("notification-sending")), limits.stuckSending)),
      attentionOrders: () => timed(async () => backlogResult(await countOf(shapedQuery("ordersNeedingAttention", db(), null)), limits.attentionOrders)),
      stuckOrders: () =>
        timed(async () => {
          const counts = await Promise.all(stuckOrderQueries(now).map(({ query }) => countOf(query.any())));
          return backlogResult(counts.reduce((sum, n) => sum + n, 0), limits.stuckOrders);
        }),
    }).map(async ([name, run]) => [name, await run()] as const),
  );
  return evaluateHealth(Object.fromEntries(entries));
}

/** Compares secrets in constant time (digests first, so lengths do not leak either). */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return expected.length > 0 && timingSafeEqual(digest(presented), digest(expected));
}

/** Who may read the report: the uptime check with the shared secret, or a signed-in admin. */
export async function authorizeHealthReader(req: Pick<Request, "get">, expectedToken: string): Promise<"uptime-check" | "admin"> {
  const presented = req.get(HEALTH_TOKEN_HEADER);
  if (presented !== undefined) {
    if (sameSecret(presented, expectedToken)) return "uptime-check";
    throw new DomainError("unauthenticated", "The health token is not valid.", { reason: "invalid-health-token" });
  }
  const idToken = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1];
  if (!idToken) throw new DomainError("unauthenticated", "Send the health token or an admin's ID token.", { reason: "credentials-required" });
  const claims = await auth()
    .verifyIdToken(idToken, true)
    .catch(() => {
      throw new DomainError("unauthenticated", "The ID token is not valid. Sign in again.", { reason: "invalid-id-token" });
    });
  if (roleOf(claims) !== "admin") throw permissionDenied("Only an admin or the uptime check may read the health report.", "role-required");
  return "admin";
}

/** The HTTP exchange: 200 with the report when ok, 503 when degraded; refusals in the project's error body. */
export async function serveHealth(req: Request, res: Response, options: { token: string; limits: HealthLimits }): Promise<void> {
  await traceRequest("ops-health", req, res, async () => {
    try {
      const reader = await authorizeHealthReader(req, options.token);
      const report = await checkHealth(options.limits);
      if (report.status === "degraded") {
        const failing = Object.entries(report.checks).filter(([, check]) => !check.ok).map(([name]) => name);
        for (const check of failing) log.error(OPS_EVENTS.healthDegraded.name, new Error(`health check ${check} failed`), { check, reader });
      }
      res.set("Cache-Control", "no-store");
      res.status(report.status === "ok" ? 200 : 503).json(report);
    } catch (error) {
      errorResponder()(error, req, res, () => undefined);
    }
  });
}
