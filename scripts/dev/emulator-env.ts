/**
 * The environment every emulator run of this project gets: the demo project id, loopback-only
 * networking, and, on machines that have the Google Cloud SDK's emulators installed, paths that
 * let firebase-tools use them instead of downloading its own copies (which needs the internet).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { crc32 } from "node:zlib";

export const PROJECT_ID = "demo-food-delivery";
export const REPO_ROOT = resolve(import.meta.dirname, "..", "..");
export const CACHE_DIR = join(REPO_ROOT, ".cache");

const GCLOUD_PLATFORM = process.env.GCLOUD_PLATFORM_DIR ?? "/usr/lib/google-cloud-sdk/platform";
const FIRESTORE_JAR = join(GCLOUD_PLATFORM, "cloud-firestore-emulator", "cloud-firestore-emulator.jar");
const FIRESTORE_MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore";
const NETWORK_GUARD = join(REPO_ROOT, "scripts", "dev", "network-guard.cjs");
export const NETWORK_GUARD_LOG = join(CACHE_DIR, "network-guard.log");
/** Everything the emulator suite prints during `npm test` (test processes read it as EMULATOR_OUTPUT_LOG). */
export const EMULATOR_OUTPUT_LOG = join(CACHE_DIR, "emulator-output.log");
/** The local span file: the Functions emulator's tracer appends one JSON line per finished span (`npm run trace` reads it). */
export const TRACE_SPANS_FILE = join(CACHE_DIR, "traces", "spans.jsonl");
const PUBSUB_LAUNCHER = join(GCLOUD_PLATFORM, "pubsub-emulator", "bin", "cloud-pubsub-emulator");

/** Where each emulator listens, read from firebase.json so there is one source of truth. */
export function emulatorPorts(): Record<string, string> {
  const config = JSON.parse(readFileSync(join(REPO_ROOT, "firebase.json"), "utf8")) as {
    emulators: Record<string, { host?: string; port?: number }>;
  };
  const ports: Record<string, string> = {};
  for (const [name, spec] of Object.entries(config.emulators)) {
    if (spec && typeof spec === "object" && spec.port) ports[name] = `${spec.host ?? "127.0.0.1"}:${spec.port}`;
  }
  return ports;
}

/**
 * Environment for `firebase emulators:*` and every process of a local run. (Inside
 * `emulators:exec` the CLI adds the *_EMULATOR_HOST variables itself.)
 * `offlineJars` reports whether the local Google Cloud SDK emulators are used.
 */
export function emulatorEnv(): { env: NodeJS.ProcessEnv; offlineJars: boolean } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Google client libraries would otherwise probe the GCE metadata server.
    METADATA_SERVER_DETECTION: "none",
    GCLOUD_PROJECT: PROJECT_ID,
    GOOGLE_CLOUD_PROJECT: PROJECT_ID,
    FIREBASE_CLI_DISABLE_UPDATE_CHECK: "true",
    NO_UPDATE_NOTIFIER: "1",
    // firebase-tools runs `npm show firebase-functions` to nag about upgrades; offline npm answers from cache.
    npm_config_offline: "true",
  };
  env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--require ${NETWORK_GUARD}`].filter(Boolean).join(" ");
  env.NETWORK_GUARD_LOG = NETWORK_GUARD_LOG;
  env.XDG_CONFIG_HOME = firebaseCliConfigHome();
  env.TRACE_SPANS_FILE = TRACE_SPANS_FILE;
  let offlineJars = false;
  if (existsSync(FIRESTORE_JAR) && existsSync(PUBSUB_LAUNCHER) && !process.env.FIRESTORE_EMULATOR_BINARY_PATH) {
    env.FIRESTORE_EMULATOR_BINARY_PATH = firestoreLauncherJar();
    env.PUBSUB_EMULATOR_BINARY_PATH = PUBSUB_LAUNCHER;
    offlineJars = true;
  }
  return { env, offlineJars };
}

/**
 * The parameters the Functions emulator gives the functions (functions/.env, then .env.local,
 * then the local secrets in .secret.local),
 * for test processes that run service code in-process: outside a function runtime a param's
 * `.value()` reads process.env, and would otherwise see nothing. Variables already set win.
 */
export function functionsParams(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const file of [".env", ".env.local", ".secret.local"]) {
    const path = join(REPO_ROOT, "functions", file);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const match = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
      if (match) values[match[1]] = match[2];
    }
  }
  return values;
}

/**
 * firebase-tools fetches a "message of the day" from Google once a day, unless its config store
 * says it already did. A project-local config store seeded with a fresh timestamp keeps the CLI
 * off the network (and keeps any personal `firebase login` state out of local runs).
 */
function firebaseCliConfigHome(): string {
  const home = join(CACHE_DIR, "firebase-cli-config");
  mkdirSync(join(home, "configstore"), { recursive: true });
  const store = join(home, "configstore", "firebase-tools.json");
  const current = existsSync(store) ? (JSON.parse(readFileSync(store, "utf8")) as Record<string, unknown>) : {};
  writeFileSync(store, JSON.stringify({ ...current, usage: false, motd: { fetched: Date.now() } }, null, 2));
  return home;
}

/**
 * firebase-tools starts Firestore as `java -jar <path>`, and the SDK's jar has no Main-Class.
 * A one-file launcher jar whose manifest names the main class and puts the SDK jar on the
 * class path bridges the two. Rebuilt only when missing.
 */
function firestoreLauncherJar(): string {
  const launcher = join(CACHE_DIR, "emulators", "firestore-launcher.jar");
  if (existsSync(launcher)) return launcher;
  mkdirSync(join(CACHE_DIR, "emulators"), { recursive: true });
  const manifest = manifestText({
    "Manifest-Version": "1.0",
    "Main-Class": FIRESTORE_MAIN_CLASS,
    "Class-Path": new URL(`file://${FIRESTORE_JAR}`).href,
  });
  writeFileSync(launcher, storedZip([{ name: "META-INF/MANIFEST.MF", data: Buffer.from(manifest) }]));
  return launcher;
}

/** JAR manifests wrap at 72 bytes; continuation lines start with one space. */
function manifestText(attributes: Record<string, string>): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    let line = `${key}: ${value}`;
    lines.push(line.slice(0, 72));
    line = line.slice(72);
    while (line.length > 0) {
      lines.push(` ${line.slice(0, 71)}`);
      line = line.slice(71);
    }
  }
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** A minimal zip archive with uncompressed entries: enough for a manifest-only jar. */
function storedZip(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((sum, b) => sum + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
