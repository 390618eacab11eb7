/**
 * The order metrics of ops/monitoring/log-metrics.json against what the functions really print:
 * after a card order's whole journey, the emulator output holds log entries that each order
 * metric's filter selects, with the labels and values it extracts. Proves the filters match the
 * code's events, not just the events table.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { signInWithRole } from "../support/emulators";
import { journey } from "../support/journey";
import { courierAt, eventually, kitchen } from "../support/workflow";

type Entry = Record<string, unknown>;
interface Metric {
  name: string;
  filter: string;
  labelExtractors?: Record<string, string>;
  valueExtractor?: string;
}

const METRICS = (JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "ops", "monitoring", "log-metrics.json"), "utf8")) as { metrics: Metric[] }).metrics;
const ORDER_METRICS = ["order_transitions", "order_checkout_to_placed", "order_placed_to_answer", "order_placed_to_delivered", "outbox_lag", "callable_outcomes", "callable_latency"];

/**
 * The part of the Logging filter language the metric filters use: clauses joined by AND, a
 * parenthesized OR of clauses, `jsonPayload.f="v"`, `jsonPayload.f>=n`, `NOT jsonPayload.f=~"re"`.
 * The emulator has no monitored resource, so `resource.type` clauses hold. Anything else throws,
 * so a filter that outgrows this evaluator is noticed rather than passed.
 */
function clauseHolds(clause: string, entry: Entry): boolean {
  clause = clause.trim();
  if (clause.startsWith("(") && clause.endsWith(")")) return clause.slice(1, -1).split(" OR ").some((inner) => clauseHolds(inner, entry));
  if (/^resource\.type="[\w_]+"$/.test(clause)) return true;
  let match = /^jsonPayload\.(\w+)="([^"]*)"$/.exec(clause);
  if (match) return entry[match[1]] !== undefined && entry[match[1]] !== null && String(entry[match[1]]) === match[2];
  match = /^jsonPayload\.(\w+)>=(\d+)$/.exec(clause);
  if (match) return typeof entry[match[1]] === "number" && (entry[match[1]] as number) >= Number(match[2]);
  match = /^NOT jsonPayload\.(\w+)=~"([^"]*)"$/.exec(clause);
  if (match) return !new RegExp(match[2]).test(String(entry[match[1]] ?? ""));
  throw new Error(`filter clause this test cannot evaluate: ${clause}`);
}

const selects = (metric: Metric, entry: Entry) => metric.filter.split(" AND ").every((clause) => clauseHolds(clause, entry));

function extract(extractor: string, entry: Entry): unknown {
  const field = /^EXTRACT\(jsonPayload\.(\w+)\)$/.exec(extractor);
  if (field) return entry[field[1]];
  const regexp = /^REGEXP_EXTRACT\(jsonPayload\.(\w+), "(.*)"\)$/.exec(extractor);
  if (regexp) return new RegExp(JSON.parse(`"${regexp[2]}"`) as string).exec(String(entry[regexp[1]] ?? ""))?.[1];
  throw new Error(`extractor this test cannot evaluate: ${extractor}`);
}

/** The structured entries the functions printed since `offset` (one JSON object per line). */
function printedEntries(file: string, offset: number): Entry[] {
  return readFileSync(file)
    .subarray(offset)
    .toString("utf8")
    .split("\n")
    .flatMap((line) => {
      const start = line.indexOf("{\"");
      if (start < 0) return [];
      try {
        const entry = JSON.parse(line.slice(start)) as unknown;
        return entry && typeof entry === "object" && typeof (entry as Entry).message === "string" ? [entry as Entry] : [];
      } catch {
        return [];
      }
    });
}

