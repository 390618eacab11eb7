/**
 * The GraphQL schema and the app's operations, offline: the SDL builds, every operation the app
 * sends (packages/client/graphql/operations.graphql) is valid against it and within the server's
 * depth and cost limits, and every root field has a resolver.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { buildSchema, Kind, parse, specifiedRules, validate, type GraphQLError } from "graphql";
import { createResolvers } from "../../src/graphql/resolvers";
import { loadSdl, queryLimits } from "../../src/graphql/server";

const OPERATIONS = join(__dirname, "..", "..", "..", "packages", "client", "graphql", "operations.graphql");

describe("GraphQL schema", () => {
  const schema = buildSchema(loadSdl());

  it("every operation of the app is valid and within the depth and cost limits", () => {
    const document = parse(readFileSync(OPERATIONS, "utf8"));
    const refusals: string[] = [];
    const limits = queryLimits();
    const collect = [(_context: unknown, error: GraphQLError) => refusals.push(error.message)];
    const errors = validate(schema, document, [
      ...specifiedRules,
      maxDepthRule({ ...limits.depth, propagateOnRejection: false, onReject: collect }),
      costLimitRule({ ...limits.cost, propagateOnRejection: false, onReject: collect }),
    ]);
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.deepEqual(refusals, []);
    const names = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
    for (const name of ["RestaurantsNear", "Menu", "Me", "OrderDetails", "PlaceOrder", "CancelOrder", "UpdateProfile", "RegisterDevice", "OrderUpdated"]) {
      assert.ok(names.includes(name), `operations.graphql has ${name}`);
    }
  });

  it("every root field has a resolver", () => {
    const resolvers = createResolvers({ publicRateLimit: "none", appCheckEnforced: () => false }) as unknown as Record<string, Record<string, unknown>>;
    for (const [type, root] of [["Query", schema.getQueryType()], ["Mutation", schema.getMutationType()], ["Subscription", schema.getSubscriptionType()]] as const) {
      for (const field of Object.keys(root!.getFields())) assert.ok(resolvers[type]?.[field], `${type}.${field} has a resolver`);
    }
  });
});
