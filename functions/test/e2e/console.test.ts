/**
 * The operator console end to end: the bundle the Hosting emulator serves (packages/console),
 * driven in headless Chromium (Debian's `chromium`, through playwright-core) against the same
 * emulators and doubles as the integration tier. An admin signs in with the keyboard, watches a
 * card order whose capture keeps failing appear flagged, replays its dead letter and sees it
 * resolved; a force-cancel asks first; a customer is refused by the rules and the callables.
 * Screenshots of the main screens go to test-results/console/ (gitignored) for review.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { CALLABLES } from "../../src/contract/callables";
import { admin, callError, signUp } from "../support/emulators";
import { failStripe, kitchen, placedOrder, resetStripeFailures } from "../support/workflow";

const REPO = join(__dirname, "..", "..", "..");
const BUNDLE = join(REPO, "packages", "console", "dist");
const SCREENSHOTS = join(REPO, "test-results", "console");
const { hosting } = JSON.parse(readFileSync(join(REPO, "firebase.json"), "utf8")).emulators as Record<string, { host: string; port: number }>;
const CONSOLE_URL = `http://${hosting.host}:${hosting.port}/`;
const PASSWORD = "correct-horse-battery";
/** Where Debian and Ubuntu put Chromium; CHROMIUM_PATH names another. */
const CHROMIUM = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path): path is string => Boolean(path) && existsSync(path!));
/** The settlement task's five attempts with backoff, then the dead letter and the flag. */
const FLAG_TIMEOUT_MS = 150_000;

async function adminAccount(): Promise<{ uid: string; email: string }> {
  const email = `console-admin-${randomUUID()}@example.test`;
  const user = await admin().auth.createUser({ email, password: PASSWORD });
  await admin().auth.setCustomUserClaims(user.uid, { role: "admin" });
  return { uid: user.uid, email };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });

/** Signs in through the page's form with the keyboard only: type, Tab, type, Tab to the button, Enter. */
async function signInWithKeyboard(page: Page, email: string): Promise<void> {
  await page.goto(CONSOLE_URL);
  const emailBox = page.getByLabel("Email");
  await emailBox.waitFor();
  assert.equal(await emailBox.evaluate((element) => element === element.ownerDocument.activeElement), true, "the form starts focused on Email");
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate("document.activeElement.textContent"), "Sign in", "Tab reaches the sign-in button");
  await page.keyboard.press("Enter");
}

