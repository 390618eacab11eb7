/**
 * Resolvers: thin over the services. Mutations run the callables' own spec and implementation
 * through the gateway; reads run reads.service.ts's the same way; public catalog reads run the
 * catalog API's services. What a list points at is loaded in one batch per request (loaders).
 */
import DataLoader from "dataloader";
import type { Request, Response } from "express";
import { GraphQLScalarType } from "graphql";
import { Repeater, type YogaInitialContext } from "graphql-yoga";
import { updateProfileCall } from "../auth/update-profile.function";
import { placeOrderCall } from "../checkout/place-order.function";
import { registerDeviceCall } from "../notifications/register-device.function";
import { cancelOrderCall } from "../orders/cancel-order.function";
import { restaurantActionCall } from "../orders/restaurant-action.function";
import { COLLECTIONS } from "../shared/collections";
import { DomainError, permissionDenied } from "../shared/errors";
import { db } from "../shared/firebase";
import { LocalRateLimiter } from "../shared/rate-limit";
import { clientAddress } from "../shared/client-address";
import { createCatalogReads, type RestaurantsNearArgs } from "./catalog.service";
import { runCall, toGraphqlError, type RequestIdentity } from "./gateway";
import {
  deadLettersRead,
  flaggedOrdersRead,
  mayReadOrder,
  meRead,
  orderRead,
  orderView,
  orderWatch,
  readDevices,
  readOrdersPage,
  readProfile,
  restaurantOpenOrdersRead,
  type OrderView,
} from "./reads.service";
import type { GraphqlServerOptions } from "./server";

/** A subscription stream ends after this long; the app reconnects or, better, listens to Firestore. */
export const STREAM_MAX_MINUTES = 55;

export interface RestaurantRef {
  id: string;
  name: string;
  imageUrl: string | null;
}

/** Per request: each restaurant an order list names is read once, all of them in one `getAll`. */
export function createLoaders() {
  return {
    restaurants: new DataLoader<string, RestaurantRef | null>(async (ids) => {
      const docs = await db().getAll(...ids.map((id) => db().collection(COLLECTIONS.restaurants).doc(id)));
      return docs.map((d) => (d.exists ? { id: d.id, name: d.get("name") as string, imageUrl: (d.get("imageUrl") as string | undefined) ?? null } : null));
    }),
    profile: new DataLoader<string, Awaited<ReturnType<typeof readProfile>>>(async (uids) => Promise.all(uids.map(readProfile))),
  };
}

/** What the server adds to each request's context. */
export interface RequestContext {
  identity: RequestIdentity;
  loaders: ReturnType<typeof createLoaders>;
}

export type GraphqlContext = RequestContext & YogaInitialContext & { req: Request; res: Response };

/** Runs a resolver's work, answering any failure in the callables' error model. */
async function guarded<T>(context: GraphqlContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toGraphqlError(error, context.identity.correlationId);
  }
}

/** Opening hours and other nested data the app renders as they are. */
const JSON_SCALAR = new GraphQLScalarType({
  name: "JSON",
  serialize: (value) => value,
  parseValue: (value) => value,
});

