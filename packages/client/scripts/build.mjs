/**
 * Builds the package: stages the contract's sources (functions/src/contract, the one source of
 * truth, never edited here) into src/contract, generates the GraphQL operations' typed documents
 * (src/graphql.ts, from the server's schema and graphql/operations.graphql), then compiles src to
 * dist (ESM + .d.ts). Both are generated, ignored by git and lint, and replaced on every build;
 * codegen reads only these two local files, so the build works offline.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "@graphql-codegen/cli";

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), "..");
const REPO = join(PACKAGE, "..", "..");
const CONTRACT = join(REPO, "functions", "src", "contract");
const STAGED = join(PACKAGE, "src", "contract");
const GRAPHQL = join(PACKAGE, "src", "graphql.ts");

rmSync(STAGED, { recursive: true, force: true });
rmSync(GRAPHQL, { force: true });
rmSync(join(PACKAGE, "dist"), { recursive: true, force: true });
mkdirSync(STAGED, { recursive: true });
for (const file of readdirSync(CONTRACT).filter((name) => name.endsWith(".ts"))) cpSync(join(CONTRACT, file), join(STAGED, file));

await generate(
  {
    cwd: REPO,
    schema: join(REPO, "functions", "src", "graphql", "schema.graphql"),
    documents: join(PACKAGE, "graphql", "operations.graphql"),
    silent: true,
    generates: {
      [GRAPHQL]: {
        // typescript-operations 6 writes the input types the operations use itself; adding the
        // `typescript` plugin would declare them a second time (and every schema type besides).
        plugins: ["typescript-operations", "typed-document-node"],
        config: {
          // Each document is its operation's text (fragments included), typed with its result and
          // variables: what `fetch` sends as `query`, no GraphQL client or printer needed.
          documentMode: "string",
          useTypeImports: true,
          strictScalars: true,
          scalars: { JSON: "unknown" },
        },
      },
    },
  },
  true,
);

const tsc = spawnSync(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", join(PACKAGE, "tsconfig.build.json")], { stdio: "inherit" });
process.exit(tsc.status ?? 1);
