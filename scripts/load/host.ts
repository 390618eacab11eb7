/**
 * Starting and using the functions host (functions-host.ts) from a benchmark or a script:
 * `startFunctionsHost` runs one host process for some targets and resolves once every instance
 * listens; `idTokenOf` signs a user in at the Auth emulator (a real emulator ID token);
 * `callCallable` speaks the callable protocol (POST {data}, Authorization: Bearer <idToken>).
 * Run inside the emulators (`firebase emulators:exec`, as the benchmarks re-run themselves).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { emulatorPorts, PROJECT_ID, REPO_ROOT } from "../dev/emulator-env.ts";

export { HELLO_WORLD_TARGET } from "./host-env.ts";

export interface HostedTarget {
  target: string;
  entryPoint: string;
  concurrency: number;
  instances: number;
}

export interface TargetStats {
  served: number;
  queued: number;
  longestWaitMs: number;
  refused: number;
  upstreamFailures: number;
  inFlight: number;
  waiting: number;
}

export interface FunctionsHost {
  url: string;
  targets: HostedTarget[];
  /** The target's URL, as the Functions emulator would name it. */
  functionUrl(target: string): string;
  stats(): Promise<Record<string, TargetStats>>;
  stop(): Promise<void>;
}

const HOST_SCRIPT = join(REPO_ROOT, "scripts", "load", "functions-host.ts");

export function startFunctionsHost(targets: string[], options: { instances?: number; timeoutMs?: number } = {}): Promise<FunctionsHost> {
  const args = ["--import", "tsx", HOST_SCRIPT, "--instances", String(options.instances ?? 1), ...targets];
  // Thousands of connections are as many open files: the host raises its soft limit to the hard one.
  const child = spawn("sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...args], {
    cwd: REPO_ROOT,
    env: process.env,
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill(), reject(new Error(`the functions host did not start within ${options.timeoutMs ?? 180_000} ms`))), options.timeoutMs ?? 180_000);
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`the functions host exited with ${code}`))));
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split("\n").find((l) => l.startsWith("functions-host ready "));
      if (!line) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      const ready = JSON.parse(line.slice("functions-host ready ".length)) as { url: string; targets: HostedTarget[] };
      resolve({
        ...ready,
        functionUrl: (target) => `${ready.url}/${PROJECT_ID}/us-central1/${target}`,
        stats: async () => (await (await fetch(`${ready.url}/_host/stats`)).json()) as Record<string, TargetStats>,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/** Signs in at the Auth emulator with email and password; answers the user's ID token. */
export async function idTokenOf(email: string, password: string): Promise<string> {
  const answer = await fetch(`http://${process.env.FIREBASE_AUTH_EMULATOR_HOST ?? emulatorPorts().auth}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=demo-api-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
  const body = (await answer.json()) as { idToken?: string; error?: { message?: string } };
  if (!body.idToken) throw new Error(`sign-in of ${email} failed: ${body.error?.message ?? answer.status}`);
  return body.idToken;
}

export interface CallableAnswer<T = unknown> {
  status: number;
  result?: T;
  error?: { status: string; message: string; details?: { reason?: string; [key: string]: unknown } };
}

/** The request body and headers of a callable call, for load generators that send it themselves. */
export function callableRequest(data: unknown, idToken?: string): { body: string; headers: Record<string, string> } {
  return {
    body: JSON.stringify({ data }),
    headers: { "content-type": "application/json", ...(idToken ? { authorization: `Bearer ${idToken}` } : {}) },
  };
}

/** Calls a callable at `url` with the callable protocol. */
export async function callCallable<T = unknown>(url: string, data: unknown, idToken?: string): Promise<CallableAnswer<T>> {
  const { body, headers } = callableRequest(data, idToken);
  const answer = await fetch(url, { method: "POST", headers, body });
  const parsed = (await answer.json()) as Omit<CallableAnswer<T>, "status">;
  return { status: answer.status, ...parsed };
}
