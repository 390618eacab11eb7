/**
 * Applies `ops/monitoring/` to a project: log-based metrics (Cloud Logging), SLO services and
 * objectives, the dashboard and alert policies (Cloud Monitoring), with the official clients and
 * Application Default Credentials (`gcloud auth application-default login`).
 *
 *   npm run ops:monitoring -- --project <id> --dry-run   # validate, read, print the plan
 *   npm run ops:monitoring -- --project <id>             # and apply it
 *   npm run ops:monitoring -- --validate                 # only validate the files (offline)
 *
 * Exit status: 0 done (or nothing to do), 1 the project could not be read or changed, 2 a bad
 * command line or invalid files.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadMonitoringFiles, MonitoringFilesInvalid } from "../../functions/src/ops/monitoring-files.ts";
import {
  changedTopFields,
  desiredResources,
  formatPlan,
  syncMonitoring,
  toClientShape,
  type Change,
  type MonitoringBackend,
  type Resource,
} from "../../functions/src/ops/monitoring-plan.ts";
import { REPO_ROOT } from "../dev/emulator-env.ts";

const USAGE = "usage: npm run ops:monitoring -- (--project <id> [--dry-run] | --validate) [--dir <folder>]";

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const lastSegment = (name: string | null | undefined) => (name ?? "").split("/").pop() ?? "";
const asBody = (value: unknown) => value as Record<string, unknown>;

/** The backend on the official clients, loaded only when a project is named. */
async function googleBackend(project: string): Promise<MonitoringBackend> {
  const [{ v2: logging }, monitoring, { DashboardsServiceClient }] = await Promise.all([
    import("@google-cloud/logging"),
    import("@google-cloud/monitoring"),
    import("@google-cloud/monitoring-dashboards"),
  ]);
  const metricsClient = new logging.MetricsServiceV2Client({ projectId: project });
  const alertsClient = new monitoring.AlertPolicyServiceClient({ projectId: project });
  const slosClient = new monitoring.ServiceMonitoringServiceClient({ projectId: project });
  const dashboardsClient = new DashboardsServiceClient({ projectId: project });
  const parent = `projects/${project}`;

  return {
    async read() {
      const [metrics] = await metricsClient.listLogMetrics({ parent });
      const [policies] = await alertsClient.listAlertPolicies({ name: parent });
      const [services] = await slosClient.listServices({ parent });
      const [dashboards] = await dashboardsClient.listDashboards({ parent });
      const slos: Resource[] = [];
      for (const service of services) {
        const [objectives] = await slosClient.listServiceLevelObjectives({ parent: service.name ?? "" });
        for (const slo of objectives) slos.push({ kind: "slo", key: `${lastSegment(service.name)}/${lastSegment(slo.name)}`, body: asBody(slo), name: slo.name ?? undefined });
      }
      return [
        ...(metrics as { name?: string | null }[]).map((m): Resource => ({ kind: "log-metric", key: m.name ?? "", body: asBody(m) })),
        ...services.map((s): Resource => ({ kind: "service", key: lastSegment(s.name), body: asBody(s), name: s.name ?? undefined })),
        ...slos,
        ...dashboards.map((d): Resource => ({ kind: "dashboard", key: d.displayName ?? "", body: asBody(d), name: d.name ?? undefined, etag: d.etag ?? undefined })),
        // Only policies these files made carry the policy_id label; others are not touched.
        ...policies
          .filter((p) => p.userLabels?.policy_id)
          .map((p): Resource => ({ kind: "alert-policy", key: p.userLabels!.policy_id, body: asBody(p), name: p.name ?? undefined })),
      ];
    },

    async apply(change) {
      const body = toClientShape(change.desired.body) as never;
      const current = change.action === "update" ? change.current : undefined;
      const updateMask = change.action === "update" ? { paths: changedTopFields(change.diff).map(snake) } : undefined;
      switch (change.kind) {
        case "log-metric":
          if (current) await metricsClient.updateLogMetric({ metricName: `${parent}/metrics/${change.key}`, metric: body });
          else await metricsClient.createLogMetric({ parent, metric: body });
          return;
        case "service":
          if (current) await slosClient.updateService({ service: { ...(body as object), name: current.name }, updateMask });
          else await slosClient.createService({ parent, serviceId: change.key, service: body });
          return;
        case "slo": {
          const [serviceId, sloId] = change.key.split("/");
          if (current) await slosClient.updateServiceLevelObjective({ serviceLevelObjective: { ...(body as object), name: current.name }, updateMask });
          else await slosClient.createServiceLevelObjective({ parent: `${parent}/services/${serviceId}`, serviceLevelObjectiveId: sloId, serviceLevelObjective: body });
          return;
        }
        case "dashboard":
          if (current) await dashboardsClient.updateDashboard({ dashboard: { ...(body as object), name: current.name, etag: current.etag } });
          else await dashboardsClient.createDashboard({ parent, dashboard: body });
          return;
        case "alert-policy":
          if (current) await alertsClient.updateAlertPolicy({ alertPolicy: { ...(body as object), name: current.name }, updateMask });
          else await alertsClient.createAlertPolicy({ name: parent, alertPolicy: body });
          return;
      }
    },
  };
}

/** A client error as one line: the gRPC details or the message's first line, with a hint for missing credentials. */
function oneLine(error: unknown): string {
  const e = error as { details?: string; message?: string };
  const line = (e.details || e.message || String(error)).split("\n")[0];
  return /default credentials/i.test(line) ? `no Application Default Credentials (run \`gcloud auth application-default login\`): ${line}` : line;
}

function fail(error: unknown): never {
  console.error(`ops:monitoring: ${oneLine(error)}`);
  process.exit(1);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { project: { type: "string" }, "dry-run": { type: "boolean" }, validate: { type: "boolean" }, dir: { type: "string" } } }));
  } catch (error) {
    console.error(`${oneLine(error)}\n${USAGE}`);
    return 2;
  }
  if (!values.project && !values.validate) {
    console.error(USAGE);
    return 2;
  }
  const dir = values.dir ?? join(REPO_ROOT, "ops", "monitoring");
  let desired: Resource[];
  try {
    desired = desiredResources(loadMonitoringFiles(dir), values.project ?? "validate-only");
  } catch (error) {
    if (!(error instanceof MonitoringFilesInvalid)) throw error;
    console.error(error.message);
    return 2;
  }
  if (!values.project) {
    console.log(`ops/monitoring: ${desired.length} resources, all valid`);
    return 0;
  }
  // Never probe the metadata server unasked (offline it hangs, and this is no GCE VM as a rule);
  // on a VM or in Cloud Shell without a credentials file, set METADATA_SERVER_DETECTION=assume-present.
  process.env.METADATA_SERVER_DETECTION ??= "none";
  const dryRun = values["dry-run"] === true;
  let changes: Change[];
  try {
    changes = await syncMonitoring(await googleBackend(values.project), desired, { dryRun });
  } catch (error) {
    console.error(`ops:monitoring: project ${values.project}: ${oneLine(error)}`);
    return 1;
  }
  console.log(`${dryRun ? "plan (dry run, nothing changed)" : "applied"} for project ${values.project}:`);
  console.log(formatPlan(changes));
  return 0;
}

// The clients share one connection promise per client: when it fails, the calls waiting on it
// reject too, some unobserved. Any of them ends the run with the same one line.
process.on("unhandledRejection", fail);
main().then((code) => process.exit(code), fail);
