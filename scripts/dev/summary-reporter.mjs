// A node:test reporter that prints nothing but, at the end, one JSON line of counts, so the
// test command can add up several runs into one closing summary. Only tests are counted, not
// suites. Each failure keeps the first lines of its error, so a summary read alone (the tail of
// a CI log) still says why. Per file, the time its top-level suites took, so the summary can
// name the slowest. Plain JavaScript: Node loads reporters before any TypeScript loader is in place.
export default async function* summaryReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, todo: 0, failures: [], fileMs: {} };
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    if (event.data.nesting === 0 && event.data.file) {
      counts.fileMs[event.data.file] = (counts.fileMs[event.data.file] ?? 0) + Math.round(event.data.details?.duration_ms ?? 0);
    }
    if (event.data.details?.type === "suite") continue;
    if (event.data.skip) counts.skipped += 1;
    else if (event.data.todo) counts.todo += 1;
    else if (event.type === "test:pass") counts.passed += 1;
    else {
      counts.failed += 1;
      const cause = failureCause(event.data.details?.error);
      counts.failures.push(`${event.data.file ?? ""} > ${event.data.name ?? ""}${cause ? `\n      ${cause}` : ""}`);
    }
  }
  yield `${JSON.stringify(counts)}\n`;
}

/** The assertion or error message behind a failure (node:test wraps it), cut to a few lines. */
function failureCause(error) {
  const inner = error?.cause ?? error;
  const text = inner instanceof Error ? inner.message : inner === undefined ? "" : String(inner);
  return text.split("\n").slice(0, 6).join("\n      ").slice(0, 800);
}
