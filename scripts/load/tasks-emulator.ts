/**
 * The Cloud Tasks emulator of firebase-tools on its own. firebase-tools starts it only beside the
 * Functions emulator, whose worker pool the functions host replaces; bench:load starts this one
 * instead (same code, same port from firebase.json), and the host registers its task-queue
 * targets with it as the Functions emulator would. Prints "listening" once up.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { emulatorPorts, REPO_ROOT } from "../dev/emulator-env.ts";

interface TasksEmulatorClass {
  new (args: { host: string; port: number }): { start(): Promise<void> };
}

const { TasksEmulator } = createRequire(import.meta.url)(join(REPO_ROOT, "node_modules", "firebase-tools", "lib", "emulator", "tasksEmulator.js")) as { TasksEmulator: TasksEmulatorClass };
const [host, port] = emulatorPorts().tasks.split(":");
await new TasksEmulator({ host, port: Number(port) }).start();
console.log(`tasks emulator listening on ${host}:${port}`);
