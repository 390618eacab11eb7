/**
 * A local stand-in for the Stripe API, so the real `stripe` SDK runs offline (tests, npm start).
 * It implements the endpoints the backend calls (customers, payment intents with manual
 * capture, ephemeral keys, refunds), the reads the invariant auditor makes (payment intents
 * listed and searched by metadata, refunds listed by payment intent), honours Idempotency-Key as
 * Stripe does, and adds a control API under /_double for tests and local development:
 *   POST /_double/fail       { method, path (regex), status, count, type?, code?, afterEffect? }
 *        next matching calls fail; with afterEffect the call takes effect and only the answer fails
 *   POST /_double/reset      forget the failures still pending
 *   GET  /_double/requests   every call received (method, path, idempotency key, params)
 *   POST /_double/payment_intents/:id/confirm   { outcome: "authorized" | "declined", paymentMethod? }
 *        as the PaymentSheet would; delivers the resulting signed event to STRIPE_DOUBLE_WEBHOOK_URL.
 *        An authorization makes a charge (`latest_charge`, GET /v1/charges/:id) paid with
 *        `paymentMethod` (default `pm_card_visa`), whose card fingerprint is fixed per payment
 *        method id: the same id is the same card, any other id another card. A decline names
 *        that payment method, with its card, in the intent's `last_payment_error`.
 * Run: tsx scripts/dev/stripe-double.ts  (port STRIPE_DOUBLE_PORT, default 12111)
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export const STRIPE_DOUBLE_PORT = Number(process.env.STRIPE_DOUBLE_PORT ?? 12111);
const WEBHOOK_URL = process.env.STRIPE_DOUBLE_WEBHOOK_URL;
const WEBHOOK_SECRET = process.env.STRIPE_DOUBLE_WEBHOOK_SECRET ?? "whsec_local_double";

type Params = Record<string, unknown>;
interface Failure {
  method: string;
  path: RegExp;
  status: number;
  count: number;
  type: string;
  code?: string;
  afterEffect: boolean;
}

const objects = new Map<string, Params>();
/** Payment intents and refunds in creation order, for list and search. */
const intents: Params[] = [];
const refunds: Params[] = [];
const idempotent = new Map<string, { params: string; status: number; body: unknown }>();
const requests: { method: string; path: string; idempotencyKey: string | null; params: Params }[] = [];
let failures: Failure[] = [];

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

/** Stripe's form encoding: `metadata[orderId]=x&automatic_payment_methods[enabled]=true`. */
function parseForm(body: string): Params {
  const out: Params = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.replace(/\]/g, "").split("[");
    let node = out as Record<string, unknown>;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

function stripeError(status: number, type: string, message: string, code?: string) {
  return { status, body: { error: { type, message, ...(code ? { code } : {}) } } };
}

