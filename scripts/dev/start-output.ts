/**
 * What `npm start` shows of the emulator suite's output. Until the suite is ready, the 60-odd
 * "function initialized" and "Created queue" lines fold into one count and repeated lines show
 * once, so the ready banner is what a newcomer sees; errors and warnings always show. After
 * that, everything but those lines shows (function logs are what a developer watches). The full output goes to
 * a log file either way.
 */
import { stripVTControlCharacters } from "node:util";

const FOLDED = [
  { pattern: /functions\[[^\]]+\]: .*function initialized/, noun: "functions" },
  { pattern: /tasks: Created queue with key/, noun: "task queues" },
] as const;
// The CLI's own table of ports and its closing lines: the banner that follows says the same.
const CLI_READY_TABLE = /[┌│├└]|Emulator Hub host|Other reserved ports|Issues\? Report them|^\s*$/;

export class StartOutput {
  private ready = false;
  private afterReady = 0;
  private partial = "";
  private readonly seen = new Set<string>();
  readonly folded = new Map<string, number>();

  /** Takes a chunk of output; returns what to print. */
  take(chunk: string): string {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    return lines.map((line) => this.line(line)).filter((line): line is string => line !== undefined).map((line) => `${line}\n`).join("");
  }

  get isReady(): boolean {
    return this.ready;
  }

  private line(line: string): string | undefined {
    const plain = stripVTControlCharacters(line);
    // The same message may come back with another mark (⬢, then ⚠): compare without it.
    const message = plain.replace(/^\S+\s+(?=\w+: )/, "");
    // Folded before and after ready: the emulator prints them all again on every reload.
    if (plain.includes("Loaded functions definitions from source")) return undefined;
    const fold = FOLDED.find((f) => f.pattern.test(plain));
    if (fold) {
      if (!this.ready) this.folded.set(fold.noun, (this.folded.get(fold.noun) ?? 0) + 1);
      return undefined;
    }
    if (this.ready) {
      // The CLI prints its table in the few lines after "ready"; after it, everything shows.
      if (this.afterReady < 30 && (CLI_READY_TABLE.test(plain) || this.seen.has(message))) {
        this.afterReady += 1;
        return undefined;
      }
      this.afterReady = 30;
      return line;
    }
    if (plain.includes("All emulators ready")) {
      this.ready = true;
      const counts = [...this.folded].map(([noun, n]) => `${n} ${noun}`).join(", ");
      return counts ? `✔  loaded ${counts}` : undefined;
    }
    if (/^[┌└─\s]*$/.test(plain.replace(/[─┐┘]/g, "")) && plain.trim()) return undefined;
    if (this.seen.has(message)) return undefined;
    this.seen.add(message);
    return line;
  }
}
