/**
 * The monitoring-as-code files of `ops/monitoring/` (log-based metrics, dashboard, SLOs, alert
 * policies): their schemas, in the Cloud Logging / Cloud Monitoring shapes the files use, and the
 * cross-checks that keep them honest: every chart, SLO and alert reads a metric the files define,
 * every metric's filter names an event of OPS_EVENTS and extracts only fields it declares, and
 * every event a metric counts is really emitted by the code. Not deployed: `npm run
 * ops:monitoring` and the unit tests read it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { OPS_EVENTS, type OpsEvent } from "../shared/ops-events";

/** A protobuf Duration as JSON: `"900s"`. */
const Duration = z.string().regex(/^\d+(\.\d+)?s$/, "a duration such as \"300s\"");
const Filter = z.string().min(1);

const LabelDescriptor = z.strictObject({ key: z.string().regex(/^[a-z][a-z0-9_]*$/), valueType: z.enum(["STRING", "BOOL", "INT64"]), description: z.string().min(1) });

export const LogMetric = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, "lower_snake_case"),
  description: z.string().min(1),
  filter: Filter,
  metricDescriptor: z.strictObject({
    metricKind: z.literal("DELTA"),
    valueType: z.enum(["INT64", "DISTRIBUTION"]),
    unit: z.string().min(1),
    labels: z.array(LabelDescriptor),
  }),
  labelExtractors: z.record(z.string(), z.string().regex(/^(EXTRACT|REGEXP_EXTRACT)\(jsonPayload\.\w+/)).optional(),
  valueExtractor: z.string().regex(/^EXTRACT\(jsonPayload\.\w+\)$/).optional(),
  bucketOptions: z
    .strictObject({ exponentialBuckets: z.strictObject({ numFiniteBuckets: z.number().int().min(1).max(200), growthFactor: z.number().gt(1), scale: z.number().positive() }) })
    .optional(),
});
export type LogMetric = z.infer<typeof LogMetric>;

export const LogMetricsFile = z.strictObject({ metrics: z.array(LogMetric).min(1) });

const Aggregation = z.strictObject({
  alignmentPeriod: Duration,
  perSeriesAligner: z.enum(["ALIGN_SUM", "ALIGN_RATE", "ALIGN_DELTA", "ALIGN_PERCENTILE_50", "ALIGN_PERCENTILE_95", "ALIGN_PERCENTILE_99"]),
  crossSeriesReducer: z.enum(["REDUCE_SUM", "REDUCE_MAX", "REDUCE_MEAN"]).optional(),
  groupByFields: z.array(z.string().regex(/^(metric|resource)\.label\.\w+$/)).optional(),
});

const TimeSeriesFilter = z.strictObject({ filter: Filter, aggregation: Aggregation });
const DataSet = z.strictObject({
  timeSeriesQuery: z.union([
    z.strictObject({ timeSeriesFilter: TimeSeriesFilter }),
    z.strictObject({ timeSeriesFilterRatio: z.strictObject({ numerator: TimeSeriesFilter, denominator: TimeSeriesFilter }) }),
  ]),
  plotType: z.enum(["LINE", "STACKED_AREA", "STACKED_BAR", "HEATMAP"]),
  legendTemplate: z.string().optional(),
});
const Widget = z.strictObject({
  title: z.string().min(1),
  xyChart: z.strictObject({
    dataSets: z.array(DataSet).min(1),
    timeshiftDuration: Duration.optional(),
    yAxis: z.strictObject({ label: z.string(), scale: z.enum(["LINEAR", "LOG10"]) }).optional(),
    thresholds: z.array(z.strictObject({ value: z.number() })).optional(),
  }),
});