function route(method: string, path: string, params: Params): { status: number; body: unknown } {
  let match: RegExpMatchArray | null;
  if (method === "POST" && path === "/v1/customers") {
    const customer = { id: id("cus"), object: "customer", email: params.email ?? null, metadata: params.metadata ?? {}, created: now() };
    objects.set(customer.id, customer);
    return { status: 200, body: customer };
  }
  if ((match = path.match(/^\/v1\/customers\/([^/]+)$/)) && (method === "GET" || method === "DELETE")) {
    const customer = objects.get(match[1]) as { id: string; object: string } | undefined;
    if (!customer || customer.object !== "customer") return stripeError(404, "invalid_request_error", `No such customer: '${match[1]}'`, "resource_missing");
    // Deleting keeps only the id and the mark, as Stripe does; deleting again answers the same.
    if (method === "DELETE") objects.set(customer.id, { id: customer.id, object: "customer", deleted: true });
    return { status: 200, body: objects.get(customer.id) };
  }
  if (method === "POST" && path === "/v1/ephemeral_keys") {
    return { status: 200, body: { id: id("ephkey"), object: "ephemeral_key", secret: `ek_test_${randomBytes(16).toString("hex")}`, associated_objects: [{ id: params.customer, type: "customer" }] } };
  }
  if (method === "POST" && path === "/v1/payment_intents") {
    const intentId = id("pi");
    const intent = {
      id: intentId,
      object: "payment_intent",
      amount: Number(params.amount),
      amount_received: 0,
      amount_capturable: 0,
      currency: params.currency,
      customer: params.customer,
      capture_method: params.capture_method ?? "automatic",
      status: "requires_payment_method",
      client_secret: `${intentId}_secret_${randomBytes(8).toString("hex")}`,
      metadata: params.metadata ?? {},
      last_payment_error: null,
      created: now(),
    };
    objects.set(intentId, intent);
    intents.push(intent);
    return { status: 200, body: intent };
  }
  if (method === "GET" && path === "/v1/payment_intents/search") return search(params);
  if (method === "GET" && path === "/v1/payment_intents") {
    return list("/v1/payment_intents", intents.filter((i) => !params.customer || i.customer === params.customer), params);
  }
  if (method === "GET" && path === "/v1/refunds") {
    return list("/v1/refunds", refunds.filter((r) => !params.payment_intent || r.payment_intent === params.payment_intent), params);
  }
  if ((match = path.match(/^\/v1\/charges\/([^/]+)$/)) && method === "GET") {
    const charge = objects.get(match[1]);
    return charge ? { status: 200, body: charge } : stripeError(404, "invalid_request_error", "No such charge", "resource_missing");
  }
  if ((match = path.match(/^\/v1\/payment_intents\/([^/]+)$/)) && method === "GET") {
    const intent = objects.get(match[1]);
    return intent ? { status: 200, body: intent } : stripeError(404, "invalid_request_error", "No such payment_intent", "resource_missing");
  }
  if ((match = path.match(/^\/v1\/payment_intents\/([^/]+)\/(capture|cancel)$/)) && method === "POST") {
    const intent = objects.get(match[1]);
    if (!intent) return stripeError(404, "invalid_request_error", "No such payment_intent", "resource_missing");
    if (match[2] === "capture") {
      if (intent.status !== "requires_capture") return stripeError(400, "invalid_request_error", `This PaymentIntent could not be captured because it has a status of ${intent.status}.`, "payment_intent_unexpected_state");
      const amount = Number(params.amount_to_capture ?? intent.amount);
      Object.assign(intent, { status: "succeeded", amount_received: amount, amount_capturable: 0 });
    } else {
      if (intent.status === "succeeded" || intent.status === "canceled") return stripeError(400, "invalid_request_error", `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`, "payment_intent_unexpected_state");
      Object.assign(intent, { status: "canceled", amount_capturable: 0 });
    }
    return { status: 200, body: intent };
  }
  if (method === "POST" && path === "/v1/refunds") {
    const intent = objects.get(String(params.payment_intent));
    if (!intent || intent.status !== "succeeded") return stripeError(400, "invalid_request_error", "This PaymentIntent has no successful charge to refund.", "charge_not_refundable");
    const refunded = Number(intent.amount_refunded ?? 0);
    const amount = Number(params.amount ?? Number(intent.amount_received) - refunded);
    if (amount + refunded > Number(intent.amount_received)) return stripeError(400, "invalid_request_error", "Refund exceeds the charge.", "amount_too_large");
    intent.amount_refunded = refunded + amount;
    const refund = { id: id("re"), object: "refund", amount, currency: intent.currency, payment_intent: intent.id, status: "succeeded", metadata: params.metadata ?? {}, created: now() };
    objects.set(refund.id, refund);
    refunds.push(refund);
    return { status: 200, body: refund };
  }
  return stripeError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}).`);
}

/** Stripe's list envelope: newest first, `limit` (default 10, at most 100) after `starting_after`. */
function list(url: string, items: Params[], params: Params): { status: number; body: unknown } {
  const newestFirst = [...items].reverse();
  const limit = Math.min(Math.max(Number(params.limit ?? 10), 1), 100);
  const after = params.starting_after ? newestFirst.findIndex((item) => item.id === params.starting_after) + 1 : 0;
  const data = newestFirst.slice(after, after + limit);
  return { status: 200, body: { object: "list", url, has_more: after + limit < newestFirst.length, data } };
}

/**
 * Stripe's search query language, the part the backend uses: up to 10 clauses
 * `metadata['key']:'value'`, `status:'value'`, `customer:'value'` or `currency:'value'`, joined
 * by AND or by OR (not both). The answer is a search_result page; `page` is the next_page token.
 */
function search(params: Params): { status: number; body: unknown } {
  const query = String(params.query ?? "").trim();
  const joiner = / OR /.test(query) ? " OR " : " AND ";
  if (/ OR /.test(query) && / AND /.test(query)) return stripeError(400, "invalid_request_error", "Search queries cannot mix AND and OR.", "parameter_invalid_string");
  const clauses = query.split(joiner).map((clause) => clause.trim().match(/^(metadata\['([^']+)'\]|status|customer|currency):'([^']*)'$/));
  if (!query || clauses.length > 10 || clauses.some((c) => !c)) return stripeError(400, "invalid_request_error", `Invalid search query: ${query}`, "parameter_invalid_string");
  const matches = (intent: Params, [, field, key, value]: RegExpMatchArray) =>
    key !== undefined ? String((intent.metadata as Record<string, unknown>)[key] ?? "") === value : String(intent[field] ?? "") === value;
  const found = [...intents].reverse().filter((intent) => (joiner === " OR " ? clauses.some((c) => matches(intent, c!)) : clauses.every((c) => matches(intent, c!))));
  const limit = Math.min(Math.max(Number(params.limit ?? 10), 1), 100);
  const offset = params.page ? Number(Buffer.from(String(params.page), "base64url").toString("utf8")) : 0;
  const more = offset + limit < found.length;
  return {
    status: 200,
    body: { object: "search_result", url: "/v1/payment_intents/search", has_more: more, next_page: more ? Buffer.from(String(offset + limit)).toString("base64url") : null, data: found.slice(offset, offset + limit) },
  };
}

/** Signs like Stripe: `t=<ts>,v1=HMAC_SHA256(secret, "<ts>.<payload>")`. */
function signature(payload: string): string {
  const t = now();
  return `t=${t},v1=${createHmac("sha256", WEBHOOK_SECRET).update(`${t}.${payload}`).digest("hex")}`;
}

/** A card's fingerprint, fixed per payment method id (Stripe's are 16 alphanumerics). */
export function cardFingerprint(paymentMethod: string): string {
  return createHash("sha256").update(paymentMethod).digest("hex").slice(0, 16);
}

/** A card payment method as Stripe embeds it (e.g. in a failure's `last_payment_error`). */
function paymentMethodObject(paymentMethod: string): Params {
  return { id: paymentMethod, object: "payment_method", type: "card", card: { brand: "visa", last4: "4242", fingerprint: cardFingerprint(paymentMethod) } };
}

/** The charge of an authorization: what Stripe reports about the card that paid. */
function charge(intent: Params, paymentMethod: string): Params {
  const made = {
    id: id("ch"),
    object: "charge",
    amount: intent.amount,
    currency: intent.currency,
    payment_intent: intent.id,
    payment_method: paymentMethod,
    payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", fingerprint: cardFingerprint(paymentMethod) } },
    metadata: intent.metadata,
    created: now(),
  };
  objects.set(made.id, made);
  return made;
}

async function confirm(intentId: string, outcome: string, paymentMethod = "pm_card_visa"): Promise<{ status: number; body: unknown }> {
  const intent = objects.get(intentId);
  if (!intent) return stripeError(404, "invalid_request_error", "No such payment_intent");
  const declined = outcome === "declined";
  Object.assign(intent, declined
    ? { status: "requires_payment_method", last_payment_error: { type: "card_error", code: "card_declined", decline_code: "insufficient_funds", payment_method: paymentMethodObject(paymentMethod) } }
    : { status: "requires_capture", amount_capturable: intent.amount, last_payment_error: null, payment_method: paymentMethod, latest_charge: charge(intent, paymentMethod).id });
  const event = { id: id("evt"), object: "event", type: declined ? "payment_intent.payment_failed" : "payment_intent.amount_capturable_updated", created: now(), data: { object: intent } };
  let delivered: number | null = null;
  if (WEBHOOK_URL) {
    const payload = JSON.stringify(event);
    const response = await fetch(WEBHOOK_URL, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": signature(payload) }, body: payload });
    delivered = response.status;
  }
  return { status: 200, body: { intent, event, delivered } };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  const url = new URL(req.url ?? "/", "http://localhost");
  const method = req.method ?? "GET";
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
    res.end(JSON.stringify(body));
  };

  if (url.pathname.startsWith("/_double/")) {
    const body = raw ? (JSON.parse(raw) as Params) : {};
    if (url.pathname === "/_double/requests") return send(200, requests);
    if (url.pathname === "/_double/fail") {
      failures.push({ method: String(body.method ?? "POST"), path: new RegExp(String(body.path)), status: Number(body.status), count: Number(body.count ?? 1), type: String(body.type ?? "api_error"), code: body.code as string | undefined, afterEffect: body.afterEffect === true });
      return send(200, { ok: true });
    }
    if (url.pathname === "/_double/reset") {
      failures = [];
      return send(200, { ok: true });
    }
    const confirmMatch = url.pathname.match(/^\/_double\/payment_intents\/([^/]+)\/confirm$/);
    if (confirmMatch) {
      const result = await confirm(confirmMatch[1], String(body.outcome ?? "authorized"), body.paymentMethod === undefined ? undefined : String(body.paymentMethod));
      return send(result.status, result.body);
    }
    return send(404, { error: "unknown control endpoint" });
  }

  if (!/^Bearer sk_(test|live)_/.test(req.headers.authorization ?? "")) {
    return send(401, { error: { type: "invalid_request_error", message: "Invalid API Key provided." } });
  }
  const params = method === "GET" ? Object.fromEntries(url.searchParams) : parseForm(raw);
  const idempotencyKey = (req.headers["idempotency-key"] as string | undefined) ?? null;
  requests.push({ method, path: url.pathname, idempotencyKey, params });

  const failure = failures.find((f) => f.method === method && f.path.test(url.pathname) && f.count > 0);
  if (failure) {
    failure.count -= 1;
    // After the effect: Stripe did the work (and keeps the result for the key), the answer was lost.
    if (failure.afterEffect) {
      const done = route(method, url.pathname, params);
      if (idempotencyKey && method === "POST" && done.status < 500) idempotent.set(idempotencyKey, { params: raw, ...done });
    }
    const error = stripeError(failure.status, failure.type, "Injected failure.", failure.code);
    return send(error.status, error.body);
  }
  if (idempotencyKey && method === "POST") {
    const previous = idempotent.get(idempotencyKey);
    if (previous) {
      if (previous.params !== raw) return send(400, { error: { type: "idempotency_error", message: "Keys for idempotent requests can only be used with the same parameters they were first used with." } });
      res.setHeader("idempotent-replayed", "true");
      return send(previous.status, previous.body);
    }
  }
  const result = route(method, url.pathname, params);
  if (idempotencyKey && method === "POST" && result.status < 500) idempotent.set(idempotencyKey, { params: raw, ...result });
  send(result.status, result.body);
}

createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { type: "api_error", message: String(error) } }));
  });
}).listen(STRIPE_DOUBLE_PORT, "127.0.0.1", () => console.log(`Stripe double listening on http://127.0.0.1:${STRIPE_DOUBLE_PORT}`));
