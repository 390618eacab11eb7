/**
 * One order: its state and payment, its history of moves, its notifications ledger (live), its
 * dead letters, and the trace waterfall of the work done on it (from the admin callable
 * `ops-orderTrace`: spans are not in Firestore).
 */
import { collection, doc, onSnapshot, query, where, type FirestoreError, type Unsubscribe } from "firebase/firestore";
import { CALLABLES } from "../../../functions/src/contract/callables.ts";
import type { OrderTraceResponse } from "../../../functions/src/contract/ops.ts";
import { invoke, orderAction, replayDeadLetter } from "./actions.ts";
import { age, duration, h, millis, money, show } from "./dom.ts";
import type { Clients } from "./firebase.ts";

const time = (value: unknown) => {
  const ms = millis(value);
  return ms === undefined ? "–" : new Date(ms).toLocaleString();
};

export function renderOrderPage(main: HTMLElement, clients: Clients, orderId: string, refuse: (error: FirestoreError) => void): Unsubscribe {
  const { db, functions } = clients;
  const summary = h("div", { "aria-busy": "true" }, "Loading…");
  const history = h("div");
  const ledger = h("div", {}, "Loading…");
  const letters = h("div", {}, "Loading…");
  const trace = h("div", {}, "Loading…");
  show(
    main,
    h("p", { class: "wide" }, h("a", { href: "#/" }, "← All that needs attention")),
    h("h2", { id: "order-title", class: "wide" }, `Order ${orderId}`),
    h("section", { class: "panel", "aria-labelledby": "order-summary-title" }, h("h3", { id: "order-summary-title" }, "State and payment"), summary),
    h("section", { class: "panel", "aria-labelledby": "order-history-title" }, h("h3", { id: "order-history-title" }, "History"), history),
    h("section", { class: "panel", "aria-labelledby": "order-ledger-title" }, h("h3", { id: "order-ledger-title" }, "Notifications"), ledger),
    h("section", { class: "panel wide", "aria-labelledby": "order-letters-title" }, h("h3", { id: "order-letters-title" }, "Dead letters"), letters),
    h("section", { class: "panel wide", "aria-labelledby": "order-trace-title" }, h("h3", { id: "order-trace-title" }, "Trace"), h("p", {}, h("button", { type: "button", onclick: () => void loadTrace() }, "Reload trace")), trace),
  );

  const stops = [
    onSnapshot(
      doc(db, "orders", orderId),
      (snapshot) => {
        summary.removeAttribute("aria-busy");
        if (!snapshot.exists()) return show(summary, h("p", {}, "No such order."));
        const o = snapshot.data();
        show(
          summary,
          h(
            "dl",
            { class: "facts" },
            h("dt", {}, "State"),
            h("dd", { "data-field": "status" }, o.status),
            h("dt", {}, "Restaurant"),
            h("dd", {}, o.restaurantId ?? "–"),
            h("dt", {}, "Customer"),
            h("dd", {}, o.customerFirstName ?? "–", " ", h("code", {}, o.customerUid ?? "")),
            h("dt", {}, "Total"),
            h("dd", {}, money(o.total)),
            h("dt", {}, "Payment"),
            h("dd", { "data-field": "payment" }, `${o.paymentMethod ?? "?"} · ${o.payment?.status ?? "–"}`, o.payment?.amountCaptured !== undefined ? ` · captured ${money({ amount: o.payment.amountCaptured, currency: o.total?.currency })}` : ""),
            h("dt", {}, "Attention"),
            h("dd", { "data-field": "attention" }, o.attention ? `${o.attention.reason}: ${o.attention.message} (${age(millis(o.attention.since))})` : "none"),
            h("dt", {}, "Correlation id"),
            h("dd", {}, h("code", {}, o.correlationId ?? "–")),
          ),
          h(
            "p",
            { class: "actions" },
            h("button", { type: "button", class: "danger", onclick: () => void orderAction(functions, orderId, "cancel") }, "Force-cancel"),
            h("button", { type: "button", class: "danger", onclick: () => void orderAction(functions, orderId, "refund") }, "Refund"),
          ),
        );
        const rows = ((o.history ?? []) as Record<string, unknown>[]).map((e) =>
          h("tr", {}, h("td", {}, time(e.at)), h("td", {}, String(e.from ?? "–")), h("td", {}, String(e.to ?? "–")), h("td", {}, `${String(e.byKind ?? "?")} ${String(e.by ?? "")}`.trim()), h("td", {}, String(e.why ?? ""))),
        );
        show(history, tableOf("History", ["When", "From", "To", "By", "Why"], rows, "No moves yet."));
      },
      refuse,
    ),
    onSnapshot(
      query(collection(db, "notifications"), where("orderId", "==", orderId)),
      (snapshot) => {
        const rows = snapshot.docs.map((d) => {
          const n = d.data();
          return h("tr", {}, h("td", {}, n.channel), h("td", {}, n.type ?? "–"), h("td", {}, n.status), h("td", {}, n.reason ?? ""), h("td", {}, String(n.attempts ?? "")), h("td", {}, time(n.updatedAt)));
        });
        show(ledger, tableOf("Notifications ledger", ["Channel", "Message", "Status", "Why", "Attempts", "Updated"], rows, "No notification for this order."));
      },
      refuse,
    ),
    onSnapshot(
      query(collection(db, "deadLetters"), where("payload.data.orderId", "==", orderId)),
      (snapshot) => {
        const rows = snapshot.docs.map((d) => {
          const l = d.data();
          return h(
            "tr",
            { "data-letter": d.id },
            h("td", {}, h("code", {}, d.id)),
            h("td", {}, l.handler),
            h("td", {}, `${l.error?.name ?? "Error"}: ${l.error?.message ?? "?"}`),
            h("td", {}, String(l.attempts)),
            h("td", { class: "state" }, l.status),
            h("td", { class: "actions" }, l.status === "resolved" ? "" : h("button", { type: "button", onclick: () => void replayDeadLetter(functions, d.id) }, "Replay")),
          );
        });
        show(letters, tableOf("Dead letters of this order", ["Dead letter", "Handler", "Error", "Attempts", "Status", "Actions"], rows, "No dead letter for this order's tasks."));
      },
      refuse,
    ),
  ];

  async function loadTrace(): Promise<void> {
    try {
      const answer = await invoke<OrderTraceResponse>(functions, CALLABLES.orderTrace, { orderId });
      if (answer.source === "cloud-trace") return show(trace, h("p", {}, "Deployed traces are in Cloud Trace: ", h("a", { href: answer.url ?? "#" }, "open Cloud Trace"), ` and filter by orderId:${orderId}.`));
      if (answer.traces.length === 0) return show(trace, h("p", { class: "empty" }, "No span recorded for this order in this session."));
      show(trace, answer.traces.map((t) => waterfall(t.traceId, t.spans)));
    } catch (error) {
      show(trace, h("p", { class: "error" }, `Trace unavailable: ${String((error as Error).message ?? error)}`));
    }
  }
  void loadTrace();

  return () => stops.forEach((stop) => stop());
}

