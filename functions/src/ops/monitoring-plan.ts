/**
 * What `npm run ops:monitoring` would change: a pure function from the resources the files
 * describe and those the project has to a list of creates, updates (with the fields that
 * differ) and unchanged. The files own the fields they set; fields a project adds (notification
 * channels attached by hand, server defaults, etags) are neither compared nor overwritten.
 * Nothing is ever deleted.
 */
import type { MonitoringFiles } from "./monitoring-files";

export type ResourceKind = "log-metric" | "service" | "slo" | "dashboard" | "alert-policy";

/** In the order they are applied: alerts and the dashboard read the metrics and SLOs. */
export const APPLY_ORDER: readonly ResourceKind[] = ["log-metric", "service", "slo", "dashboard", "alert-policy"];

export interface Resource {
  kind: ResourceKind;
  /** What matches a desired resource to a current one: a metric's name, a policy's policy_id label… */
  key: string;
  body: Record<string, unknown>;
  /** The server's resource name and etag, for current resources. */
  name?: string;
  etag?: string;
}

export interface FieldDiff {
  path: string;
  current: unknown;
  desired: unknown;
}

export type Change =
  | { action: "create"; kind: ResourceKind; key: string; desired: Resource }
  | { action: "update"; kind: ResourceKind; key: string; desired: Resource; current: Resource; diff: FieldDiff[] }
  | { action: "unchanged"; kind: ResourceKind; key: string; desired: Resource; current: Resource };

const DURATION = /^(\d+(?:\.\d+)?)s$/;

/** A protobuf Duration in any of its shapes (`"300s"`, `{ seconds, nanos }`), in seconds. */
function durationSeconds(value: unknown): number | undefined {
  if (typeof value === "string") {
    const match = DURATION.exec(value);
    return match ? Number(match[1]) : undefined;
  }
  if (value && typeof value === "object" && "seconds" in value) {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    return Number(String(seconds ?? 0)) + Number(nanos ?? 0) / 1e9;
  }
  return undefined;
}

function sameScalar(desired: unknown, current: unknown): boolean {
  if (desired === current) return true;
  // Wrapper types (BoolValue: an alert policy's `enabled`) come back as `{ value }`.
  if (current && typeof current === "object" && "value" in current && !("seconds" in current)) return sameScalar(desired, (current as { value: unknown }).value);
  const desiredDuration = durationSeconds(desired);
  if (desiredDuration !== undefined && typeof desired === "string") return desiredDuration === durationSeconds(current);
  // int64 fields come back as strings or Longs.
  if (typeof desired === "number" && current !== null && current !== undefined) return desired === Number(String(current));
  return false;
}

/** The fields of `desired` whose value `current` does not have (fields only `current` has are ignored). */
export function diffFields(desired: unknown, current: unknown, path = ""): FieldDiff[] {
  if (Array.isArray(desired)) {
    if (!Array.isArray(current) || current.length !== desired.length) return [{ path, current, desired }];
    return desired.flatMap((item, i) => diffFields(item, current[i], `${path}[${i}]`));
  }
  if (desired && typeof desired === "object") {
    if (!current || typeof current !== "object" || Array.isArray(current)) {
      // An empty object (a custom service's `custom: {}`) matches one the server fills.
      return Object.keys(desired).length === 0 && current !== undefined && current !== null ? [] : [{ path, current, desired }];
    }
    return Object.entries(desired).flatMap(([key, value]) => diffFields(value, (current as Record<string, unknown>)[key], path ? `${path}.${key}` : key));
  }
  return sameScalar(desired, current) ? [] : [{ path, current, desired }];
}

/** The plan: one change per desired resource, in apply order. */
export function planChanges(desired: Resource[], current: Resource[]): Change[] {
  const currentByKey = new Map(current.map((resource) => [`${resource.kind}:${resource.key}`, resource]));
  const changes = desired.map((want): Change => {
    const have = currentByKey.get(`${want.kind}:${want.key}`);
    if (!have) return { action: "create", kind: want.kind, key: want.key, desired: want };
    const diff = diffFields(want.body, have.body);
    return diff.length === 0
      ? { action: "unchanged", kind: want.kind, key: want.key, desired: want, current: have }
      : { action: "update", kind: want.kind, key: want.key, desired: want, current: have, diff };
  });
  return changes.sort((a, b) => APPLY_ORDER.indexOf(a.kind) - APPLY_ORDER.indexOf(b.kind));
}

