/**
 * The operator console's build: a static bundle for Firebase Hosting (firebase.json `hosting`
 * serves `dist/`). Run from the repository root (`npm run build:console`); no dependency of its
 * own: Vite and the Firebase JS SDK are the root's. Emulator addresses are read from firebase.json
 * and compiled in, for when the page is served locally; nothing secret is.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig } from "vite";

const here = import.meta.dirname;
const repo = resolve(here, "..", "..");
const { emulators } = JSON.parse(readFileSync(join(repo, "firebase.json"), "utf8")) as { emulators: Record<string, { host: string; port: number }> };
const address = (name: string) => `${emulators[name].host}:${emulators[name].port}`;

export default defineConfig({
  root: here,
  logLevel: "warn",
  define: {
    __LOCAL_STACK__: JSON.stringify({
      projectId: "demo-food-delivery",
      auth: address("auth"),
      firestore: address("firestore"),
      functions: address("functions"),
    }),
  },
  build: { outDir: join(here, "dist"), emptyOutDir: true, sourcemap: false, target: "es2022", chunkSizeWarningLimit: 1200 },
});