function tableOf(caption: string, headers: string[], rows: HTMLTableRowElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h("div", { class: "scroll" }, h("table", {}, h("caption", { class: "visually-hidden" }, caption), h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows)));
}

/** One trace as rows: indented span names, and a bar placed on the trace's time line. */
function waterfall(traceId: string, spans: OrderTraceResponse["traces"][number]["spans"]): HTMLElement {
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const total = Math.max(1, end - start);
  return h(
    "figure",
    { class: "waterfall", "aria-label": `Trace ${traceId}` },
    h("figcaption", {}, `Trace `, h("code", {}, traceId), ` · ${spans.length} spans · ${duration(total)}`),
    h(
      "ol",
      {},
      spans.map((s) =>
        h(
          "li",
          { class: s.outcome ? "failed" : "" },
          h("span", { class: "name", style: `padding-left:${s.depth * 0.75}rem` }, s.name, s.outcome ? ` ✗ ${s.outcome}` : ""),
          h("span", { class: "track" }, h("span", { class: "bar", style: `left:${((s.startMs - start) / total) * 100}%;width:${Math.max(0.5, (s.durationMs / total) * 100)}%` })),
          h("span", { class: "value" }, `+${duration(s.startMs - start)} · ${duration(s.durationMs)}`),
        ),
      ),
    ),
  );
}
