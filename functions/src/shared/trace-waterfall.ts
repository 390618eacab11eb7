/**
 * Reading the local span file and drawing a trace as a waterfall in the terminal: the span tree
 * indented, each span's start offset from the trace's first span, its duration, status and a
 * time bar. A span whose parent is not in the file breaks the trace; it is shown as such.
 * Used by `npm run trace` and `npm run bench:trace`; never loaded by a function.
 */
import { existsSync, readFileSync } from "node:fs";
import { CALLER_PARENT, type SpanLine } from "./trace-file-exporter";

/** Every well-formed span line of the file (a line cut short by a crash is skipped). */
export function readSpanFile(file: string): SpanLine[] {
  if (!existsSync(file)) return [];
  const spans: SpanLine[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const span = JSON.parse(line) as SpanLine;
      if (typeof span.traceId === "string" && typeof span.spanId === "string" && typeof span.startMs === "number") spans.push(span);
    } catch {
      // A partial line: nothing to draw.
    }
  }
  return spans;
}

/**
 * The spans of the traces that concern `key`: an order id or a correlation id (any span with that
 * attribute selects its trace) or a trace id. The order's own trace comes first (earliest start).
 */
export function tracesFor(spans: SpanLine[], key: string): SpanLine[][] {
  const traceIds = new Set(spans.filter((s) => s.traceId === key || s.attributes.orderId === key || s.attributes.correlationId === key).map((s) => s.traceId));
  const traces = [...traceIds].map((id) => spans.filter((s) => s.traceId === id));
  const start = (trace: SpanLine[]) => Math.min(...trace.map((s) => s.startMs));
  return traces.sort((a, b) => start(a) - start(b));
}

export interface SpanNode {
  span: SpanLine;
  children: SpanNode[];
}

export interface TraceTree {
  /** Spans with no parent, or whose parent is the caller's (a `traceparent` the app sent). */
  roots: SpanNode[];
  /** Spans whose parent is missing from the trace: the trace is broken there. */
  orphans: SpanNode[];
  spanCount: number;
}


export function buildTree(trace: SpanLine[]): TraceTree {
  const nodes = new Map<string, SpanNode>();
  for (const span of [...trace].sort((a, b) => a.startMs - b.startMs)) if (!nodes.has(span.spanId)) nodes.set(span.spanId, { span, children: [] });
  const roots: SpanNode[] = [];
  const orphans: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parentId = node.span.parentSpanId;
    const parent = parentId ? nodes.get(parentId) : undefined;
    if (parent) parent.children.push(node);
    else if (!parentId || node.span.attributes[CALLER_PARENT] === "caller") roots.push(node);
    else orphans.push(node);
  }
  return { roots, orphans, spanCount: nodes.size };
}

/** One root and no orphan: the trace is one unbroken tree. */
export function isUnbroken(tree: TraceTree): boolean {
  return tree.roots.length === 1 && tree.orphans.length === 0;
}

const BAR_WIDTH = 40;

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(1)}ms`;
}

/**
 * The waterfall of one trace as text lines. Offsets are from the trace's first span; the bar
 * spans the whole trace. Orphans are drawn after the tree, marked with their missing parent.
 */
export function renderWaterfall(trace: SpanLine[]): { lines: string[]; tree: TraceTree } {
  const tree = buildTree(trace);
  if (tree.spanCount === 0) return { lines: [], tree };
  const spans = trace;
  const t0 = Math.min(...spans.map((s) => s.startMs));
  const total = Math.max(1, Math.max(...spans.map((s) => s.endMs)) - t0);
  const rows: { label: string; span: SpanLine; note: string }[] = [];
  const walk = (node: SpanNode, depth: number, note = "") => {
    rows.push({ label: `${"  ".repeat(depth)}${node.span.name}`, span: node.span, note });
    for (const child of node.children) walk(child, depth + 1);
  };
  for (const root of tree.roots) walk(root, 0, root.span.parentSpanId ? "(continues the caller's trace)" : "");
  for (const orphan of tree.orphans) walk(orphan, 0, `BROKEN: parent ${orphan.span.parentSpanId} missing`);
  const labelWidth = Math.min(70, Math.max(...rows.map((r) => r.label.length)) + 2);
  const lines = [
    `trace ${trace[0].traceId}: ${tree.spanCount} spans, ${formatMs(total)}, ${tree.roots.length} root${tree.roots.length === 1 ? "" : "s"}, ${tree.orphans.length} orphan${tree.orphans.length === 1 ? "" : "s"}`,
    `${"span".padEnd(labelWidth)}${"start".padStart(10)}${"duration".padStart(11)}  ${"".padEnd(BAR_WIDTH + 2)} status`,
  ];
  for (const { label, span, note } of rows) {
    const from = Math.min(BAR_WIDTH - 1, Math.floor(((span.startMs - t0) / total) * BAR_WIDTH));
    const length = Math.max(1, Math.round((span.durationMs / total) * BAR_WIDTH));
    const bar = `${" ".repeat(from)}${"█".repeat(Math.min(length, BAR_WIDTH - from))}`.padEnd(BAR_WIDTH);
    const status = span.status === "ERROR" ? `ERROR ${span.statusMessage ?? ""}`.trim() : span.status;
    lines.push(`${label.padEnd(labelWidth)}${`+${formatMs(span.startMs - t0)}`.padStart(10)}${formatMs(span.durationMs).padStart(11)}  |${bar}| ${status}${note ? ` ${note}` : ""}`);
  }
  return { lines, tree };
}
