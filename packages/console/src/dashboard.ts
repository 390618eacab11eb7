/**
 * The console's front page: what needs a person, live (Firestore listeners, readable by admins
 * only), the numbers, and a ban form. Each list re-renders from its snapshot; an action's outcome
 * shows up through the same listener (a replayed letter closes, a flag clears).
 */
import {
  collection,
  getCountFromServer,
  getDocs,
  limit,
  onSnapshot,
  orderBy,
  query,
  Timestamp,
  where,
  type DocumentData,
  type FirestoreError,
  type QuerySnapshot,
  type Unsubscribe,
} from "firebase/firestore";
import { ORDER_STATES } from "../../../functions/src/contract/order-states.ts";
import { BAN_REASONS, banUser, orderAction, reasonSelect, replayDeadLetter, resumeBroadcast } from "./actions.ts";
import { age, duration, h, millis, show } from "./dom.ts";
import type { Clients } from "./firebase.ts";
import { checkoutDurations, deliveryDurations, ordersPerHour, percentile, type OrderFacts } from "./metrics.ts";

/** Rows per live list: the oldest problems beyond these wait for the next ones to be fixed. */
const LIST_LIMIT = 100;
/** The window the p95s cover. */
const RECENT_HOURS = 6;
/** Orders read at most for the charts (one bounded query per refresh). */
const CHART_ORDER_LIMIT = 2000;

function section(id: string, title: string, ...body: (Node | string)[]): HTMLElement {
  return h("section", { "aria-labelledby": `${id}-title`, id, class: "panel" }, h("h2", { id: `${id}-title` }, title), ...body);
}

function table(caption: string, headers: string[], rows: HTMLTableRowElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h("div", { class: "scroll" }, h("table", {}, h("caption", { class: "visually-hidden" }, caption), h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows)));
}

