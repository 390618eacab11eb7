/**
 * Prints (as JSON) the packages a fresh process loads to reach one export of the functions
 * entry module, e.g. `diagnostics.startProbe`, or `*` for every export (deploy-time discovery),
 * nothing for the entry module alone, or `baseline` for a bare `firebase-functions/https`.
 * The test loader's own packages are left out. Used by the cold-start tests.
 */
import { join } from "node:path";

const target = process.argv[2] ?? "";
const LOADER_PACKAGES = new Set(["tsx", "esbuild", "get-tsconfig", "resolve-pkg-maps"]);
const entry = (target === "baseline" ? require("firebase-functions/https") : require(join(__dirname, "..", "..", "src", "index.ts"))) as Record<
  string,
  Record<string, unknown>
>;
if (target === "baseline") {
  // The bare SDK: what any callable pays.
} else if (target === "*") {
  for (const group of Object.values(entry)) Object.values(group);
} else if (target) {
  const [group, name] = target.split(".");
  if (!entry[group]?.[name]) throw new Error(`No export ${target}`);
}
const packages = new Set<string>();
for (const file of Object.keys(require.cache)) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (match && !LOADER_PACKAGES.has(match[1])) packages.add(match[1]);
}
console.log(JSON.stringify([...packages].sort()));
