/**
 * The GraphQL client a React Native app can have without a GraphQL library: `fetch`, the
 * package's typed documents (each is its operation's text, typed with its result and
 * variables) and a small reader of server-sent events for subscriptions. Every request carries
 * the Firebase ID token and the contract version (`X-App-Version`), which the server holds to
 * MIN_APP_VERSION.
 */
import { APP_VERSION_HEADER, CONTRACT_VERSION, type TypedDocumentString } from "@food-delivery/client";

/** A GraphQL error as the server sends it: `extensions` are the callable error's code, reason, fields, correlationId. */
export class GraphqlRequestError extends Error {
  constructor(
    message: string,
    readonly extensions: { code?: string; reason?: string; [key: string]: unknown },
  ) {
    super(message);
    this.name = "GraphqlRequestError";
  }
}

interface Answer<R> {
  data?: R | null;
  errors?: { message: string; extensions?: GraphqlRequestError["extensions"] }[];
}

export interface GraphqlClient {
  request<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R>;
  /**
   * Follows a subscription: `onNext` gets every event's data and answers whether to stop; the
   * promise settles when it does (or the server ends the stream), rejecting on an error event.
   */
  subscribe<R, V>(document: TypedDocumentString<R, V>, variables: V, onNext: (data: R) => boolean, timeoutMs: number): Promise<void>;
}

/**
 * `token` gives the signed-in user's current ID token (the SDK refreshes it); `onSend` sees each
 * request's headers (an app's network log).
 */
export function graphqlClient(endpoint: string, token: () => Promise<string>, onSend: (headers: Record<string, string>) => void = () => undefined): GraphqlClient {
  const headers = async (accept: string) => {
    const sent = { "content-type": "application/json", accept, authorization: `Bearer ${await token()}`, [APP_VERSION_HEADER]: CONTRACT_VERSION };
    onSend(sent);
    return sent;
  };
  // A typed document is its operation's text (a String with types attached): sent as the query itself.
  const body = (document: { toString(): string }, variables: unknown) => JSON.stringify({ query: document.toString(), variables });

  return {
    async request(document, variables) {
      const response = await fetch(endpoint, { method: "POST", headers: await headers("application/json"), body: body(document, variables) });
      const answer = (await response.json()) as Answer<never>;
      const error = answer.errors?.[0];
      if (error) throw new GraphqlRequestError(error.message, error.extensions ?? {});
      if (!answer.data) throw new GraphqlRequestError(`No data (HTTP ${response.status}).`, {});
      return answer.data;
    },

    async subscribe(document, variables, onNext, timeoutMs) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`no end to the subscription within ${timeoutMs} ms`)), timeoutMs);
      try {
        const response = await fetch(endpoint, { method: "POST", headers: await headers("text/event-stream"), body: body(document, variables), signal: controller.signal });
        if (!response.ok || !response.body) throw new GraphqlRequestError(`The subscription was refused (HTTP ${response.status}).`, {});
        for await (const event of serverSentEvents(response.body)) {
          if (event.event === "complete") return;
          if (event.event !== "next") continue;
          const answer = JSON.parse(event.data) as Answer<never>;
          const error = answer.errors?.[0];
          if (error) throw new GraphqlRequestError(error.message, error.extensions ?? {});
          if (answer.data && onNext(answer.data)) return;
        }
      } finally {
        clearTimeout(timer);
        controller.abort();
      }
    },
  };
}

/** The events of an SSE stream (`event:` and `data:` lines, a blank line ending each; `:` lines are keep-alives). */
async function* serverSentEvents(stream: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0 || event !== "message") yield { event, data: data.join("\n") };
    }
  }
}
