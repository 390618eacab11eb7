/**
 * The local fault plan: which named points of the functions (see functions/src/shared/faults.ts)
 * fail, hang or lose their answer, and how often. Tests and the chaos benchmark set a plan; the
 * functions ask at every point. Started by `npm start` and `npm test`, never deployed.
 *
 *   PUT  /plan    { seed?, rules: [{ point, mode: "fail"|"lose"|"hang", times?, probability?, hangMs? }] }
 *                 `point` is a point name or a prefix ending in `*`; `times` caps injections per
 *                 rule, `probability` (0..1, seeded) picks which passes are hit.
 *   POST /hit     { point } -> { action: "pass" } | { action: "fail"|"lose" } | { action: "hang", ms }
 *   GET  /report  passes and injections per point
 *   DELETE /plan  no faults, counters cleared
 */
import { seededRandom } from "../lib/seeded-random.ts";
import { serveDouble } from "./double-server.ts";

interface Rule {
  point: string;
  mode: "fail" | "lose" | "hang";
  times?: number;
  probability?: number;
  hangMs?: number;
  injected: number;
}

let rules: Rule[] = [];
let random = seededRandom(1);
const passes = new Map<string, number>();
const injections = new Map<string, number>();


const matches = (rule: Rule, point: string) => (rule.point.endsWith("*") ? point.startsWith(rule.point.slice(0, -1)) : rule.point === point);

function hit(point: string) {
  passes.set(point, (passes.get(point) ?? 0) + 1);
  for (const rule of rules) {
    if (!matches(rule, point) || (rule.times !== undefined && rule.injected >= rule.times)) continue;
    if (rule.probability !== undefined && random() >= rule.probability) continue;
    rule.injected += 1;
    const key = `${point} ${rule.mode}`;
    injections.set(key, (injections.get(key) ?? 0) + 1);
    return rule.mode === "hang" ? { action: "hang", ms: rule.hangMs ?? 1000 } : { action: rule.mode };
  }
  return { action: "pass" };
}

serveDouble("fault plan", Number(process.env.FAULT_PLAN_PORT ?? 12115), (request, send) => {
  const path = request.url.pathname;
  if (request.method === "POST" && path === "/hit") return send(200, hit((JSON.parse(request.raw) as { point: string }).point));
  if (request.method === "PUT" && path === "/plan") {
    const body = JSON.parse(request.raw) as { seed?: number; rules: Omit<Rule, "injected">[] };
    rules = body.rules.map((rule) => ({ ...rule, injected: 0 }));
    random = seededRandom(body.seed ?? 1);
    return send(200, { rules: rules.length });
  }
  if (request.method === "DELETE" && path === "/plan") {
    rules = [];
    passes.clear();
    injections.clear();
    return send(200, {});
  }
  if (request.method === "GET" && path === "/report") {
    return send(200, { passes: Object.fromEntries(passes), injections: Object.fromEntries(injections), rules });
  }
  send(404, { error: `no route ${request.method} ${path}` });
});
