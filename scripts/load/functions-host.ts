/**
 * The functions host: serves function targets the way Cloud Run functions serve them, for load
 * measurements the Functions emulator cannot give (it runs one request per worker process).
 *
 *   tsx scripts/load/functions-host.ts [--port N] [--instances N] <target> [<target> …]
 *
 * - Each instance is its own process running `@google-cloud/functions-framework` on the BUILT
 *   functions (functions/lib), started as Cloud Run starts it: FUNCTION_TARGET is the entry point
 *   `firebase deploy` gives (`checkout-placeOrder` -> `checkout.placeOrder`), PORT, K_SERVICE,
 *   CLOUD_RUN_TIMEOUT_SECONDS, NODE_ENV=production. Same code, same options.
 * - In front, this process plays Cloud Run's request router: it holds at most the function's
 *   declared concurrency in flight per instance (resolved as `firebase deploy` resolves it) and
 *   queues the rest in arrival order; a request that waits longer than PENDING_LIMIT_MS for a slot
 *   gets 429, as Cloud Run answers when no instance is available. Instances: `--instances`
 *   (default 1), never more than the function's maxInstances.
 * - Task-queue targets are registered with the Cloud Tasks emulator under their deployed name,
 *   with their declared rate limits and this host as the address, as the Functions emulator does;
 *   tasks then reach them through the router like any request.
 * - The environment is what the Functions emulator gives a function (host-env.ts).
 *
 * URLs are the Functions emulator's: `<url>/<project>/us-central1/<target>/<path>`, so the
 * firebase SDK's connectFunctionsEmulator can point at the host. `GET <url>/_host/stats` reports
 * per target: served, queued, waited longest, refused (429) and upstream failures.
 * Prints `functions-host ready {json}` once every instance listens.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import { connect, type AddressInfo } from "node:net";
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { CACHE_DIR, PROJECT_ID, REPO_ROOT } from "../dev/emulator-env.ts";
import { resolveDeployedOptions, type DeployedOptions, type Endpoint } from "../../functions/test/support/deployed-options.ts";
import { HELLO_WORLD_TARGET, instanceEnv, tasksEmulatorHost } from "./host-env.ts";

const REGION = "us-central1";
/** How long a request may wait for a free slot before the router gives up (Cloud Run: about 10 s). */
const PENDING_LIMIT_MS = Number(process.env.HOST_PENDING_LIMIT_MS ?? 10_000);
const FRAMEWORK = join(REPO_ROOT, "node_modules", "@google-cloud", "functions-framework", "build", "src", "main.js");
const FUNCTIONS_DIR = join(REPO_ROOT, "functions");
const HELLO_DIR = join(REPO_ROOT, "scripts", "load", "hello-world");
/** One log file per target: the functions' own lines, as Cloud Logging would hold them. */
const LOG_DIR = join(CACHE_DIR, "functions-host");

interface Instance {
  port: number;
  inFlight: number;
  agent: Agent;
  process: ChildProcess;
}

interface Waiting {
  req: IncomingMessage;
  res: ServerResponse;
  since: number;
  timer: NodeJS.Timeout;
}

interface Pool {
  options: DeployedOptions;
  source: string;
  instances: Instance[];
  queue: Waiting[];
  stats: { served: number; queued: number; longestWaitMs: number; refused: number; upstreamFailures: number };
}

function parseArgs(argv: string[]): { port: number; instances: number; targets: string[] } {
  let port = 0;
  let instances = 1;
  const targets: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--port") port = Number(argv[++i]);
    else if (argv[i] === "--instances") instances = Number(argv[++i]);
    else targets.push(argv[i]);
  }
  if (targets.length === 0 || !Number.isInteger(instances) || instances < 1 || !Number.isInteger(port)) {
    console.error("usage: functions-host.ts [--port N] [--instances N] <group-function | hello-world> …");
    process.exit(2);
  }
  return { port, instances, targets };
}

