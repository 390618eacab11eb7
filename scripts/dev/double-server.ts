/**
 * The HTTP plumbing the FCM and Twilio doubles share: the whole request body read, a JSON
 * answer, and the "listening" line local-services.ts waits for.
 */
import { createServer } from "node:http";

export interface DoubleRequest {
  method: string;
  url: URL;
  raw: string;
  header(name: string): string;
}

export type Send = (status: number, body: unknown) => void;

/** Ends the exchange without an answer: `drop` resets the connection, `hang` never answers. */
export interface Unanswered {
  drop(): void;
  hang(): void;
}

export function serveDouble(name: string, port: number, handle: (request: DoubleRequest, send: Send, unanswered: Unanswered) => void): void {
  createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const send: Send = (status, body) => {
        res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
        res.end(JSON.stringify(body));
      };
      const request: DoubleRequest = {
        method: req.method ?? "GET",
        url: new URL(req.url ?? "/", "http://localhost"),
        raw: Buffer.concat(chunks).toString("utf8"),
        header: (header) => String(req.headers[header.toLowerCase()] ?? ""),
      };
      const unanswered: Unanswered = {
        drop: () => req.socket.resetAndDestroy(),
        // The client gives up first; the socket goes when it does.
        hang: () => undefined,
      };
      try {
        handle(request, send, unanswered);
      } catch (error) {
        send(500, { error: String(error) });
      }
    });
  }).listen(port, "127.0.0.1", () => console.log(`${name} double listening on http://127.0.0.1:${port}`));
}