export const Dashboard = z.strictObject({
  displayName: z.string().min(1),
  mosaicLayout: z.strictObject({
    columns: z.number().int().min(1).max(48),
    tiles: z
      .array(z.strictObject({ xPos: z.number().int().min(0), yPos: z.number().int().min(0), width: z.number().int().min(1), height: z.number().int().min(1), widget: Widget }))
      .min(1),
  }),
});
export type Dashboard = z.infer<typeof Dashboard>;

const ServiceLevelObjective = z.strictObject({
  displayName: z.string().min(1),
  goal: z.number().gt(0).lt(1),
  rollingPeriod: Duration,
  serviceLevelIndicator: z.strictObject({
    requestBased: z.union([
      z.strictObject({
        goodTotalRatio: z
          .strictObject({ goodServiceFilter: Filter.optional(), badServiceFilter: Filter.optional(), totalServiceFilter: Filter.optional() })
          .refine((ratio) => Object.values(ratio).filter(Boolean).length === 2, "exactly two of good, bad and total filters"),
      }),
      z.strictObject({ distributionCut: z.strictObject({ distributionFilter: Filter, range: z.strictObject({ min: z.number(), max: z.number() }) }) }),
    ]),
  }),
});

const ResourceId = z.string().regex(/^[a-z][a-z0-9-]*$/);

export const SlosFile = z.strictObject({
  services: z
    .array(
      z.strictObject({
        serviceId: ResourceId,
        service: z.strictObject({ displayName: z.string().min(1), custom: z.strictObject({}) }),
        slos: z.array(z.strictObject({ sloId: ResourceId, slo: ServiceLevelObjective })).min(1),
      }),
    )
    .min(1),
});
export type SlosFile = z.infer<typeof SlosFile>;

const Threshold = z.strictObject({
  filter: Filter,
  aggregations: z.array(Aggregation).optional(),
  denominatorFilter: Filter.optional(),
  denominatorAggregations: z.array(Aggregation).optional(),
  comparison: z.enum(["COMPARISON_GT", "COMPARISON_LT"]),
  thresholdValue: z.number(),
  duration: Duration,
  trigger: z.strictObject({ count: z.number().int().min(1) }),
});

export const AlertPolicy = z.strictObject({
  displayName: z.string().min(1),
  userLabels: z.strictObject({ managed_by: z.literal("ops-monitoring"), policy_id: ResourceId }),
  combiner: z.enum(["OR", "AND"]),
  enabled: z.boolean(),
  severity: z.enum(["CRITICAL", "ERROR", "WARNING"]),
  alertStrategy: z.strictObject({ autoClose: Duration }),
  conditions: z.array(z.strictObject({ displayName: z.string().min(1), conditionThreshold: Threshold })).min(1),
  documentation: z.strictObject({ content: z.string().min(40), mimeType: z.literal("text/markdown") }),
});
export type AlertPolicy = z.infer<typeof AlertPolicy>;

export const AlertsFile = z.strictObject({
  policies: z
    .array(z.strictObject({ id: ResourceId, policy: AlertPolicy }).refine((entry) => entry.policy.userLabels.policy_id === entry.id, "userLabels.policy_id must be the entry's id"))
    .min(1),
});
export type AlertsFile = z.infer<typeof AlertsFile>;

export interface MonitoringFiles {
  logMetrics: z.infer<typeof LogMetricsFile>;
  dashboard: Dashboard;
  slos: SlosFile;
  alerts: AlertsFile;
}

export const MONITORING_FILES = {
  logMetrics: { file: "log-metrics.json", schema: LogMetricsFile },
  dashboard: { file: "dashboard.json", schema: Dashboard },
  slos: { file: "slos.json", schema: SlosFile },
  alerts: { file: "alerts.json", schema: AlertsFile },
} as const;

