/**
 * An app's journey, written as the React Native app writes it: the `firebase` JS SDK for Auth,
 * callables and Firestore listeners, and `@food-delivery/client` (the built package) for every
 * name, request, response and document shape. Nothing here imports backend code.
 *
 *   sign up -> verify a phone -> opt in to promotions -> browse (catalog API) -> check out cash
 *   (call) -> follow the order (onSnapshot) while the restaurant's app accepts and prepares it
 *
 * and again through GraphQL (the package's typed documents, sent with fetch: graphql-client.ts):
 *
 *   restaurants near home -> a menu -> placeOrder (sent twice with one idempotency key) -> follow
 *   the order with the orderUpdated subscription beside a listener -> `me` with its orders
 */
import { randomUUID } from "node:crypto";
import { deleteApp, initializeApp, type FirebaseApp } from "firebase/app";
import {
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  getAuth,
  signInWithEmailAndPassword,
  type Auth,
} from "firebase/auth";
import { connectFirestoreEmulator, doc, getFirestore, onSnapshot, type Firestore } from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions, httpsCallable, type Functions } from "firebase/functions";
import {
  APP_VERSION_HEADER,
  APP_VERSION_KEY,
  createCall,
  InvalidRequestError,
  isErrorReason,
  ListRestaurantsResponse,
  MeDocument,
  MenuDocument,
  MenuResponse,
  nextOrderStates,
  ORDER_STATES,
  OrderDocument,
  OrderUpdatedDocument,
  PlaceOrderDocument,
  RestaurantsNearDocument,
  type Address,
  type PlaceOrderInput,
  type CallableName,
  type CallableRequest,
  type CallableResponse,
  type CheckoutRequest,
  type OrderState,
} from "@food-delivery/client";
import { graphqlClient } from "./graphql-client.js";

/** Where the emulators listen: `host:port` each. */
export interface Emulators {
  projectId: string;
  auth: string;
  firestore: string;
  functions: string;
}

/** The restaurant app's account (demo data: staff of `restaurantId`). */
export interface Restaurant {
  restaurantId: string;
  staffEmail: string;
  staffPassword: string;
}

export interface JourneyResult {
  uid: string;
  restaurantsSeen: number;
  orderId: string;
  correlationId: string;
  /** Every status the customer's listener saw, in order. */
  statuses: OrderState[];
  /** What the customer may still do to the order at the end (the cancel button). */
  customerMoves: OrderState[];
  /** The fields of a checkout the contract refused before sending it. */
  refusedFields: string[];
  /** The contract version the checkout carried. */
  sentVersion: unknown;
  graphql: GraphqlLegResult;
}

/** What the GraphQL leg saw. */
export interface GraphqlLegResult {
  restaurantsSeen: number;
  menuItems: number;
  orderId: string;
  /** What placeOrder answered when sent again with the same idempotency key. */
  replayedOrderId: string;
  /** Every status the orderUpdated subscription streamed, in order. */
  streamed: OrderState[];
  /** Every status the Firestore listener saw of the same order, in order. */
  listened: OrderState[];
  /** The signed-in user and the order's status as `me` answers them at the end. */
  meUid: string;
  meOrderStatus: string | undefined;
  /** The X-App-Version values the GraphQL requests carried. */
  sentVersions: (string | undefined)[];
}

/** What the app sent last, as an app's network log would keep it. */
const sent: Record<string, unknown>[] = [];
const call = createCall((functions: Functions, name: string) => {
  const callable = httpsCallable(functions, name);
  return (data: unknown) => (sent.push(data as Record<string, unknown>), callable(data));
});
/** Madrid, Puerta del Sol: inside the demo restaurants' delivery area. */
const HOME: Address = {
  id: "home",
  label: "Home",
  line1: "Puerta del Sol 1",
  city: "Madrid",
  postalCode: "28013",
  country: "ES",
  location: { lat: 40.4168, lng: -3.7038 },
};

interface Client {
  app: FirebaseApp;
  auth: Auth;
  functions: Functions;
  firestore: Firestore;
}

