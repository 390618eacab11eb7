/**
 * The monitoring files of ops/monitoring, offline: they validate, they refer only to what they
 * define, each metric counts an event of OPS_EVENTS that the code really emits (a renamed or
 * removed log event fails here), and the plan of `npm run ops:monitoring` (create / update /
 * unchanged, dry run) is right.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkLogMetric, crossCheck, eventsIn, findEmissions, loadMonitoringFiles, MONITORING_FILES, type LogMetric, type MonitoringFiles, type SourceText } from "../../src/ops/monitoring-files";
import { desiredResources, diffFields, formatPlan, planChanges, syncMonitoring, toClientShape, type Change, type MonitoringBackend, type Resource, type ResourceKind } from "../../src/ops/monitoring-plan";
import { OPS_EVENTS, type OpsEvent } from "../../src/shared/ops-events";

const FUNCTIONS = join(__dirname, "..", "..");
const REPO = join(FUNCTIONS, "..");
const DIR = join(REPO, "ops", "monitoring");

function sources(dir: string): SourceText[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [{ path, text: readFileSync(path, "utf8") }] : [];
  });
}

const files = (): MonitoringFiles => loadMonitoringFiles(DIR);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const EMISSIONS = findEmissions(sources(join(FUNCTIONS, "src")));
const EVENTS: Record<string, OpsEvent> = OPS_EVENTS;
const KEY_OF = new Map(Object.entries(EVENTS).map(([key, event]) => [event.name, key]));

describe("ops/monitoring files", () => {
  it("every file parses and validates against its schema, and the cross-checks find nothing", () => {
    for (const { file, schema } of Object.values(MONITORING_FILES)) {
      const parsed = schema.safeParse(JSON.parse(readFileSync(join(DIR, file), "utf8")));
      assert.ok(parsed.success, `${file}: ${parsed.error?.message}`);
    }
    assert.deepEqual(crossCheck(files()), []);
  });

  it("a chart, SLO or alert reading an undefined metric or SLO is refused", () => {
    const broken = clone(files());
    broken.dashboard.mosaicLayout.tiles[0].widget.xyChart.dataSets.push({
      timeSeriesQuery: { timeSeriesFilter: { filter: 'metric.type="logging.googleapis.com/user/no_such_metric"', aggregation: { alignmentPeriod: "60s", perSeriesAligner: "ALIGN_SUM" } } },
      plotType: "LINE",
    });
    broken.alerts.policies[0].policy.conditions[0].conditionThreshold.filter = 'select_slo_burn_rate("projects/{{project}}/services/checkout/serviceLevelObjectives/nope", "3600s")';
    const problems = crossCheck(broken);
    assert.ok(problems.some((p) => p.startsWith("dashboard.json") && p.includes("no_such_metric is not defined")), problems.join("\n"));
    assert.ok(problems.some((p) => p.startsWith("alerts.json") && p.includes("SLO checkout/nope is not defined")), problems.join("\n"));
  });

  it("a schema violation names the file and the field", () => {
    const bad = clone(files().alerts);
    (bad.policies[0].policy.conditions[0].conditionThreshold as { duration: string }).duration = "15 minutes";
    const parsed = MONITORING_FILES.alerts.schema.safeParse(bad);
    assert.equal(parsed.success, false);
    assert.ok(parsed.error!.issues.some((issue) => issue.path.join(".") === "policies.0.policy.conditions.0.conditionThreshold.duration"));
  });

  it("every log metric's filter names events of OPS_EVENTS that the code emits (or that a merged part will)", () => {
    for (const metric of files().logMetrics.metrics) {
      for (const name of eventsIn(metric.filter)) {
        const key = KEY_OF.get(name);
        assert.ok(key, `${metric.name}: "${name}" is not in OPS_EVENTS`);
        if (EVENTS[key].emittedBy) continue;
        assert.ok(EMISSIONS.has(key), `${metric.name}: OPS_EVENTS.${key} ("${name}") is emitted nowhere in functions/src`);
      }
    }
  });

  it("every event of OPS_EVENTS is emitted at its declared severity, except those another part emits", () => {
    for (const [key, event] of Object.entries(EVENTS)) {
      const uses = EMISSIONS.get(key) ?? [];
      if (!event.emittedBy) assert.ok(uses.length > 0, `OPS_EVENTS.${key} is never emitted`);
      for (const use of uses) assert.equal(use.severity, event.severity, `OPS_EVENTS.${key} logged at ${use.severity} in ${use.path}`);
    }
    // The events the health check and stuck-work detector will emit keep the names agreed on.
    assert.equal(OPS_EVENTS.stuckWorkDetected.name, "ops.stuck-work-detected");
    assert.equal(OPS_EVENTS.healthDegraded.name, "ops.health-degraded");
  });

  it("no counted event is logged under a literal name any more", () => {
    const names = new Set(Object.values(EVENTS).map((event) => event.name));
    for (const { path, text } of sources(join(FUNCTIONS, "src"))) {
      for (const [, name] of text.matchAll(/log\.(?:info|warn|error)\(\s*"([^"]+)"/g)) assert.ok(!names.has(name), `${path} logs "${name}" as a literal`);
    }
  });

  it("the emission search sees a renamed or removed event", () => {
    const emitted = findEmissions([{ path: "x.ts", text: 'log.info(OPS_EVENTS.callableCompleted.name, {});\nlog.warn("callable.refused", {});' }]);
    assert.deepEqual([...emitted.keys()], ["callableCompleted"]);
    const metric = clone(files().logMetrics.metrics.find((m) => m.name === "callable_outcomes")!);
    metric.filter = metric.filter.replace("callable.completed", "callable.finished");
    assert.ok(checkLogMetric(metric).some((p) => p.includes('"callable.finished" is not in OPS_EVENTS')));
  });

  it("label and value extractors read only fields the selected events declare", () => {
    const base = files().logMetrics.metrics.find((m) => m.name === "notifications")!;
    const wrongLabel: LogMetric = clone(base);
    wrongLabel.labelExtractors = { ...wrongLabel.labelExtractors, channel: "EXTRACT(jsonPayload.medium)" };
    assert.ok(checkLogMetric(wrongLabel).some((p) => p.includes("label channel extracts jsonPayload.medium")));

    const missingDescriptor: LogMetric = clone(base);
    missingDescriptor.metricDescriptor.labels = missingDescriptor.metricDescriptor.labels.slice(1);
    assert.ok(checkLogMetric(missingDescriptor).some((p) => p.includes("labelExtractors")));

    const latency: LogMetric = clone(files().logMetrics.metrics.find((m) => m.name === "callable_latency")!);
    latency.valueExtractor = "EXTRACT(jsonPayload.elapsed)";
    assert.ok(checkLogMetric(latency).some((p) => p.includes("valueExtractor reads jsonPayload.elapsed")));

    const filterField: LogMetric = clone(base);
    filterField.filter += ' AND jsonPayload.provider="fcm"';
    assert.ok(checkLogMetric(filterField).some((p) => p.includes("reads jsonPayload.provider")));
  });

  it("the acceptance SLO and the SMS alert follow the params they are about", () => {
    const params = readFileSync(join(FUNCTIONS, "src", "shared", "params.ts"), "utf8");
    const env = readFileSync(join(FUNCTIONS, ".env"), "utf8");
    const valueOf = (name: string) => Number(new RegExp(`^${name}=(\\d+)`, "m").exec(env)?.[1] ?? new RegExp(`"${name}",\\s*\\{\\s*default:\\s*([\\d_]+)`).exec(params)?.[1]?.replace(/_/g, ""));
    const windowMs = valueOf("ACCEPTANCE_WINDOW_MINUTES") * 60_000;
    const orders = files().slos.services.find((s) => s.serviceId === "orders")!;
    const cut = orders.slos[0].slo.serviceLevelIndicator.requestBased;
    assert.ok("distributionCut" in cut);
    assert.equal(cut.distributionCut.range.max, windowMs);

    const budget = valueOf("SMS_BUDGET_PER_HOUR");
    const sms = files().alerts.policies.find((p) => p.id === "sms-spend")!.policy;
    assert.equal(sms.conditions[0].conditionThreshold.thresholdValue, budget * 0.8);
    const chart = files().dashboard.mosaicLayout.tiles.find((t) => t.widget.title.startsWith("SMS sent"))!;
    assert.equal(chart.widget.xyChart.thresholds?.[0].value, budget);
  });

  it("every runbook command in the alerts' documentation is a script of package.json", () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
    // ops:status comes with the health check and stuck-work detector.
    const known = new Set([...scripts, "ops:status"]);
    for (const { id, policy } of files().alerts.policies) {
      const commands = [...policy.documentation.content.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
      assert.ok(commands.length > 0, `${id} names no runbook command`);
      for (const command of commands) assert.ok(known.has(command), `${id}: npm run ${command} does not exist`);
    }
  });
});

const metric = (name: string, filter: string): Resource => ({ kind: "log-metric", key: name, body: { name, filter, metricDescriptor: { metricKind: "DELTA" } } });

describe("ops:monitoring plan", () => {
  it("creates what is missing, updates what differs (with the fields) and leaves the rest", () => {
    const desired = [metric("a", "x"), metric("b", "y"), metric("c", "z")];
    const current: Resource[] = [
      // Server-filled fields (type, labels, name) are not the files' business.
      { ...metric("b", "y"), body: { ...metric("b", "y").body, metricDescriptor: { metricKind: "DELTA", type: "logging.googleapis.com/user/b", labels: [] }, createTime: "t" } },
      metric("c", "old"),
      metric("unmanaged", "w"),
    ];
    const changes = planChanges(desired, current);
    assert.deepEqual(changes.map((c) => [c.action, c.key]), [["create", "a"], ["unchanged", "b"], ["update", "c"]]);
    const update = changes[2] as Extract<Change, { action: "update" }>;
    assert.deepEqual(update.diff, [{ path: "filter", current: "old", desired: "z" }]);
    assert.match(formatPlan(changes), /update\s+log-metric\s+c\n\s+filter: "old" -> "z"\ncreate 1, update 1, unchanged 1$/);
  });

  it("compares durations, int64s and arrays the way the clients return them", () => {
    assert.deepEqual(diffFields({ duration: "900s", count: 3 }, { duration: { seconds: "900", nanos: 0 }, count: "3" }), []);
    assert.deepEqual(diffFields({ duration: "900s" }, { duration: { seconds: "600", nanos: 0 } }).map((d) => d.path), ["duration"]);
    assert.deepEqual(diffFields({ list: [{ a: 1 }, { a: 2 }] }, { list: [{ a: 1, extra: true }] }).map((d) => d.path), ["list"]);
    assert.deepEqual(diffFields({ list: [{ a: 1 }] }, { list: [{ a: 2, extra: true }] }).map((d) => d.path), ["list[0].a"]);
    assert.deepEqual(diffFields({ custom: {} }, { custom: {} }), []);
  });

  it("plans the files in apply order, metrics first and alerts last, with the project filled in", () => {
    const desired = desiredResources(files(), "my-project");
    const changes = planChanges(desired, []);
    const kinds = changes.map((c) => c.kind);
    assert.equal(kinds[0], "log-metric");
    assert.equal(kinds.at(-1), "alert-policy");
    assert.ok(kinds.indexOf("slo") < kinds.indexOf("alert-policy"));
    assert.ok(changes.every((c) => c.action === "create"));
    const burn = JSON.stringify(desired.find((r) => r.key === "checkout-availability-burn")!.body);
    assert.ok(burn.includes("projects/my-project/services/checkout/serviceLevelObjectives/availability") && !burn.includes("{{project}}"));
  });

  it("every resource encodes to the clients' protobuf messages without losing or changing a field", async () => {
    interface MessageType {
      fromObject(object: unknown): unknown;
      verify(message: unknown): string | null;
      toObject(message: unknown, options: object): unknown;
    }
    // The official clients' generated types: a misspelt or misplaced field would be dropped here.
    const [{ protos: logging }, { protos: monitoring }, { protos: dashboards }] = await Promise.all([
      import("@google-cloud/logging"),
      import("@google-cloud/monitoring"),
      import("@google-cloud/monitoring-dashboards"),
    ]);
    const TYPES: Record<ResourceKind, MessageType> = {
      "log-metric": logging.google.logging.v2.LogMetric as unknown as MessageType,
      service: monitoring.google.monitoring.v3.Service as unknown as MessageType,
      slo: monitoring.google.monitoring.v3.ServiceLevelObjective as unknown as MessageType,
      "alert-policy": monitoring.google.monitoring.v3.AlertPolicy as unknown as MessageType,
      dashboard: dashboards.google.monitoring.dashboard.v1.Dashboard as unknown as MessageType,
    };
    for (const resource of desiredResources(files(), "my-project")) {
      const type = TYPES[resource.kind];
      const shape = toClientShape(resource.body);
      const message = type.fromObject(shape);
      assert.equal(type.verify(message), null, `${resource.kind} ${resource.key}`);
      // An empty repeated field is the same as none on the wire.
      const withoutEmptyLists = JSON.parse(JSON.stringify(shape, (_key, value: unknown) => (Array.isArray(value) && value.length === 0 ? undefined : value))) as unknown;
      assert.deepEqual(type.toObject(message, { enums: String, longs: Number }), withoutEmptyLists, `${resource.kind} ${resource.key} round-trips`);
    }
  });

  it("compares wrapper values as the clients return them", () => {
    assert.deepEqual(diffFields({ enabled: true }, { enabled: { value: true } }), []);
    assert.deepEqual(diffFields({ enabled: true }, { enabled: { value: false } }).map((d) => d.path), ["enabled"]);
  });

  it("a dry run reads and changes nothing; a real run applies creates and updates only", async () => {
    const applied: string[] = [];
    const backend: MonitoringBackend = {
      read: async () => [metric("b", "y"), metric("c", "old")],
      apply: async (change) => {
        applied.push(`${change.action} ${change.key}`);
      },
    };
    const desired = [metric("a", "x"), metric("b", "y"), metric("c", "z")];
    const dry = await syncMonitoring(backend, desired, { dryRun: true });
    assert.equal(dry.length, 3);
    assert.deepEqual(applied, []);
    await syncMonitoring(backend, desired, { dryRun: false });
    assert.deepEqual(applied, ["create a", "update c"]);
  });

  it("offline, the command fails with one clear line and no stack trace", () => {
    const home = mkdtempSync(join(tmpdir(), "no-adc-"));
    const env = { ...process.env, HOME: home, GOOGLE_APPLICATION_CREDENTIALS: "", CLOUDSDK_CONFIG: home, METADATA_SERVER_DETECTION: "none" };
    const run = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "ops", "monitoring.ts"), "--project", "demo-offline", "--dry-run"], { cwd: REPO, env, encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 1, run.stderr);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /^ops:monitoring: .*credentials/i);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it("the command validates the files offline with --validate, and refuses a bad command line", () => {
    const valid = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "ops", "monitoring.ts"), "--validate"], { cwd: REPO, encoding: "utf8" });
    assert.equal(valid.status, 0, valid.stderr);
    assert.match(valid.stdout, /resources, all valid/);
    const bad = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "ops", "monitoring.ts")], { cwd: REPO, encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /usage: npm run ops:monitoring/);
  });
});