export class MonitoringFilesInvalid extends Error {
  constructor(readonly problems: string[]) {
    super(`ops/monitoring is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "MonitoringFilesInvalid";
  }
}

/** Reads and validates the four files of `dir`; throws MonitoringFilesInvalid listing every problem. */
export function loadMonitoringFiles(dir: string): MonitoringFiles {
  const problems: string[] = [];
  const loaded: Partial<Record<keyof MonitoringFiles, unknown>> = {};
  for (const [key, { file, schema }] of Object.entries(MONITORING_FILES)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) loaded[key as keyof MonitoringFiles] = parsed.data;
    else problems.push(...parsed.error.issues.map((issue) => `${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`));
  }
  if (problems.length > 0) throw new MonitoringFilesInvalid(problems);
  const files = loaded as MonitoringFiles;
  const crossProblems = crossCheck(files);
  if (crossProblems.length > 0) throw new MonitoringFilesInvalid(crossProblems);
  return files;
}

const USER_METRIC = /logging\.googleapis\.com\/user\/([A-Za-z0-9_./-]+)"/g;
const SLO_REFERENCE = /services\/([a-z0-9-]+)\/serviceLevelObjectives\/([a-z0-9-]+)/g;
const EVENT_IN_FILTER = /jsonPayload\.message\s*=\s*"([^"]+)"/g;
const FIELD_IN_FILTER = /jsonPayload\.(\w+)/g;
const EXTRACTED_FIELD = /^EXTRACT\(jsonPayload\.(\w+)\)$/;

/** The log-based metrics a Monitoring filter reads. */
export function metricsIn(filter: string): string[] {
  return [...filter.matchAll(USER_METRIC)].map((m) => m[1]);
}

/** The event names a log filter selects. */
export function eventsIn(filter: string): string[] {
  return [...filter.matchAll(EVENT_IN_FILTER)].map((m) => m[1]);
}

const EVENTS_BY_NAME = new Map<string, OpsEvent>(Object.values(OPS_EVENTS).map((event) => [event.name, event]));

/** Problems with one log metric against the events table: unknown events, undeclared fields. */
export function checkLogMetric(metric: LogMetric, events: ReadonlyMap<string, OpsEvent> = EVENTS_BY_NAME): string[] {
  const where = `log metric ${metric.name}`;
  const problems: string[] = [];
  const named = eventsIn(metric.filter);
  if (named.length === 0) problems.push(`${where}: its filter names no jsonPayload.message event`);
  const selected = named.map((name) => ({ name, event: events.get(name) }));
  for (const { name, event } of selected) if (!event) problems.push(`${where}: event "${name}" is not in OPS_EVENTS (renamed or removed?)`);
  const known = selected.flatMap(({ event }) => (event ? [event] : []));
  // Every event the metric selects must carry the field: a label empty for some events is fine
  // only when declared as such, so demand it of at least one and of all for the value.
  const declares = (field: string, kind: "label" | "value" | "either") =>
    known.some((event) => (kind !== "value" && event.labels.includes(field)) || (kind !== "label" && (event.values ?? []).includes(field)));
  for (const [, field] of metric.filter.matchAll(FIELD_IN_FILTER)) {
    if (field !== "message" && !declares(field, "either")) problems.push(`${where}: its filter reads jsonPayload.${field}, which no event it selects declares`);
  }
  const descriptorLabels = metric.metricDescriptor.labels.map((label) => label.key).sort();
  const extracted = Object.keys(metric.labelExtractors ?? {}).sort();
  if (descriptorLabels.join() !== extracted.join()) problems.push(`${where}: labels [${descriptorLabels.join(", ")}] and labelExtractors [${extracted.join(", ")}] differ`);
  for (const [label, extractor] of Object.entries(metric.labelExtractors ?? {})) {
    const field = EXTRACTED_FIELD.exec(extractor)?.[1];
    if (field !== undefined && !declares(field, "label")) problems.push(`${where}: label ${label} extracts jsonPayload.${field}, which no event it selects declares as a label`);
    if (field === undefined && !/^REGEXP_EXTRACT\(jsonPayload\.message, /.test(extractor)) problems.push(`${where}: label ${label}: only EXTRACT(jsonPayload.<field>) or REGEXP_EXTRACT(jsonPayload.message, …)`);
  }
  const distribution = metric.metricDescriptor.valueType === "DISTRIBUTION";
  if (distribution !== (metric.valueExtractor !== undefined && metric.bucketOptions !== undefined)) {
    problems.push(`${where}: a DISTRIBUTION metric needs valueExtractor and bucketOptions, a counter neither`);
  }
  if (metric.valueExtractor) {
    const field = EXTRACTED_FIELD.exec(metric.valueExtractor)?.[1];
    if (!field || !known.every((event) => (event.values ?? []).includes(field))) problems.push(`${where}: valueExtractor reads jsonPayload.${field}, not a value field of every event it selects`);
  }
  return problems;
}

/** Every filter in the dashboard, SLOs and alert policies, with where it is. */
export function monitoringFilters(files: Pick<MonitoringFiles, "dashboard" | "slos" | "alerts">): { where: string; filter: string }[] {
  const found: { where: string; filter: string }[] = [];
  const visit = (value: unknown, where: string) => {
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${where}[${i}]`));
    else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (typeof inner === "string" && /filter$/i.test(key)) found.push({ where: `${where}.${key}`, filter: inner });
        else visit(inner, `${where}.${key}`);
      }
    }
  };
  visit(files.dashboard, "dashboard.json");
  visit(files.slos, "slos.json");
  visit(files.alerts, "alerts.json");
  return found;
}