function client(emulators: Emulators): Client {
  const app = initializeApp({ projectId: emulators.projectId, apiKey: "demo-api-key", authDomain: `${emulators.projectId}.firebaseapp.com` }, randomUUID());
  const auth = getAuth(app);
  connectAuthEmulator(auth, `http://${emulators.auth}`, { disableWarnings: true });
  const functions = getFunctions(app, "us-central1");
  const [functionsHost, functionsPort] = emulators.functions.split(":");
  connectFunctionsEmulator(functions, functionsHost, Number(functionsPort));
  const firestore = getFirestore(app);
  const [firestoreHost, firestorePort] = emulators.firestore.split(":");
  connectFirestoreEmulator(firestore, firestoreHost, Number(firestorePort));
  return { app, auth, functions, firestore };
}

/**
 * `call`, as the app wraps it: an answer of `session-revoked` means "sign in again", after which
 * the call is made once more. (A brand-new account can meet it: the Auth emulator may date the
 * first session a moment before the account's tokens-valid-after time.)
 */
async function callSignedIn<N extends CallableName>(
  user: Client,
  signInAgain: () => Promise<unknown>,
  name: N,
  request: CallableRequest<N>,
): Promise<CallableResponse<N>> {
  try {
    return await call(user.functions, name, request);
  } catch (error) {
    if (!isErrorReason((error as { details?: { reason?: unknown } }).details?.reason) || (error as { details: { reason: string } }).details.reason !== "session-revoked") throw error;
    await signInAgain();
    return call(user.functions, name, request);
  }
}

/**
 * Links a phone number to the signed-in user the way the SDK's phone sign-in does, with the Auth
 * emulator standing in for the SMS: it is asked for a code (reCAPTCHA is a browser's part) and
 * shows the code it "sent", which the user types into the app. (On a phone, the native SDK does
 * this with `verifyPhoneNumber` and `linkWithCredential`.)
 */
async function verifyPhone(user: Client, emulators: Emulators, phoneNumber: string): Promise<void> {
  const base = `http://${emulators.auth}`;
  const sent = await fetch(`${base}/identitytoolkit.googleapis.com/v1/accounts:sendVerificationCode?key=demo-api-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ phoneNumber }),
  });
  const { sessionInfo } = (await sent.json()) as { sessionInfo: string };
  const codes = (await (await fetch(`${base}/emulator/v1/projects/${emulators.projectId}/verificationCodes`)).json()) as {
    verificationCodes: { sessionInfo: string; code: string }[];
  };
  const code = codes.verificationCodes.find((c) => c.sessionInfo === sessionInfo)?.code;
  if (!code) throw new Error("The Auth emulator sent no code.");
  // What `linkWithCredential(user, PhoneAuthProvider.credential(sessionInfo, code))` sends; the
  // SDK's Node build has no phone sign-in, so the request is made as the SDK would make it.
  const linked = await fetch(`${base}/identitytoolkit.googleapis.com/v1/accounts:signInWithPhoneNumber?key=demo-api-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sessionInfo, code, idToken: await user.auth.currentUser!.getIdToken() }),
  });
  if (!linked.ok) throw new Error(`Linking the phone failed: ${linked.status} ${await linked.text()}`);
  // The next ID token carries the verified number; the profile mirrors it.
  await user.auth.currentUser!.getIdToken(true);
}

async function getJson(url: string): Promise<unknown> {
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(`GET ${url}: ${answer.status}`);
  return answer.json();
}

/** A line the menu accepts as it is: the first option of every group that needs one. */
function lineFor(menu: MenuResponse): CheckoutRequest["lines"][number] {
  const item = menu.categories.flatMap((c) => c.items).find((i) => i.available && !i.tracksStock);
  if (!item) throw new Error(`${menu.restaurant.name} has nothing to order.`);
  const modifiers = item.modifierGroups.filter((g) => g.minSelect > 0).map((g) => ({ groupId: g.id, optionIds: g.options.slice(0, g.minSelect).map((o) => o.id) }));
  return { itemId: item.id, quantity: 1, modifiers };
}

/**
 * Listens to the order: `shown` once the first snapshot is on screen, `reached` with every status
 * seen once the order is `until`; rejects on a snapshot that breaks the contract.
 */
