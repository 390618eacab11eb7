/**
 * Calling the GraphQL API as the app does: POST (or GET) to `api-graphql` with the user's ID
 * token as `Authorization: Bearer`, and the shapes to compare its answers with the callables'.
 */
import { functionUrl, type AppClient } from "./emulators";

export interface GraphqlAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions: Record<string, unknown> }[];
}

export interface GraphqlRequest {
  query?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

/** POSTs `request` to `url` (the Functions emulator's `api-graphql` unless told), signed in as `client` if given. */
export async function graphql<T = Record<string, unknown>>(
  request: GraphqlRequest,
  options: { client?: AppClient; headers?: Record<string, string>; url?: string } = {},
): Promise<GraphqlAnswer<T>> {
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.client) headers.authorization = `Bearer ${await options.client.user.getIdToken()}`;
  const response = await fetch(options.url ?? functionUrl("api-graphql"), { method: "POST", headers, body: JSON.stringify(request) });
  const body = (await response.json()) as { data?: T | null; errors?: GraphqlAnswer["errors"] };
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
}

/** The one error of a GraphQL answer as a callable error compares: code, reason, fields. */
export function graphqlError(answer: GraphqlAnswer): { code: unknown; reason: unknown; fields: unknown } {
  if (answer.errors?.length !== 1) throw new Error(`Expected one error, got ${JSON.stringify(answer.errors ?? answer.data)}`);
  const { code, reason, fields } = answer.errors[0].extensions;
  return { code, reason, fields };
}

/** A callable's error as a GraphQL error compares (the SDK prefixes codes with `functions/`). */
export function callableError(error: { code: string; details: Record<string, unknown> }): { code: unknown; reason: unknown; fields: unknown } {
  return { code: error.code.replace(/^functions\//, ""), reason: error.details.reason, fields: error.details.fields };
}

/** `value` without null members (GraphQL answers null where JSON APIs leave a member out). */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)]));
}

const MONEY = "{ amount currency }";
const LINE = "{ itemId name quantity unitPrice modifiers { groupId optionId name priceDelta } lineTotal taxClass discountShare tax }";
export const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    orderId status payBefore correlationId
    breakdown { currency lines ${LINE} subtotal discount deliveryFee tax taxes { taxClass rateBps taxable tax } tip total distanceKm }
    payment { provider paymentIntentId paymentIntentClientSecret customerId customerEphemeralKeySecret }
  }
}`;

export const ORDER_FIELDS = `id status version restaurant { id name } lines ${LINE} total ${MONEY} paymentMethod createdAt history { at from to byKind why } courier { name } attention { reason }`;

const RESTAURANT = "id name cuisines location { lat lng } deliveryRadiusKm deliveryFee currency openNow imageUrl";
export const RESTAURANTS_NEAR = `query Near($lat: Float!, $lng: Float!, $first: Int, $after: String, $cuisine: String, $openNow: Boolean, $name: String) {
  restaurantsNear(lat: $lat, lng: $lng, first: $first, after: $after, cuisine: $cuisine, openNow: $openNow, name: $name) {
    edges { node { ${RESTAURANT} distanceKm } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const MENU = `query Menu($restaurantId: ID!) {
  menu(restaurantId: $restaurantId) {
    restaurant { ${RESTAURANT} description address openingHours }
    categories { id name position items { id name description price ${MONEY} available tracksStock taxClass imageUrls
      modifierGroups { id name minSelect maxSelect options { id name priceDelta available } } } }
  }
}`;
