/**
 * Bulkheads: how much of the platform each kind of work may hold, so that one kind cannot starve
 * another. Checkout is what customers wait on; promotions are never in a hurry. A 10,000-person
 * broadcast is 40 batches of 250 (BROADCAST_BATCH_SIZE) that Cloud Tasks hands out one at a time,
 * at most two a second, to at most two instances that take one batch each: it can never hold more
 * than two CPUs, nor write more than about 500 ledger documents a second, however large the
 * audience, while checkout may grow to 100 instances of 80 requests. Everything else keeps the
 * global options (index.ts). The README's bulkhead table lists what each function deploys with;
 * a unit test keeps it in step with the code.
 */

/** checkout-placeOrder: 80 checkouts per instance on a whole CPU, room for 8,000 at once. */
export const CHECKOUT_BULKHEAD = { concurrency: 80, cpu: 1, memory: "512MiB", maxInstances: 100 } as const;

/** notifications-startBroadcast: an admin's occasional call; it only writes the plan and the first task. */
export const BROADCAST_START_BULKHEAD = { maxInstances: 2 } as const;

/**
 * notifications-broadcastBatch: one batch per instance (a batch holds 250 people's messages in
 * memory and sends them in sendEach calls), never more than two instances.
 */
export const BROADCAST_BATCH_BULKHEAD = { concurrency: 1, cpu: 1, memory: "512MiB", maxInstances: 2 } as const;

/** The broadcast queue: one batch at a time, at most two a second (FCM and Twilio quotas are shared with order updates). */
export const BROADCAST_QUEUE_LIMITS = { maxConcurrentDispatches: 1, maxDispatchesPerSecond: 2 } as const;

/**
 * notifications-deliver: one person's order update each. Fifty in flight, a hundred a second:
 * order updates go ahead of promotions, within the providers' quotas.
 */
export const DELIVER_BULKHEAD = { maxInstances: 10 } as const;
export const DELIVER_QUEUE_LIMITS = { maxConcurrentDispatches: 50, maxDispatchesPerSecond: 100 } as const;

/**
 * api-graphql: requests as many as checkout per instance; a subscription stream holds one of the
 * 80 slots for as long as it lasts (at most STREAM_MAX_MINUTES, inside the hour an HTTP function
 * may run), so the instance count bounds streams too.
 */
export const GRAPHQL_BULKHEAD = { concurrency: 80, cpu: 1, memory: "512MiB", maxInstances: 20, timeoutSeconds: 3600 } as const;