describe("order metrics' filters select what the functions print", () => {
  const clients: { close(): Promise<void> }[] = [];
  let orderId = "";
  let entries: Entry[] = [];
  const file = process.env.EMULATOR_OUTPUT_LOG ?? "";

  before(async () => {
    assert.ok(file && existsSync(file), "EMULATOR_OUTPUT_LOG names the emulator suite's output: run this test through scripts/dev/test.ts");
    const offset = readFileSync(file).length;
    const k = await kitchen();
    const courier = await courierAt(k.location);
    const operator = await signInWithRole("admin");
    clients.push(k.staff, k.customer, courier, operator);
    const run = await journey(k, courier, operator, "card", "delivered");
    assert.equal(run.stuck, undefined, `the journey went through: ${run.stuck}`);
    orderId = run.orderId!;
    // The delivered move's outbox record is published by a trigger after the call returns.
    entries = await eventually("the delivered move published", async () => {
      const found = printedEntries(file, offset);
      return found.some((e) => e.message !== "order.transitioned" && e.orderId === orderId && e.to === "delivered") ? found : undefined;
    }, 30_000).catch(() => printedEntries(file, offset));
  });

  after(async () => {
    for (const client of clients) await client.close();
  });

  it("every order metric is defined, and its filter is one this test can read", () => {
    for (const name of ORDER_METRICS) {
      const metric = METRICS.find((m) => m.name === name);
      assert.ok(metric, `${name} is defined`);
      assert.doesNotThrow(() => selects(metric, { message: "" }));
    }
  });

  const metric = (name: string) => METRICS.find((m) => m.name === name)!;
  const ofOrder = (name: string) => entries.filter((e) => e.orderId === orderId && selects(metric(name), e));

  it("order_transitions sees every move of the order, the one its payment made included", () => {
    const moves = ofOrder("order_transitions").map((e) => `${String(extract(metric("order_transitions").labelExtractors!.from, e) ?? "")}>${String(extract(metric("order_transitions").labelExtractors!.to, e))}`);
    for (const move of ["awaiting_payment>placed", "placed>accepted", "accepted>preparing", "preparing>ready", "ready>picked_up", "picked_up>delivered"]) {
      assert.ok(moves.includes(move), `no order_transitions entry for ${move} (saw: ${moves.join(", ") || "none"})`);
    }
  });

  it("the stage-duration metrics get a value for the order: checkout to placed, placed to accepted, placed to delivered", () => {
    for (const [name, label] of [["order_checkout_to_placed", undefined], ["order_placed_to_answer", "accepted"], ["order_placed_to_delivered", undefined]] as const) {
      const selected = ofOrder(name);
      assert.equal(selected.length, 1, `${name}: one entry for the order (saw ${selected.length})`);
      const value = extract(metric(name).valueExtractor!, selected[0]);
      assert.ok(typeof value === "number" && value >= 0 && value < 10 * 60_000, `${name}: value ${String(value)}`);
      if (label) assert.equal(extract(metric(name).labelExtractors!.to, selected[0]), label);
    }
  });

  it("outbox_lag gets the age of each of the order's published records", () => {
    const lags = ofOrder("outbox_lag").map((e) => extract(metric("outbox_lag").valueExtractor!, e));
    assert.ok(lags.length >= 6, `lag entries for the order: ${lags.length}`);
    assert.ok(lags.every((lag) => typeof lag === "number" && lag >= 0), `lags: ${lags.join(", ")}`);
  });

  it("callable_outcomes and callable_latency see the checkout, labelled by function and outcome", () => {
    const checkout = entries.filter((e) => selects(metric("callable_outcomes"), e) && e.handler === "checkout-placeOrder");
    assert.ok(checkout.length > 0, "a callable entry for checkout-placeOrder");
    const labels = metric("callable_outcomes").labelExtractors!;
    assert.ok(checkout.some((e) => extract(labels.function, e) === "checkout-placeOrder" && extract(labels.outcome, e) === "completed"));
    assert.ok(checkout.every((e) => selects(metric("callable_latency"), e) && typeof extract(metric("callable_latency").valueExtractor!, e) === "number"));
  });
});
