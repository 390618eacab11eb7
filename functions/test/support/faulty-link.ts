/**
 * A TCP link to a local double that a test can break on purpose, so the real SDK meets the
 * transport failures a provider's endpoint can cause: `refuse` stops listening (an endpoint that
 * is down: the request never leaves), `reset` takes each connection and resets it as soon as a
 * request arrives (the request left; no answer ever comes), `forward` passes everything through.
 */
import { createServer, connect, type Socket } from "node:net";

export type LinkMode = "forward" | "refuse" | "reset";

export interface FaultyLink {
  /** Base URL to give the SDK instead of the double's. */
  url: string;
  set(mode: LinkMode): Promise<void>;
  close(): Promise<void>;
}

export async function faultyLink(target: string): Promise<FaultyLink> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let mode: LinkMode = "forward";
  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (mode === "reset") {
      client.once("data", () => client.resetAndDestroy());
      return;
    }
    const up = connect(Number(upstream.port), upstream.hostname);
    up.on("error", () => client.destroy());
    client.on("close", () => up.destroy());
    client.pipe(up).pipe(client);
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  await listen(0);
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    async set(next) {
      mode = next;
      // Connections the SDK keeps alive would carry on regardless of the new mode.
      for (const socket of sockets) socket.destroy();
      // Let the client's end see those closes before its next request picks a pooled socket.
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (next === "refuse" && server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      else if (next !== "refuse" && !server.listening) await listen(port);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