/** The declared options of a target, read from the code the instances will run. */
function declaredOptions(target: string): { options: DeployedOptions; source: string } {
  if (target === HELLO_WORLD_TARGET) {
    const hello = createRequire(join(HELLO_DIR, "index.js"))(HELLO_DIR) as Record<string, { __endpoint: Endpoint }>;
    return { options: resolveDeployedOptions(target, "helloWorld", hello.helloWorld.__endpoint), source: HELLO_DIR };
  }
  const [group, name, ...rest] = target.split("-");
  // Loading the entry module reads GCLOUD_PROJECT (1st gen auth triggers).
  process.env.GCLOUD_PROJECT ??= PROJECT_ID;
  const entry = createRequire(join(FUNCTIONS_DIR, "lib", "index.js"))(join(FUNCTIONS_DIR, "lib", "index.js")) as Record<string, Record<string, { __endpoint?: Endpoint }>>;
  const fn = rest.length === 0 ? entry[group]?.[name] : undefined;
  if (!fn?.__endpoint) throw new Error(`no function ${target} in functions/lib (run npm run build)`);
  return { options: resolveDeployedOptions(target, `${group}.${name}`, fn.__endpoint), source: FUNCTIONS_DIR };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function listening(port: number, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`instance on ${port} exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`instance on ${port} did not listen within ${timeoutMs} ms`);
}

async function startInstance(pool: Pool): Promise<Instance> {
  const port = await freePort();
  mkdirSync(LOG_DIR, { recursive: true });
  const log = openSync(join(LOG_DIR, `${pool.options.name}.log`), "a");
  const child = spawn(process.execPath, [FRAMEWORK], {
    cwd: pool.source,
    env: instanceEnv(pool.options, { port, source: pool.source }),
    // What a function prints goes to a file, as Cloud Run hands it to Cloud Logging; the IPC
    // channel is only there to close when the host ends (exit-with-host.cjs).
    stdio: ["ignore", log, log, "ipc"],
  });
  await listening(port, child);
  // One socket per slot: the instance never sees more than its concurrency at once. Idle sockets
  // close after 4 s, before the instance's server drops them (Node's 5 s keep-alive), so a
  // request is never written to a socket the instance is closing.
  const agent = new Agent({ keepAlive: true, maxSockets: pool.options.concurrency, timeout: 4_000 });
  return { port, inFlight: 0, agent, process: child };
}

/** Registers a task-queue target with the Cloud Tasks emulator, pointing at this host. */
async function registerQueue(pool: Pool, hostUrl: string, endpoint: Endpoint): Promise<void> {
  const name = pool.options.name;
  const body = { ...(endpoint.taskQueueTrigger ?? {}), defaultUri: `${hostUrl}/${PROJECT_ID}/${REGION}/${name}` };
  const answer = await fetch(`http://${tasksEmulatorHost()}/projects/${PROJECT_ID}/locations/${REGION}/queues/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!answer.ok) throw new Error(`the Tasks emulator refused queue ${name}: ${answer.status} ${await answer.text()}`);
}

function freeInstance(pool: Pool): Instance | undefined {
  let best: Instance | undefined;
  for (const instance of pool.instances) {
    if (instance.inFlight < pool.options.concurrency && (!best || instance.inFlight < best.inFlight)) best = instance;
  }
  return best;
}

/** The router's own refusals, shaped like a callable error so a client can tell them apart by reason. */
function refuse(res: ServerResponse, status: number, message: string, reason: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ error: { status: status === 429 ? "RESOURCE_EXHAUSTED" : status === 404 ? "NOT_FOUND" : "UNAVAILABLE", message, details: { reason } } }));
}

function forward(pool: Pool, instance: Instance, req: IncomingMessage, res: ServerResponse, path: string): void {
  instance.inFlight += 1;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    instance.inFlight -= 1;
    pool.stats.served += 1;
    drain(pool);
  };
  const upstream = httpRequest(
    { host: "127.0.0.1", port: instance.port, method: req.method, path, headers: req.headers, agent: instance.agent },
    (answer) => {
      const headers = { ...answer.headers };
      // Hop-by-hop: the router keeps its own connection with the client.
      delete headers.connection;
      delete headers["keep-alive"];
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
      answer.once("end", release);
      answer.once("error", release);
    },
  );
  upstream.once("error", () => {
    pool.stats.upstreamFailures += 1;
    refuse(res, 503, "The instance failed to answer.", "instance-failed");
    release();
  });
  // A client that gives up frees the slot only when the instance finishes, as on Cloud Run.
  req.pipe(upstream);
}