describe("operator console (headless Chromium)", () => {
  let browser: Browser;
  const clients: { close(): Promise<void> }[] = [];

  before(async () => {
    if (!CHROMIUM) {
      throw new Error("No Chromium found for the e2e tier: install Debian's `chromium` package (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.");
    }
    assert.ok(existsSync(join(BUNDLE, "index.html")), "the console is built (npm test builds it before the emulators start)");
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Loopback only, as everything in a local run: no name outside it resolves, no background fetches.
      args: ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
  });
  after(async () => {
    await resetStripeFailures();
    await browser?.close();
    await Promise.all(clients.map((c) => c.close()));
  });

  it("an admin signs in with the keyboard, sees a flagged order appear live, replays its dead letter and sees it resolved", { timeout: 300_000 }, async () => {
    const operator = await adminAccount();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(CONSOLE_URL);
    await page.getByLabel("Email").waitFor();
    await shot(page, "01-sign-in.png");
    await signInWithKeyboard(page, operator.email);
    await page.getByRole("heading", { name: "Orders needing attention" }).waitFor();
    assert.equal(await page.getByRole("main").count(), 1, "one main landmark");

    // A card order whose capture Stripe keeps refusing: five attempts, a dead letter, a flag.
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const order = await placedOrder(k, "card");
    await failStripe({ path: `/v1/payment_intents/${order.intentId}/capture`, status: 503, count: 1000 });
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });

    const flaggedRow = page.locator(`#attention tr[data-order="${order.orderId}"]`);
    await flaggedRow.waitFor({ timeout: FLAG_TIMEOUT_MS });
    assert.match(await flaggedRow.innerText(), /payment-settlement-failed/);
    const deadLetterId = (await admin().db.doc(`orders/${order.orderId}`).get()).get("attention.deadLetterId") as string;
    const letterRow = page.locator(`#dead-letters tr[data-letter="${deadLetterId}"]`);
    await letterRow.waitFor();
    assert.match(await letterRow.innerText(), /payments-settlePayment/);
    assert.match(await letterRow.locator("td.state").innerText(), /open/);
    // The numbers, refreshed: the accepted order counts in its state and its hour, its checkout in the p95.
    await page.getByRole("button", { name: "Refresh numbers" }).click();
    const accepted = page.getByRole("figure", { name: "Orders per state now" }).locator("li", { hasText: /^accepted/ }).locator(".value");
    await accepted.filter({ hasNotText: /^0$/ }).waitFor();
    assert.ok(Number(await accepted.innerText()) >= 1);
    assert.match(await page.locator('[data-metric="p95-checkout"]').innerText(), /\d.* over [1-9]\d* orders?/);
    await shot(page, "02-dashboard-flagged.png");

    await resetStripeFailures(); // the outage is over
    await flaggedRow.getByRole("button", { name: "Replay dead letter" }).click();
    await page.getByRole("status").filter({ hasText: `Dead letter ${deadLetterId} replayed` }).waitFor();
    // Live: the flag clears and the letter leaves the open list once the replayed task succeeds.
    await flaggedRow.waitFor({ state: "detached", timeout: 60_000 });
    await letterRow.waitFor({ state: "detached", timeout: 60_000 });
    const letter = await admin().db.doc(`deadLetters/${deadLetterId}`).get();
    assert.equal(letter.get("status"), "resolved");
    const audit = await admin().db.collection("auditLog").where("deadLetterId", "==", deadLetterId).get();
    assert.deepEqual(audit.docs.map((d) => [d.get("action"), d.get("actorUid")]), [["deadLetter.replayed", operator.uid]]);
    await shot(page, "03-dashboard-resolved.png");

    // The order's page: history, payment, its dead letter (resolved), notifications, trace.
    await page.goto(`${CONSOLE_URL}#/orders/${order.orderId}`);
    await page.locator('[data-field="payment"]', { hasText: "captured" }).waitFor();
    assert.match(await page.locator(`tr[data-letter="${deadLetterId}"] td.state`).innerText(), /resolved/);
    assert.match(await page.getByRole("table", { name: "History" }).innerText(), /placed[\s\S]*accepted/);
    await page.locator(".waterfall li").first().waitFor();
    assert.ok((await page.locator(".waterfall li").count()) > 1, "the trace shows the order's spans");
    await shot(page, "04-order-page.png");

    // Phone width: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(CONSOLE_URL);
    await page.getByRole("heading", { name: "Orders needing attention" }).waitFor();
    await page.getByRole("figure", { name: "Orders per hour today" }).waitFor();
    assert.ok(Number(await page.evaluate("document.documentElement.scrollWidth")) <= 390, "no horizontal scrolling at 390 px");
    await shot(page, "05-dashboard-phone.png");
    await page.close();
  });

  it("a force-cancel asks for confirmation; going back changes nothing, confirming cancels (audited)", { timeout: 120_000 }, async () => {
    const operator = await adminAccount();
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const order = await placedOrder(k, "cash");
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signInWithKeyboard(page, operator.email);
    await page.getByRole("heading", { name: "Orders needing attention" }).waitFor();
    await page.goto(`${CONSOLE_URL}#/orders/${order.orderId}`);
    const status = page.locator('[data-field="status"]');
    await status.filter({ hasText: "placed" }).waitFor();

    await page.getByRole("button", { name: "Force-cancel" }).click();
    const dialog = page.getByRole("dialog", { name: `Force-cancel order ${order.orderId}?` });
    await dialog.waitFor();
    await shot(page, "06-confirm-cancel.png");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("status").filter({ hasText: "not done" }).waitFor();
    assert.equal((await admin().db.doc(`orders/${order.orderId}`).get()).get("status"), "placed", "going back changed nothing");

    await page.getByRole("button", { name: "Force-cancel" }).click();
    await dialog.getByLabel("Reason").selectOption("customer-request");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await status.filter({ hasText: "cancelled" }).waitFor();
    const audit = await admin().db.collection("auditLog").where("orderId", "==", order.orderId).where("action", "==", "order.cancel").get();
    assert.equal(audit.size, 1);
    assert.equal(audit.docs[0].get("actorUid"), operator.uid);
    await page.close();
  });

  it("a customer who opens the console is refused by the rules, and by the callables", { timeout: 60_000 }, async () => {
    const email = `console-customer-${randomUUID()}@example.test`;
    const customer = await signUp(email, PASSWORD);
    clients.push(customer);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signInWithKeyboard(page, email);
    await page.getByRole("heading", { name: "Access refused" }).waitFor();
    assert.equal(await page.locator("code[data-code]").innerText(), "permission-denied", "Firestore's own answer");
    assert.equal(await page.locator("#attention").count(), 0, "no operator list is left on the page");
    await shot(page, "07-customer-refused.png");
    await page.close();

    const refused = await callError(customer.call(CALLABLES.replayDeadLetter, { deadLetterId: "anything" }));
    assert.equal(refused.code, "functions/permission-denied");
  });

  it("the bundle holds none of the local secret values", () => {
    const secrets = readFileSync(join(REPO, "functions", ".secret.local"), "utf8")
      .split("\n")
      .map((line) => /^\s*[A-Z][A-Z0-9_]*\s*=\s*(.+?)\s*$/.exec(line)?.[1])
      .filter((value): value is string => Boolean(value));
    assert.ok(secrets.length >= 4, "the secrets file was read");
    const files = readdirSync(BUNDLE, { recursive: true, encoding: "utf8" }).filter((file) => /\.(js|html|css|json|map)$/.test(file));
    assert.ok(files.some((file) => file.endsWith(".js")), "the bundle has its script");
    for (const file of files) {
      const text = readFileSync(join(BUNDLE, file), "utf8");
      for (const secret of secrets) assert.ok(!text.includes(secret), `${file} contains a secret from functions/.secret.local`);
    }
  });
});