export function renderDashboard(main: HTMLElement, clients: Clients, refuse: (error: FirestoreError) => void): Unsubscribe {
  const { db, functions } = clients;
  const attention = h("div", { "aria-busy": "true" }, "Loading…");
  const stuck = h("div", { "aria-busy": "true" }, "Loading…");
  const letters = h("div", { "aria-busy": "true" }, "Loading…");
  const broadcasts = h("div", { "aria-busy": "true" }, "Loading…");
  const numbers = h("div", {}, "Loading…");
  show(
    main,
    section("attention", "Orders needing attention", attention),
    section("dead-letters", "Dead letters", letters),
    section("stuck", "Stuck work", stuck),
    section("broadcasts", "Stalled broadcasts", broadcasts),
    section("numbers", "Numbers", h("p", {}, h("button", { type: "button", onclick: () => void refreshNumbers() }, "Refresh numbers")), numbers),
    section("ban", "Ban a user", banForm()),
  );

  const live = (q: Parameters<typeof onSnapshot>[0], render: (s: QuerySnapshot<DocumentData>) => void) =>
    onSnapshot(q as never, render as never, (error: FirestoreError) => refuse(error));

  const stops = [
    live(query(collection(db, "orders"), where("attention", "!=", null), limit(LIST_LIMIT)), (snapshot) => {
      const rows = snapshot.docs
        .map((d) => ({ id: d.id, ...d.data() }) as DocumentData & { id: string })
        .sort((a, b) => (millis(a.attention?.since) ?? 0) - (millis(b.attention?.since) ?? 0))
        .map((o) =>
          h(
            "tr",
            { "data-order": o.id },
            h("td", {}, h("a", { href: `#/orders/${o.id}` }, o.id)),
            h("td", {}, o.status),
            h("td", {}, h("strong", {}, o.attention?.reason ?? "?"), h("br"), h("span", { class: "muted" }, o.attention?.message ?? "")),
            h("td", {}, age(millis(o.attention?.since))),
            h(
              "td",
              { class: "actions" },
              o.attention?.deadLetterId ? h("button", { type: "button", onclick: () => void replayDeadLetter(functions, o.attention.deadLetterId) }, `Replay dead letter`) : null,
              h("button", { type: "button", class: "danger", onclick: () => void orderAction(functions, o.id, "cancel") }, "Force-cancel"),
              h("button", { type: "button", class: "danger", onclick: () => void orderAction(functions, o.id, "refund") }, "Refund"),
            ),
          ),
        );
      attention.removeAttribute("aria-busy");
      show(attention, table("Orders needing attention", ["Order", "State", "Reason", "Age", "Actions"], rows, "No order needs attention."));
    }),
    live(query(collection(db, "deadLetters"), where("status", "in", ["open", "replayed"]), limit(LIST_LIMIT)), (snapshot) => {
      const rows = snapshot.docs.map((d) => {
        const l = d.data();
        const orderId = l.payload?.data?.orderId ?? l.payload?.body?.orderId;
        return h(
          "tr",
          { "data-letter": d.id },
          h("td", {}, h("code", {}, d.id), orderId ? h("div", {}, "order ", h("a", { href: `#/orders/${orderId}` }, orderId)) : null),
          h("td", {}, l.handler, h("br"), h("span", { class: "muted" }, l.source)),
          h("td", {}, `${l.error?.name ?? "Error"}: ${l.error?.message ?? "?"}`),
          h("td", {}, String(l.attempts ?? "?")),
          h("td", { class: "state" }, l.status, l.replays ? ` (${l.replays}×)` : ""),
          h("td", {}, age(millis(l.recordedAt))),
          h("td", {}, h("details", {}, h("summary", {}, "Payload"), h("pre", {}, JSON.stringify(l.payload, null, 2)))),
          h("td", { class: "actions" }, l.source === "firestore" ? "fix the document" : h("button", { type: "button", onclick: () => void replayDeadLetter(functions, d.id) }, "Replay")),
        );
      });
      letters.removeAttribute("aria-busy");
      show(letters, table("Open dead letters", ["Dead letter", "Handler", "Error", "Attempts", "Status", "Age", "Payload", "Actions"], rows, "No open dead letter."));
    }),
    live(query(collection(db, "opsAlerts"), where("status", "==", "open"), limit(LIST_LIMIT)), (snapshot) => {
      const rows = snapshot.docs.map((d) => {
        const a = d.data();
        return h("tr", {}, h("td", {}, a.kind), h("td", {}, h("code", {}, a.sourcePath ?? a.sourceId)), h("td", {}, a.state), h("td", {}, `${a.ageMinutes ?? "?"} min when found`), h("td", {}, age(millis(a.detectedAt))));
      });
      stuck.removeAttribute("aria-busy");
      show(stuck, h("p", { class: "muted" }, "Stuck orders show above, flagged stuck-in-state."), table("Stuck work", ["Kind", "Item", "State", "Overdue", "Found"], rows, "Nothing stuck."));
    }),
    live(query(collection(db, "broadcasts"), where("status", "in", ["stalled", "paused"]), limit(LIST_LIMIT)), (snapshot) => {
      const rows = snapshot.docs.map((d) => {
        const b = d.data();
        return h("tr", {}, h("td", {}, h("code", {}, d.id)), h("td", {}, b.status), h("td", {}, String(b.batchesDone ?? 0)), h("td", {}, age(millis(b.updatedAt))), h("td", { class: "actions" }, h("button", { type: "button", onclick: () => void resumeBroadcast(functions, d.id) }, "Resume")));
      });
      broadcasts.removeAttribute("aria-busy");
      show(broadcasts, table("Stalled or paused broadcasts", ["Broadcast", "Status", "Batches done", "Since", "Actions"], rows, "No broadcast is stalled or paused."));
    }),
  ];

  async function refreshNumbers(): Promise<void> {
    try {
      const now = Date.now();
      const dayStart = new Date(now).setHours(0, 0, 0, 0);
      const recentStart = now - RECENT_HOURS * 3_600_000;
      const orders = collection(db, "orders");
      // One count() per state (one read per 1000 index entries each) and one bounded query.
      const [counts, recent] = await Promise.all([
        Promise.all(ORDER_STATES.map(async (state) => [state, (await getCountFromServer(query(orders, where("status", "==", state)))).data().count] as const)),
        getDocs(query(orders, where("createdAt", ">=", Timestamp.fromMillis(Math.min(dayStart, recentStart))), orderBy("createdAt", "desc"), limit(CHART_ORDER_LIMIT))),
      ]);
      const facts = recent.docs.map((d) => d.data() as OrderFacts);
      const lastHours = facts.filter((o) => (millis(o.createdAt) ?? 0) >= recentStart);
      const checkout = checkoutDurations(lastHours);
      const delivery = deliveryDurations(lastHours);
      show(
        numbers,
        barChart("orders-per-state", "Orders per state now", counts.map(([state, count]) => [state, count])),
        barChart("orders-per-hour", "Orders per hour today", ordersPerHour(facts, dayStart).map((count, hour) => [`${String(hour).padStart(2, "0")}:00`, count]), true),
        h(
          "dl",
          { class: "p95" },
          h("dt", {}, `p95 checkout → placed (card, last ${RECENT_HOURS} h)`),
          h("dd", { "data-metric": "p95-checkout" }, duration(percentile(checkout, 95)), h("span", { class: "muted" }, ` over ${plural(checkout.length, "order")}`)),
          h("dt", {}, `p95 placed → delivered (last ${RECENT_HOURS} h)`),
          h("dd", { "data-metric": "p95-delivery" }, duration(percentile(delivery, 95)), h("span", { class: "muted" }, ` over ${plural(delivery.length, "order")}`)),
        ),
        recent.size >= CHART_ORDER_LIMIT ? h("p", { class: "muted" }, `Charts drawn from the newest ${CHART_ORDER_LIMIT} orders.`) : null,
      );
    } catch (error) {
      refuse(error as FirestoreError);
    }
  }
  void refreshNumbers();
  const timer = window.setInterval(() => void refreshNumbers(), 60_000);

  function banForm(): HTMLElement {
    const form = h(
      "form",
      { class: "ban" },
      h("p", {}, h("label", { for: "ban-uid" }, "User id"), " ", h("input", { id: "ban-uid", name: "uid", required: true, autocomplete: "off" })),
      reasonSelect("ban-reason", "Reason", BAN_REASONS),
      h("button", { type: "submit", class: "danger" }, "Ban user…"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      void banUser(functions, String(data.get("uid")), String(data.get("reason")));
    });
    return form;
  }

  return () => {
    window.clearInterval(timer);
    for (const stop of stops) stop();
  };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** Horizontal bars with their numbers written out (readable without the bars). */
function barChart(id: string, title: string, data: [string, number][], compact = false): HTMLElement {
  const max = Math.max(1, ...data.map(([, n]) => n));
  return h(
    "figure",
    { class: `chart${compact ? " compact" : ""}`, id, "aria-labelledby": `${id}-caption` },
    h("figcaption", { id: `${id}-caption` }, title),
    h(
      "ul",
      {},
      data.map(([label, n]) => h("li", {}, h("span", { class: "label" }, label), h("span", { class: "bar", style: `width:${(n / max) * 100}%` }), h("span", { class: "value" }, String(n)))),
    ),
  );
}
