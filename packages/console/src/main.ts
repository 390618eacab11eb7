/**
 * The operator console: sign in, then the dashboard (`#/`) or an order's page
 * (`#/orders/<id>`). Who may see what is decided by the Firestore rules and the admin callables:
 * a non-admin who signs in gets `permission-denied` from the first read, and the page says so.
 */
import { onAuthStateChanged, signInWithEmailAndPassword, signOut, type User } from "firebase/auth";
import type { FirestoreError, Unsubscribe } from "firebase/firestore";
import { say } from "./actions.ts";
import { renderDashboard } from "./dashboard.ts";
import { h, show } from "./dom.ts";
import { connect, type Clients } from "./firebase.ts";
import { renderOrderPage } from "./order-page.ts";

const main = document.getElementById("main")!;
const account = document.getElementById("account")!;
let stop: Unsubscribe = () => undefined;
let refused = false;

function signInForm(clients: Clients): void {
  const form = h(
    "form",
    { class: "panel sign-in", "aria-labelledby": "sign-in-title" },
    h("h2", { id: "sign-in-title" }, "Sign in"),
    h("p", {}, "For operators with an administrator account."),
    h("p", {}, h("label", { for: "email" }, "Email"), h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true })),
    h("p", {}, h("label", { for: "password" }, "Password"), h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("button", { type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    say("Signing in…");
    signInWithEmailAndPassword(clients.auth, String(data.get("email")), String(data.get("password"))).then(
      () => say("Signed in."),
      (error: { code?: string }) => say(`Sign-in failed: ${error.code ?? "unknown error"}`, "error"),
    );
  });
  show(main, form);
  show(account);
  (document.getElementById("email") as HTMLInputElement).focus();
}

/** What a signed-in user who is not an admin sees: the rules' answer, and a way out. */
function refuse(clients: Clients, user: User, error: FirestoreError): void {
  if (refused) return;
  refused = true;
  stop();
  show(
    main,
    h(
      "section",
      { class: "panel refused", "aria-labelledby": "refused-title" },
      h("h2", { id: "refused-title" }, "Access refused"),
      h("p", {}, `${user.email ?? user.uid} may not read operator data. This console is for administrators.`),
      h("p", { class: "muted" }, "Firestore answered: ", h("code", { "data-code": error.code }, error.code)),
      h("button", { type: "button", onclick: () => void signOut(clients.auth) }, "Sign out"),
    ),
  );
  say("Access refused.", "error");
}

function route(clients: Clients, user: User): void {
  stop();
  refused = false;
  const onRefusal = (error: FirestoreError) => (error.code === "permission-denied" ? refuse(clients, user, error) : say(`Live data unavailable: ${error.code}`, "error"));
  const order = /^#\/orders\/([A-Za-z0-9_-]+)$/.exec(window.location.hash);
  stop = order ? renderOrderPage(main, clients, order[1], onRefusal) : renderDashboard(main, clients, onRefusal);
  main.focus();
}

const clients = await connect();
onAuthStateChanged(clients.auth, (user) => {
  if (!user) {
    stop();
    signInForm(clients);
    return;
  }
  show(account, h("span", {}, user.email ?? user.uid), " ", h("button", { type: "button", onclick: () => void signOut(clients.auth) }, "Sign out"));
  route(clients, user);
});
window.addEventListener("hashchange", () => {
  const user = clients.auth.currentUser;
  if (user) route(clients, user);
});