/** Fields holding a protobuf Duration: the clients want `{ seconds, nanos }`, the files say "300s". */
const DURATION_FIELDS = new Set(["alignmentPeriod", "duration", "rollingPeriod", "autoClose", "timeshiftDuration"]);
/** Fields of a wrapper type (google.protobuf.BoolValue): the clients want `{ value }`. */
const WRAPPED_FIELDS = new Set(["enabled"]);

/** A file's body in the shape the Node clients encode (their protobuf objects, not proto3 JSON). */
export function toClientShape(value: unknown, key = ""): unknown {
  if (typeof value === "string" && DURATION_FIELDS.has(key)) {
    const seconds = durationSeconds(value) ?? 0;
    return { seconds: Math.floor(seconds), nanos: Math.round((seconds % 1) * 1e9) };
  }
  if (typeof value === "boolean" && WRAPPED_FIELDS.has(key)) return { value };
  if (Array.isArray(value)) return value.map((item) => toClientShape(item));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toClientShape(v, k)]));
  return value;
}

/** The top-level fields an update changes, for update masks. */
export function changedTopFields(diff: FieldDiff[]): string[] {
  return [...new Set(diff.map((d) => d.path.split(/[.[]/)[0]))];
}

const PROJECT_PLACEHOLDER = /\{\{project\}\}/g;

/** The files as resources of `project` (the `{{project}}` placeholder filled in). */
export function desiredResources(files: MonitoringFiles, project: string): Resource[] {
  const fill = <T>(value: T): T => JSON.parse(JSON.stringify(value).replace(PROJECT_PLACEHOLDER, project)) as T;
  return [
    ...files.logMetrics.metrics.map((metric): Resource => ({ kind: "log-metric", key: metric.name, body: fill(metric) })),
    ...files.slos.services.map((service): Resource => ({ kind: "service", key: service.serviceId, body: fill(service.service) })),
    ...files.slos.services.flatMap((service) =>
      service.slos.map((slo): Resource => ({ kind: "slo", key: `${service.serviceId}/${slo.sloId}`, body: fill(slo.slo) })),
    ),
    { kind: "dashboard", key: files.dashboard.displayName, body: fill(files.dashboard) },
    ...files.alerts.policies.map((entry): Resource => ({ kind: "alert-policy", key: entry.id, body: fill(entry.policy) })),
  ];
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? "(absent)";
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The plan as the command prints it: one line per resource, the field diff under each update. */
export function formatPlan(changes: Change[]): string {
  const lines = changes.flatMap((change) => {
    const head = `${change.action.padEnd(9)} ${change.kind.padEnd(12)} ${change.key}`;
    if (change.action !== "update") return [head];
    return [head, ...change.diff.map((d) => `            ${d.path || "(whole)"}: ${shown(d.current)} -> ${shown(d.desired)}`)];
  });
  const count = (action: Change["action"]) => changes.filter((c) => c.action === action).length;
  return [...lines, `create ${count("create")}, update ${count("update")}, unchanged ${count("unchanged")}`].join("\n");
}

/** Where the resources live: Cloud Logging and Cloud Monitoring, or a double in tests. */
export interface MonitoringBackend {
  /** The project's current resources of every kind the files manage. */
  read(): Promise<Resource[]>;
  apply(change: Exclude<Change, { action: "unchanged" }>): Promise<void>;
}

/** Reads the current state, plans, and (unless `dryRun`) applies creates and updates in order. */
export async function syncMonitoring(backend: MonitoringBackend, desired: Resource[], options: { dryRun: boolean }): Promise<Change[]> {
  const changes = planChanges(desired, await backend.read());
  if (options.dryRun) return changes;
  for (const change of changes) if (change.action !== "unchanged") await backend.apply(change);
  return changes;
}