export function createResolvers(options: GraphqlServerOptions) {
  const catalog = createCatalogReads(options.cacheTtlMs ?? 30_000, options.now ?? (() => new Date()));
  const publicLimiter = options.publicRateLimit === "none" ? undefined : new LocalRateLimiter(options.publicRateLimit);

  /** The catalog API's guards for a public read: App Check when enforced, the limit per client address. */
  function guardPublic(context: GraphqlContext): void {
    if (options.appCheckEnforced() && !context.identity.app) {
      throw new DomainError("unauthenticated", "This app could not be verified.", { reason: "app-check-required" });
    }
    publicLimiter?.consume(`ip:${clientAddress(context.identity.req)}`);
  }

  const connection = <T>(items: T[], nextCursor: string | null) => ({
    edges: items.map((node) => ({ node })),
    pageInfo: { hasNextPage: nextCursor !== null, endCursor: nextCursor },
  });

  return {
    JSON: JSON_SCALAR,
    Query: {
      restaurantsNear: (_: unknown, args: RestaurantsNearArgs, context: GraphqlContext) =>
        guarded(context, async () => {
          guardPublic(context);
          const page = await catalog.restaurantsNear(args);
          return connection(page.restaurants, page.nextCursor);
        }),
      menu: (_: unknown, args: { restaurantId: string }, context: GraphqlContext) =>
        guarded(context, async () => {
          guardPublic(context);
          return catalog.menu(args.restaurantId);
        }),
      me: (_: unknown, _args: unknown, context: GraphqlContext) => runCall(context.identity, meRead, {}),
      order: (_: unknown, args: { id: string }, context: GraphqlContext) => runCall(context.identity, orderRead, args),
      restaurantOpenOrders: (_: unknown, args: { restaurantId: string; first?: number }, context: GraphqlContext) =>
        runCall(context.identity, restaurantOpenOrdersRead, args),
      deadLetters: (_: unknown, args: { status?: string; first?: number }, context: GraphqlContext) => runCall(context.identity, deadLettersRead, args),
      flaggedOrders: (_: unknown, args: { first?: number }, context: GraphqlContext) => runCall(context.identity, flaggedOrdersRead, args),
    },
    Me: {
      profile: (me: { uid: string }, _: unknown, context: GraphqlContext) => guarded(context, async () => (await context.loaders.profile.load(me.uid)).profile),
      preferences: (me: { uid: string }, _: unknown, context: GraphqlContext) => guarded(context, async () => (await context.loaders.profile.load(me.uid)).preferences),
      devices: (me: { uid: string }, _: unknown, context: GraphqlContext) => guarded(context, () => readDevices(me.uid)),
      orders: (me: { caller: Parameters<typeof readOrdersPage>[0] }, args: { first?: number; after?: string | null }, context: GraphqlContext) =>
        guarded(context, () => readOrdersPage(me.caller, args)),
    },
    Order: {
      restaurant: (order: OrderView, _: unknown, context: GraphqlContext) =>
        guarded(context, async () => (await context.loaders.restaurants.load(order.restaurantId)) ?? { id: order.restaurantId, name: order.restaurantName ?? "", imageUrl: null }),
    },
    Mutation: {
      placeOrder: (_: unknown, args: { input: unknown }, context: GraphqlContext) => runCall(context.identity, placeOrderCall, args.input),
      cancelOrder: (_: unknown, args: { input: unknown }, context: GraphqlContext) => runCall(context.identity, cancelOrderCall, args.input),
      updateProfile: (_: unknown, args: { input: unknown }, context: GraphqlContext) => runCall(context.identity, updateProfileCall, args.input),
      registerDevice: (_: unknown, args: { input: unknown }, context: GraphqlContext) => runCall(context.identity, registerDeviceCall, args.input),
      restaurantOrderAction: (_: unknown, args: { input: unknown }, context: GraphqlContext) => runCall(context.identity, restaurantActionCall, args.input),
    },
    Subscription: {
      orderUpdated: {
        // Authorized as `order(id)`, then one Firestore listener per stream, closed with it.
        subscribe: async (_: unknown, args: { id: string }, context: GraphqlContext) => {
          const { caller } = await runCall(context.identity, orderWatch, args);
          return new Repeater<{ orderUpdated: OrderView }>(async (push, stop) => {
            const unsubscribe = db()
              .collection(COLLECTIONS.orders)
              .doc(args.id)
              .onSnapshot(
                (snapshot) => {
                  if (!snapshot.exists || !mayReadOrder(snapshot.data()!, caller)) {
                    stop(toGraphqlError(permissionDenied("This is not your order.", "not-your-order"), context.identity.correlationId));
                  } else {
                    void push({ orderUpdated: orderView(snapshot, caller) });
                  }
                },
                (error) => stop(toGraphqlError(error, context.identity.correlationId)),
              );
            const timer = setTimeout(() => stop(), STREAM_MAX_MINUTES * 60_000);
            await stop;
            clearTimeout(timer);
            unsubscribe();
          });
        },
      },
    },
  };
}