/** Hands queued requests to instances as slots free up, oldest first. */
function drain(pool: Pool): void {
  while (pool.queue.length > 0) {
    const instance = freeInstance(pool);
    if (!instance) return;
    const waiting = pool.queue.shift() as Waiting;
    clearTimeout(waiting.timer);
    if (waiting.res.destroyed) continue;
    pool.stats.longestWaitMs = Math.max(pool.stats.longestWaitMs, Date.now() - waiting.since);
    forward(pool, instance, waiting.req, waiting.res, pathWithin(waiting.req.url ?? "/", pool.options.name));
  }
}

/** `/<project>/<region>/<target>/rest?query` -> `/rest?query` (what the instance sees on Cloud Run). */
function pathWithin(url: string, target: string): string {
  const prefix = `/${PROJECT_ID}/${REGION}/${target}`;
  const rest = url.slice(prefix.length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}

function route(pools: Map<string, Pool>, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "/";
  if (url === "/_host/stats") {
    const stats = Object.fromEntries([...pools].map(([name, pool]) => [name, { ...pool.stats, inFlight: pool.instances.reduce((n, i) => n + i.inFlight, 0), waiting: pool.queue.length }]));
    res.writeHead(200, { "content-type": "application/json" });
    return void res.end(JSON.stringify(stats));
  }
  const target = url.split("?")[0].split("/")[3] ?? "";
  const pool = url.startsWith(`/${PROJECT_ID}/${REGION}/`) ? pools.get(target) : undefined;
  if (!pool) return refuse(res, 404, `This host serves no function at ${url.split("?")[0]}.`, "no-such-function");
  const instance = freeInstance(pool);
  if (instance && pool.queue.length === 0) return forward(pool, instance, req, res, pathWithin(url, target));
  pool.stats.queued += 1;
  const waiting: Waiting = {
    req,
    res,
    since: Date.now(),
    timer: setTimeout(() => {
      const at = pool.queue.indexOf(waiting);
      if (at >= 0) pool.queue.splice(at, 1);
      pool.stats.refused += 1;
      refuse(res, 429, "The request was aborted because there was no available instance.", "no-available-instance");
    }, PENDING_LIMIT_MS),
  };
  pool.queue.push(waiting);
}

async function main(): Promise<void> {
  const { port, instances, targets } = parseArgs(process.argv.slice(2));
  const pools = new Map<string, Pool>();
  const endpoints = new Map<string, Endpoint>();
  for (const target of targets) {
    const { options, source } = declaredOptions(target);
    pools.set(target, { options, source, instances: [], queue: [], stats: { served: 0, queued: 0, longestWaitMs: 0, refused: 0, upstreamFailures: 0 } });
    if (options.trigger === "task") {
      const entry = createRequire(join(FUNCTIONS_DIR, "lib", "index.js"))(join(FUNCTIONS_DIR, "lib", "index.js")) as Record<string, Record<string, { __endpoint: Endpoint }>>;
      const [group, name] = target.split("-");
      endpoints.set(target, entry[group][name].__endpoint);
    }
  }

  const server = createServer((req, res) => route(pools, req, res));
  // Thousands of load-generator connections stay open between requests.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.maxHeadersCount = 200;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const stop = () => {
    for (const pool of pools.values()) for (const instance of pool.instances) instance.process.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.on("disconnect", stop);

  for (const pool of pools.values()) {
    const count = Math.min(instances, pool.options.maxInstances ?? instances);
    pool.instances = await Promise.all(Array.from({ length: count }, () => startInstance(pool)));
    for (const instance of pool.instances) {
      instance.process.once("exit", (code) => {
        // An instance that dies mid-run is a finding, not a reason to stop the host.
        if (code !== 0 && code !== null) console.error(`functions-host: an instance of ${pool.options.name} exited with ${code}`);
      });
    }
    const endpoint = endpoints.get(pool.options.name);
    if (endpoint) await registerQueue(pool, url, endpoint);
  }
  const served = [...pools.values()].map((p) => ({ target: p.options.name, entryPoint: p.options.entryPoint, concurrency: p.options.concurrency, instances: p.instances.length }));
  console.log(`functions-host ready ${JSON.stringify({ url, targets: served })}`);
}

main().catch((error: unknown) => {
  console.error(`functions-host: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
