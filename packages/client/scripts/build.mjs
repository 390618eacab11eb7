/**
 * Builds the package: stages the contract's sources (functions/src/contract, the one source of
 * truth, never edited here) into src/contract, then compiles src to dist (ESM + .d.ts). The
 * staged copy is generated, ignored by git and lint, and replaced on every build.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), "..");
const CONTRACT = join(PACKAGE, "..", "..", "functions", "src", "contract");
const STAGED = join(PACKAGE, "src", "contract");

rmSync(STAGED, { recursive: true, force: true });
rmSync(join(PACKAGE, "dist"), { recursive: true, force: true });
mkdirSync(STAGED, { recursive: true });
for (const file of readdirSync(CONTRACT).filter((name) => name.endsWith(".ts"))) cpSync(join(CONTRACT, file), join(STAGED, file));

const tsc = spawnSync(process.execPath, [join(PACKAGE, "..", "..", "node_modules", "typescript", "bin", "tsc"), "-p", join(PACKAGE, "tsconfig.build.json")], { stdio: "inherit" });
process.exit(tsc.status ?? 1);
