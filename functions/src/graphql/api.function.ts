import type { Request, Response } from "express";
import { onRequest } from "firebase-functions/v2/https";
import { GRAPHQL_BULKHEAD } from "../shared/bulkheads";
import { appCheckEnforced, catalogApiPerMinute, minAppVersion, stripeSecretKey } from "../shared/params";
import { pseudonymKey } from "../shared/pseudonym";

let serve: ((req: Request, res: Response) => unknown) | undefined;

/**
 * The GraphQL API. The server (and graphql itself) loads on the first request, so no other
 * function's cold start pays for it. It runs checkout, so it holds checkout's secrets.
 */
export const graphql = onRequest({ ...GRAPHQL_BULKHEAD, cors: true, secrets: [stripeSecretKey, pseudonymKey] }, async (req, res) => {
  if (!serve) {
    const yoga = (await import("./server.js")).createGraphqlServer({
      publicRateLimit: { max: catalogApiPerMinute.value(), windowSeconds: 60 },
      appCheckEnforced: () => appCheckEnforced.value(),
      minAppVersion: () => minAppVersion.value(),
    });
    serve = (request, response) => yoga(request, response);
  }
  await serve(req, res);
});
