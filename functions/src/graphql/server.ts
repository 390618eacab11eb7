/**
 * The GraphQL server (GraphQL Yoga) behind `api-graphql`: the schema-first SDL in
 * schema.graphql, the resolvers (resolvers.ts), and what guards and shapes a request:
 * query depth and cost limits, automatic persisted queries, cache headers, and server-sent
 * events for subscriptions (Yoga's own). Built on the first request, never at module load.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { useAPQ } from "@graphql-yoga/plugin-apq";
import type { Request, Response } from "express";
import { GraphQLError, Kind, type DocumentNode, type ValidationContext } from "graphql";
import { createSchema, createYoga, type Plugin } from "graphql-yoga";
import { LIST_CACHE, MENU_CACHE } from "../catalog/browse.service";
import type { RateLimit } from "../shared/rate-limit";
import { firebaseVerifiers, identify, type TokenVerifiers } from "./gateway";
import { createLoaders, createResolvers, type GraphqlContext, type RequestContext } from "./resolvers";

/**
 * The deepest path of the schema (me → orders → edges → node → lines → modifiers → name) is 7:
 * a cycle added to the schema later stays bounded.
 */
export const MAX_DEPTH = 7;
/** graphql-armor's cost (objects and scalars, weighted by depth): the app's `me` screen with its orders costs about 3,100. */
export const MAX_COST = 5000;

/** The depth and cost rules' options; fragments count as the fields they spread, not as a level. */
export function queryLimits({ maxDepth, maxCost } = { maxDepth: MAX_DEPTH, maxCost: MAX_COST }) {
  return { depth: { n: maxDepth, flattenFragments: true }, cost: { maxCost, flattenFragments: true } };
}

/** Root fields that read only the public catalog: their answers may be cached by anyone. */
const PUBLIC_FIELDS: Record<string, { maxAgeSeconds: number; sharedMaxAgeSeconds: number }> = {
  restaurantsNear: LIST_CACHE,
  menu: MENU_CACHE,
};
const PRIVATE = "private, no-store";

export interface GraphqlServerOptions {
  /** The public catalog reads' limit per client address (CATALOG_API_PER_MINUTE); `none` for tests and benchmarks. */
  publicRateLimit: RateLimit | "none";
  /** APP_CHECK_ENFORCED, for the public catalog reads (everything else follows the callables' specs). */
  appCheckEnforced: () => boolean;
  /** MIN_APP_VERSION, read per request, held against the `X-App-Version` header; off when not given (tests, benchmarks). */
  minAppVersion?: () => string;
  /** How long an instance reuses catalog reads; 0 disables (tests counting reads). */
  cacheTtlMs?: number;
  verifiers?: TokenVerifiers;
  now?: () => Date;
  /** MAX_DEPTH and MAX_COST unless given (tests). */
  limits?: { maxDepth: number; maxCost: number };
}

/**
 * The schema-first SDL: src/'s when the source is there (the local stack builds with tsc alone,
 * so a copy an earlier `npm run build` left in lib/ may be stale), else the copy beside the
 * built module (deployed: src/ is not uploaded).
 */
export function loadSdl(): string {
  // dirname(__filename), not __dirname: tsx gives ES-module importers (the benchmarks) only the former.
  const here = dirname(__filename);
  const candidates = [join(here, "..", "..", "src", "graphql", "schema.graphql"), join(here, "schema.graphql")];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`schema.graphql not found in ${candidates.join(" or ")}`);
  return readFileSync(found, "utf8");
}

export function createGraphqlServer(options: GraphqlServerOptions) {
  const verifiers = options.verifiers ?? firebaseVerifiers;
  const resolvers = createResolvers(options);
  const limits = queryLimits(options.limits);
  return createYoga<{ req: Request; res: Response }, RequestContext>({
    schema: createSchema<GraphqlContext>({ typeDefs: loadSdl(), resolvers }),
    graphqlEndpoint: "/",
    graphiql: false,
    landingPage: false,
    // Errors resolvers did not map are internal: nothing of their message reaches the client.
    maskedErrors: true,
    context: async ({ req }) => ({ identity: await identify(req, verifiers, options.minAppVersion?.()), loaders: createLoaders() }),
    plugins: [
      useAPQ(),
      maxDepthPlugin({ ...limits.depth, exposeLimits: true, propagateOnRejection: false, onReject: [refuse("query-too-deep")] }),
      costLimitPlugin({ ...limits.cost, exposeLimits: true, propagateOnRejection: false, onReject: [refuse("query-too-costly")] }),
      cacheHeaders(),
    ],
  });
}

/** A refused document, in the callables' error model: `invalid-argument` with a reason. */
function refuse(reason: string) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(new GraphQLError(error.message, { extensions: { code: "invalid-argument", reason } }));
  };
}

/**
 * `Cache-Control: public` for a successful query of public catalog fields only, sent without
 * credentials (the shortest lifetime of its fields); `private, no-store` for everything else.
 */
function cacheHeaders(): Plugin<GraphqlContext> {
  const cacheable = new WeakMap<object, string>();
  return {
    onExecute({ args }) {
      const policy = publicPolicy(args.document, args.operationName ?? undefined);
      if (!policy || args.contextValue.identity.auth || args.contextValue.identity.req.headers.authorization) return undefined;
      return {
        onExecuteDone({ result }) {
          if (!("errors" in result && result.errors?.length)) cacheable.set(args.contextValue.request, policy);
        },
      };
    },
    onResponse({ request, response }) {
      response.headers.set("Cache-Control", (response.status === 200 && cacheable.get(request)) || PRIVATE);
    },
  };
}

function publicPolicy(document: DocumentNode, operationName: string | undefined): string | undefined {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operations.find((o) => !operationName || o.name?.value === operationName);
  if (!operation || operation.operation !== "query") return undefined;
  let maxAge = Infinity;
  let sharedMaxAge = Infinity;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return undefined;
    if (selection.name.value === "__typename") continue;
    const cache = PUBLIC_FIELDS[selection.name.value];
    if (!cache) return undefined;
    maxAge = Math.min(maxAge, cache.maxAgeSeconds);
    sharedMaxAge = Math.min(sharedMaxAge, cache.sharedMaxAgeSeconds);
  }
  return Number.isFinite(maxAge) ? `public, max-age=${maxAge}, s-maxage=${sharedMaxAge}` : undefined;
}
