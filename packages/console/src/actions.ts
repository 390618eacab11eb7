/**
 * What an operator can do, each through an admin callable (which checks the role and writes the
 * audit entry): replay a dead letter, force-cancel or refund an order, resume a broadcast, ban
 * a user. Destructive moves ask for confirmation first, in a modal dialog that keeps focus.
 */
import { FunctionsError, httpsCallable, type Functions } from "firebase/functions";
import { CALLABLES } from "../../../functions/src/contract/callables.ts";
import { APP_VERSION_KEY, CONTRACT_VERSION } from "../../../functions/src/contract/version.ts";
import { h, show } from "./dom.ts";

export const ADMIN_REASONS = ["customer-request", "restaurant-request", "suspected-fraud", "payment-problem", "other"] as const;
export const BAN_REASONS = ["fraud", "payment-abuse", "harassment", "spam", "terms-violation"] as const;

/** Says what happened in the live region (screen readers announce it). */
export function say(text: string, kind: "ok" | "error" = "ok"): void {
  const status = document.getElementById("status")!;
  status.textContent = text;
  status.dataset.kind = kind;
}

function describe(error: unknown): string {
  if (error instanceof FunctionsError) {
    const reason = (error.details as { reason?: string } | undefined)?.reason;
    return `${error.code}${reason ? ` (${reason})` : ""}: ${error.message}`;
  }
  return String(error);
}

/** Calls the callable `name` as an app of this contract version does (a server with MIN_APP_VERSION set checks it). */
export async function invoke<T>(functions: Functions, name: string, data: Record<string, unknown>): Promise<T> {
  return (await httpsCallable(functions, name)({ ...data, [APP_VERSION_KEY]: CONTRACT_VERSION })).data as T;
}

/** Calls `name` with `data`; reports the outcome in the live region. Resolves to the answer, or undefined after an error. */
export async function call<T>(functions: Functions, name: string, data: Record<string, unknown>, done: string): Promise<T | undefined> {
  try {
    const answer = await invoke<T>(functions, name, data);
    say(done);
    return answer;
  } catch (error) {
    say(`Refused: ${describe(error)}`, "error");
    return undefined;
  }
}

/**
 * Asks for confirmation in the modal dialog; `fields` (a reason select, say) are part of it.
 * Resolves with the dialog's form values, or null when the operator goes back.
 */
export function confirmAction(title: string, text: string, fields: HTMLElement[] = []): Promise<FormData | null> {
  const dialog = document.getElementById("confirm") as HTMLDialogElement;
  document.getElementById("confirm-title")!.textContent = title;
  show(document.getElementById("confirm-body")!, h("p", {}, text), ...fields);
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok" ? new FormData(dialog.querySelector("form")!) : null), { once: true });
  });
}

export function reasonSelect(id: string, label: string, reasons: readonly string[]): HTMLElement {
  return h("p", {}, h("label", { for: id }, label), " ", h("select", { id, name: "reason", required: true }, reasons.map((r) => h("option", { value: r }, r))));
}

export async function replayDeadLetter(functions: Functions, deadLetterId: string): Promise<void> {
  await call(functions, CALLABLES.replayDeadLetter, { deadLetterId }, `Dead letter ${deadLetterId} replayed; it closes when the work succeeds.`);
}

export async function orderAction(functions: Functions, orderId: string, action: "cancel" | "refund"): Promise<void> {
  const verb = action === "cancel" ? "Force-cancel" : "Refund";
  const form = await confirmAction(`${verb} order ${orderId}?`, action === "cancel" ? "The order is cancelled for everyone; its payment is released or refunded." : "The customer's money goes back; the order ends as refunded.", [
    reasonSelect("confirm-reason", "Reason", ADMIN_REASONS),
  ]);
  if (!form) return say(`${verb} of ${orderId} not done.`);
  await call(functions, CALLABLES.adminOrderAction, { orderId, action, reason: form.get("reason") }, `Order ${orderId}: ${action === "cancel" ? "cancelled" : "refunded"}.`);
}

export async function resumeBroadcast(functions: Functions, broadcastId: string): Promise<void> {
  await call(functions, CALLABLES.resumeBroadcast, { broadcastId }, `Broadcast ${broadcastId} resumed.`);
}

export async function banUser(functions: Functions, uid: string, reason: string): Promise<void> {
  const form = await confirmAction(`Ban user ${uid}?`, `The account is disabled, its sessions end and its email and phone cannot sign up again. Reason: ${reason}.`);
  if (!form) return say(`Ban of ${uid} not done.`);
  await call(functions, CALLABLES.banUser, { uid, reason }, `User ${uid} banned.`);
}