function follow(user: Client, orderId: string, until: OrderState, timeoutMs: number): { shown: Promise<void>; reached: Promise<OrderState[]> } {
  const seen: OrderState[] = [];
  let onShown: () => void = () => undefined;
  const shown = new Promise<void>((resolve) => (onShown = resolve));
  const reached = new Promise<OrderState[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`order ${orderId} did not reach ${until}; saw ${seen.join(", ")}`));
    }, timeoutMs);
    const stop = onSnapshot(
      doc(user.firestore, "orders", orderId),
      (snapshot) => {
        if (!snapshot.exists()) return;
        const parsed = OrderDocument.safeParse(snapshot.data());
        if (!parsed.success) {
          clearTimeout(timer);
          stop();
          reject(new Error(`orders/${orderId} does not match OrderDocument: ${parsed.error.message}`));
          return;
        }
        if (seen.at(-1) !== parsed.data.status) seen.push(parsed.data.status);
        onShown();
        if (parsed.data.status === until) {
          clearTimeout(timer);
          stop();
          resolve(seen);
        }
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
  return { shown, reached };
}

/** GraphQL types an order's status as a String; the contract knows the states. */
const isOrderState = (status: string): status is OrderState => (ORDER_STATES as readonly string[]).includes(status);

/**
 * The GraphQL leg: browse, order and follow through api-graphql, with the package's typed
 * documents: variables and answers are typed by the operations, nothing is cast. The restaurant's
 * app moves the order with its callables meanwhile.
 */
async function graphqlLeg(customer: Client, kitchen: Client, emulators: Emulators, restaurant: Restaurant): Promise<GraphqlLegResult> {
  const sentVersions = new Set<string | undefined>();
  const gql = graphqlClient(
    `http://${emulators.functions}/${emulators.projectId}/us-central1/api-graphql`,
    () => customer.auth.currentUser!.getIdToken(),
    (headers) => sentVersions.add(headers[APP_VERSION_HEADER]),
  );
  const { lat, lng } = HOME.location;
  const { restaurantsNear } = await gql.request(RestaurantsNearDocument, { lat, lng, openNow: true, first: 20 });
  const chosen = restaurantsNear.edges.map((edge) => edge.node).find((r) => r.id === restaurant.restaurantId);
  if (!chosen?.openNow) throw new Error(`GraphQL: ${restaurant.restaurantId} is not among the open restaurants nearby.`);
  const { menu } = await gql.request(MenuDocument, { restaurantId: chosen.id });
  const items = menu.categories.flatMap((c) => c.items);
  const item = items.find((i) => i.available && !i.tracksStock);
  if (!item) throw new Error(`GraphQL: ${menu.restaurant.name} has nothing to order.`);
  const modifiers = item.modifierGroups.filter((g) => g.minSelect > 0).map((g) => ({ groupId: g.id, optionIds: g.options.slice(0, g.minSelect).map((o) => o.id) }));

  const input: PlaceOrderInput = { restaurantId: chosen.id, lines: [{ itemId: item.id, quantity: 1, modifiers }], deliveryAddress: HOME, paymentMethod: "cash", idempotencyKey: randomUUID() };
  const { placeOrder } = await gql.request(PlaceOrderDocument, { input });
  // A retry after a lost answer sends the same key, and gets the same order back.
  const replayed = await gql.request(PlaceOrderDocument, { input });

  // Follow it both ways at once: the subscription (stopping at preparing) and the listener.
  const streamed: OrderState[] = [];
  let onFirstEvent: () => void = () => undefined;
  const firstEvent = new Promise<void>((resolve) => (onFirstEvent = resolve));
  const subscription = gql.subscribe(
    OrderUpdatedDocument,
    { id: placeOrder.orderId },
    ({ orderUpdated }) => {
      if (!isOrderState(orderUpdated.status)) throw new Error(`GraphQL: unknown order status ${orderUpdated.status}`);
      if (streamed.at(-1) !== orderUpdated.status) streamed.push(orderUpdated.status);
      onFirstEvent();
      return orderUpdated.status === "preparing";
    },
    30_000,
  );
  const listening = follow(customer, placeOrder.orderId, "preparing", 30_000);
  await Promise.race([Promise.all([firstEvent, listening.shown]), subscription, listening.reached]);
  await call(kitchen.functions, "restaurantOrderAction", { orderId: placeOrder.orderId, action: "accept" });
  await call(kitchen.functions, "restaurantOrderAction", { orderId: placeOrder.orderId, action: "preparing" });
  const [, listened] = await Promise.all([subscription, listening.reached]);

  const { me } = await gql.request(MeDocument, { ordersFirst: 5 });
  return {
    restaurantsSeen: restaurantsNear.edges.length,
    menuItems: items.length,
    orderId: placeOrder.orderId,
    replayedOrderId: replayed.placeOrder.orderId,
    streamed,
    listened,
    meUid: me.profile.uid,
    meOrderStatus: me.orders.edges.find((edge) => edge.node.id === placeOrder.orderId)?.node.status,
    sentVersions: [...sentVersions],
  };
}

export async function runJourney(emulators: Emulators, restaurant: Restaurant, phoneNumber: string): Promise<JourneyResult> {
  const customer = client(emulators);
  const kitchen = client(emulators);
  try {
    // Sign up.
    const email = `app-${randomUUID()}@example.test`;
    const password = "correct-horse-battery";
    await createUserWithEmailAndPassword(customer.auth, email, password);
    const signInAgain = () => signInWithEmailAndPassword(customer.auth, email, password);
    await verifyPhone(customer, emulators, phoneNumber);
    const synced = await callSignedIn(customer, signInAgain, "syncPhone", {});
    if (!synced.phoneVerified) throw new Error("The profile did not take the verified phone.");
    // Opt in to promotions by push (the settings screen); the answer is the whole preferences.
    const preferences = await callSignedIn(customer, signInAgain, "updateNotificationPreferences", { channels: { promotions: { push: true, sms: false } } });
    if (!preferences.channels.promotions.push) throw new Error("The preferences did not change.");

    // Browse: the public catalog API, answers parsed with the package's schemas.
    const api = `http://${emulators.functions}/${emulators.projectId}/us-central1/catalog-api/v1`;
    const { lat, lng } = HOME.location;
    const list = ListRestaurantsResponse.parse(await getJson(`${api}/restaurants?lat=${lat}&lng=${lng}&openNow=true&limit=50`));
    const chosen = list.restaurants.find((r) => r.id === restaurant.restaurantId);
    if (!chosen?.openNow) throw new Error(`${restaurant.restaurantId} is not among the open restaurants nearby.`);
    const menu = MenuResponse.parse(await getJson(`${api}/restaurants/${chosen.id}/menu`));

    // Check out, cash: the request is checked against the contract before it is sent, so an
    // empty cart never leaves the phone.
    const checkout: CallableRequest<"placeOrder"> = { restaurantId: chosen.id, lines: [lineFor(menu)], deliveryAddress: HOME, paymentMethod: "cash", idempotencyKey: randomUUID() };
    const sentBefore = sent.length;
    const refusedFields = await call(customer.functions, "placeOrder", { ...checkout, lines: [] }).then(
      () => [],
      (error: unknown) => (error instanceof InvalidRequestError ? error.details.fields.map((f) => f.path) : Promise.reject(error)),
    );
    if (sent.length !== sentBefore) throw new Error("A request the contract refuses was sent.");
    const placed = await callSignedIn(customer, signInAgain, "placeOrder", checkout);
    const sentVersion = sent.at(-1)?.[APP_VERSION_KEY];

    // Follow the order while the restaurant's app moves it.
    const following = follow(customer, placed.orderId, "preparing", 30_000);
    await Promise.race([following.shown, following.reached]);
    await signInWithEmailAndPassword(kitchen.auth, restaurant.staffEmail, restaurant.staffPassword);
    await call(kitchen.functions, "restaurantOrderAction", { orderId: placed.orderId, action: "accept" });
    await call(kitchen.functions, "restaurantOrderAction", { orderId: placed.orderId, action: "preparing" });
    const statuses = await following.reached;

    // The same journey through GraphQL; the kitchen is signed in already.
    const graphql = await graphqlLeg(customer, kitchen, emulators, restaurant);

    return {
      uid: customer.auth.currentUser!.uid,
      restaurantsSeen: list.restaurants.length,
      orderId: placed.orderId,
      correlationId: placed.correlationId,
      statuses,
      customerMoves: nextOrderStates(statuses.at(-1)!, "customer"),
      refusedFields,
      sentVersion,
      graphql,
    };
  } finally {
    await Promise.all([deleteApp(customer.app), deleteApp(kitchen.app)]);
  }
}