/** Problems across the files: metrics and SLOs referred to but not defined, and each metric's own. */
export function crossCheck(files: MonitoringFiles, events: ReadonlyMap<string, OpsEvent> = EVENTS_BY_NAME): string[] {
  const problems = files.logMetrics.metrics.flatMap((metric) => checkLogMetric(metric, events));
  const metricNames = new Set(files.logMetrics.metrics.map((metric) => metric.name));
  const duplicates = files.logMetrics.metrics.filter((metric, i, all) => all.findIndex((m) => m.name === metric.name) !== i);
  for (const metric of duplicates) problems.push(`log-metrics.json: ${metric.name} is defined twice`);
  const slos = new Set(files.slos.services.flatMap((service) => service.slos.map((slo) => `${service.serviceId}/${slo.sloId}`)));
  for (const { where, filter } of monitoringFilters(files)) {
    const metrics = metricsIn(filter);
    const sloRefs = [...filter.matchAll(SLO_REFERENCE)].map((m) => `${m[1]}/${m[2]}`);
    if (metrics.length === 0 && sloRefs.length === 0) problems.push(`${where}: reads neither a log-based metric nor an SLO`);
    for (const metric of metrics) if (!metricNames.has(metric)) problems.push(`${where}: metric ${metric} is not defined in log-metrics.json`);
    for (const slo of sloRefs) if (!slos.has(slo)) problems.push(`${where}: SLO ${slo} is not defined in slos.json`);
  }
  return problems;
}

/** A source file as the emission search sees it. */
export interface SourceText {
  path: string;
  text: string;
}

const EMISSION = /log\.(info|warn|error)\(\s*OPS_EVENTS\.(\w+)\.name\b/g;
const LEVEL_SEVERITY = { info: "INFO", warn: "WARNING", error: "ERROR" } as const;

/** Where each OPS_EVENTS entry is emitted (`log.<level>(OPS_EVENTS.<key>.name, …)`), with the level used. */
export function findEmissions(sources: SourceText[]): Map<string, { path: string; severity: string }[]> {
  const found = new Map<string, { path: string; severity: string }[]>();
  for (const { path, text } of sources) {
    for (const [, level, key] of text.matchAll(EMISSION)) {
      found.set(key, [...(found.get(key) ?? []), { path, severity: LEVEL_SEVERITY[level as keyof typeof LEVEL_SEVERITY] }]);
    }
  }
  return found;
}
