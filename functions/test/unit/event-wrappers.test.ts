/**
 * The event wrappers (shared/subscriber.ts, firestore-trigger.ts, task-handler.ts,
 * auth-trigger.ts) and the callable registration (callable.ts), run offline through
 * firebase-functions-test's `wrap()`: the deployed function objects, given made-up events, with
 * the work stubbed and dead letters caught by a stand-in. What they decide on their own (parsing,
 * validation and dead letters, correlation id and trace propagation, retry or give up, early
 * tasks) needs no emulator; the integration tier keeps what needs one.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import functionsTest from "firebase-functions-test";
import { HttpsError } from "firebase-functions/v2/https";
import { Message } from "firebase-functions/v2/pubsub";
import { z } from "zod";
import { defineUserCreated } from "../../src/shared/auth-trigger";
import { defineCallable } from "../../src/shared/callable";
import { currentContext, type WorkContext } from "../../src/shared/context";
import type { DeadLetter } from "../../src/shared/dead-letters";
import { failedPrecondition } from "../../src/shared/errors";
import { RetryLater, type EventDeps } from "../../src/shared/event-handler";
import { defineDocumentCreated } from "../../src/shared/firestore-trigger";
import { defineSubscriber } from "../../src/shared/subscriber";
import { defineTaskHandler, NotDueYet, type TaskImpl } from "../../src/shared/task-handler";
import type { TaskQueue } from "../../src/shared/task-queues";
import type { Topic } from "../../src/shared/topics";

const test = functionsTest({ projectId: "demo-food-delivery" });
after(() => test.cleanup());

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const Body = z.strictObject({ orderId: z.string(), n: z.number() });
type Body = z.infer<typeof Body>;

/** A stand-in for the dead-letter collection: what was recorded and resolved, and in which context. */
function deadLetters() {
  const recorded: { letter: DeadLetter; context: WorkContext | undefined }[] = [];
  const resolved: string[] = [];
  const deps: EventDeps = {
    recordDeadLetter: async (letter) => (recorded.push({ letter, context: currentContext() }), `letter-${recorded.length}`),
    resolveDeadLetter: async (id) => void resolved.push(id),
  };
  return { deps, recorded, resolved };
}

/** The work, stubbed: each call's input and the context it ran in; `fail` makes it throw. */
function work<E>(fail?: () => Error) {
  const calls: { input: unknown; event: E; context: WorkContext | undefined }[] = [];
  const handle = async (input: unknown, event: E) => {
    calls.push({ input, event, context: currentContext() });
    if (fail) throw fail();
  };
  return { calls, handle };
}

/** Log lines (firebase-functions' logger writes JSON to stdout/stderr) printed while `fn` runs. */
async function logged(fn: () => Promise<unknown>): Promise<{ message: string; [field: string]: unknown }[]> {
  const lines: string[] = [];
  const [out, err] = [process.stdout.write, process.stderr.write];
  const capture = (chunk: unknown) => (lines.push(String(chunk)), true);
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    await fn().catch(() => undefined);
  } finally {
    [process.stdout.write, process.stderr.write] = [out, err];
  }
  return lines.flatMap((line) => line.split("\n")).flatMap((line) => {
    try {
      return [JSON.parse(line) as { message: string }];
    } catch {
      return [];
    }
  });
}

describe("Pub/Sub subscriber wrapper", () => {
  const topic = "test.v1.thing" as Topic;
  function subscriber(options: { fail?: () => Error; retry?: boolean } = {}) {
    const letters = deadLetters();
    const stub = work<{ eventId: string; attributes: Record<string, string> }>(options.fail);
    const fn = defineSubscriber({ name: "test-onThing", topic, retry: options.retry }, async () => ({ schema: Body, handle: stub.handle }), letters.deps);
    const wrapped = test.wrap(fn);
    // As Pub/Sub hands it over: base64 data, parsed as JSON only when the wrapper asks.
    const message = (data: string, attributes: Record<string, string>, messageId: string) => new Message({ data: Buffer.from(data).toString("base64"), attributes, messageId });
    const deliver = (data: string, attributes: Record<string, string>, messageId = "message-1") => wrapped({ data: { message: message(data, attributes, messageId) } } as never) as Promise<void>;
    // firebase-functions-test's mock parses the message itself, so data that is not JSON goes to the function directly.
    const deliverUnparsable = (data: string, attributes: Record<string, string>) =>
      fn.run({ id: "cloud-event-1", data: { message: message(data, attributes, "message-2"), subscription: "s" } } as never) as Promise<void>;
    return { ...letters, ...stub, deliver, deliverUnparsable, fn };
  }

  it("hands the parsed body to the work with the event id, in the message's correlation id and trace", async () => {
    const { deliver, calls, recorded } = subscriber();
    await deliver(JSON.stringify({ orderId: "o1", n: 2 }), { eventId: "event-1", correlationId: "corr-0000001", traceparent: TRACEPARENT, orderId: "o1" });
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0].input, { orderId: "o1", n: 2 });
    assert.equal(calls[0].event.eventId, "event-1");
    assert.equal(calls[0].event.attributes.orderId, "o1");
    assert.equal(calls[0].context?.correlationId, "corr-0000001");
    assert.equal(calls[0].context?.handler, "test-onThing");
    assert.equal(calls[0].context?.trace?.traceId, TRACE_ID, "the trace the message carries continues");
    assert.equal(recorded.length, 0);
  });

  it("keys idempotency on the message id when no eventId attribute came, and replaces a malformed correlation id", async () => {
    const { deliver, calls } = subscriber();
    await deliver(JSON.stringify({ orderId: "o1", n: 1 }), { correlationId: "not a valid id!", traceparent: "garbage" }, "message-77");
    assert.equal(calls[0].event.eventId, "message-77");
    assert.match(String(calls[0].context?.correlationId), UUID);
    assert.notEqual(calls[0].context?.trace?.traceId, undefined, "a malformed traceparent starts a new trace");
  });

  it("dead-letters a body that fails the schema and acknowledges it (no redelivery), the work untouched", async () => {
    const { deliver, calls, recorded } = subscriber();
    await deliver(JSON.stringify({ orderId: 5 }), { eventId: "event-2", correlationId: "corr-0000002" });
    assert.equal(calls.length, 0);
    assert.equal(recorded.length, 1);
    const { letter, context } = recorded[0];
    assert.equal(letter.handler, "test-onThing");
    assert.equal(letter.source, "pubsub");
    assert.equal(letter.eventId, "event-2");
    assert.equal(letter.attempts, 1);
    assert.deepEqual(letter.payload, { topic, attributes: { eventId: "event-2", correlationId: "corr-0000002" }, body: { orderId: 5 } });
    assert.match(String((letter.error as Error).message), /orderId/);
    assert.equal(context?.correlationId, "corr-0000002", "the dead letter is recorded in the message's correlation context");
  });

  it("dead-letters a body that is not JSON with its raw data", async () => {
    const { deliverUnparsable, calls, recorded } = subscriber();
    await deliverUnparsable("{not json", { eventId: "event-3" });
    assert.equal(calls.length, 0);
    assert.equal(recorded.length, 1);
    assert.equal((recorded[0].letter.payload as { data: string }).data, Buffer.from("{not json").toString("base64"));
  });

  it("rethrows the work's failure so Pub/Sub redelivers, without a dead letter", async () => {
    const { deliver, recorded } = subscriber({ fail: () => new Error("provider down") });
    const lines = await logged(() => assert.rejects(deliver(JSON.stringify({ orderId: "o1", n: 1 }), { eventId: "event-4" }), /provider down/));
    assert.equal(recorded.length, 0);
    assert.ok(lines.some((l) => l.message === "event.failed" && l.eventId === "event-4"), "the failure is logged as event.failed");
  });

  it("leaves a local redelivery meant for another subscriber alone, and takes one meant for it", async () => {
    const { deliver, calls } = subscriber();
    await deliver(JSON.stringify({ orderId: "o1", n: 1 }), { eventId: "event-6", localDelivery: "2", localRedeliveryFor: "other-onThing" });
    assert.equal(calls.length, 0, "another subscriber's redelivery");
    await deliver(JSON.stringify({ orderId: "o1", n: 1 }), { eventId: "event-6", localDelivery: "2", localRedeliveryFor: "test-onThing" });
    assert.equal(calls.length, 1, "its own redelivery");
    assert.equal(calls[0].event.eventId, "event-6");
  });

  it("logs RetryLater as a warning, not an error, and still rethrows it", async () => {
    const { deliver } = subscriber({ fail: () => new RetryLater("slow down") });
    const lines = await logged(() => assert.rejects(deliver(JSON.stringify({ orderId: "o1", n: 1 }), { eventId: "event-5" }), RetryLater));
    const line = lines.find((l) => l.message === "event.retry-later");
    assert.equal(line?.severity, "WARNING");
    assert.equal(lines.some((l) => l.message === "event.failed"), false);
  });

  it("is deployed with retry on unless the spec turns it off", () => {
    const retry = (fn: unknown) => (fn as { __endpoint: { eventTrigger: { retry: boolean } } }).__endpoint.eventTrigger.retry;
    assert.equal(retry(subscriber().fn), true);
    assert.equal(retry(subscriber({ retry: false }).fn), false);
  });
});

describe("Firestore document-created wrapper", () => {
  function trigger(fail?: () => Error, retry?: boolean) {
    const letters = deadLetters();
    const stub = work<{ eventId: string; documentId: string; params: Record<string, string> }>(fail);
    const options = retry ? { retry } : undefined;
    const fn = defineDocumentCreated({ name: "test-onThingCreated", document: "things/{thingId}", options }, async () => ({ schema: Body.passthrough(), handle: stub.handle }), letters.deps);
    const create = (data: Record<string, unknown>, id = "t1") =>
      test.wrap(fn)({ id: `event-${id}`, data: test.firestore.makeDocumentSnapshot(data, `things/${id}`), params: { thingId: id } } as never) as Promise<void>;
    return { ...letters, ...stub, create };
  }

  it("hands the parsed document to the work, in the correlation id and trace the document carries", async () => {
    const { create, calls, recorded } = trigger();
    await create({ orderId: "o1", n: 3, correlationId: "corr-0000003", traceparent: TRACEPARENT });
    assert.equal(calls.length, 1);
    assert.equal((calls[0].input as Body).n, 3);
    assert.deepEqual(calls[0].event, { eventId: "event-t1", documentId: "t1", params: { thingId: "t1" } });
    assert.equal(calls[0].context?.correlationId, "corr-0000003");
    assert.equal(calls[0].context?.trace?.traceId, TRACE_ID);
    assert.equal(recorded.length, 0);
  });

  it("starts a correlation id for a document without one", async () => {
    const { create, calls } = trigger();
    await create({ orderId: "o1", n: 3 });
    assert.match(String(calls[0].context?.correlationId), UUID);
  });

  it("dead-letters a document that fails the schema instead of retrying it", async () => {
    const { create, calls, recorded } = trigger();
    await create({ orderId: "o1", n: "three", correlationId: "corr-0000004" }, "t2");
    assert.equal(calls.length, 0);
    assert.equal(recorded.length, 1);
    const { letter, context } = recorded[0];
    assert.equal(letter.source, "firestore");
    assert.equal(letter.eventId, "event-t2");
    assert.deepEqual(letter.payload, { document: "things/t2", data: { orderId: "o1", n: "three", correlationId: "corr-0000004" } });
    assert.equal(context?.correlationId, "corr-0000004");
  });

  it("rethrows the work's failure", async () => {
    const { create, recorded } = trigger(() => new Error("boom"));
    await assert.rejects(create({ orderId: "o1", n: 1 }), /boom/);
    assert.equal(recorded.length, 0);
  });

  it("under the emulator, with retry, runs failed work again, up to LOCAL_EVENT_REDELIVERIES times", async () => {
    const saved = { emulator: process.env.FUNCTIONS_EMULATOR, redeliveries: process.env.LOCAL_EVENT_REDELIVERIES };
    Object.assign(process.env, { FUNCTIONS_EMULATOR: "true", LOCAL_EVENT_REDELIVERIES: "2" });
    try {
      let runs = 0;
      const transient = defineDocumentCreated(
        { name: "test-onThingCreated", document: "things/{thingId}", options: { retry: true } },
        async () => ({
          schema: Body.passthrough(),
          handle: async () => {
            runs += 1;
            if (runs === 1) throw new Error("transient");
          },
        }),
        deadLetters().deps,
      );
      await test.wrap(transient)({ id: "event-t9", data: test.firestore.makeDocumentSnapshot({ orderId: "o1", n: 1 }, "things/t9"), params: { thingId: "t9" } } as never);
      assert.equal(runs, 2, "failed once, then done by the first redelivery");

      const failing = trigger(() => new Error("boom"), true);
      await assert.rejects(failing.create({ orderId: "o1", n: 1 }), /boom/);
      assert.equal(failing.calls.length, 3, "one delivery and two redeliveries, then the failure is thrown");
      const noRetry = trigger(() => new Error("boom"));
      await assert.rejects(noRetry.create({ orderId: "o1", n: 1 }), /boom/);
      assert.equal(noRetry.calls.length, 1, "no retry, no redelivery");
    } finally {
      for (const [name, value] of [["FUNCTIONS_EMULATOR", saved.emulator], ["LOCAL_EVENT_REDELIVERIES", saved.redeliveries]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe("task handler wrapper", () => {
  const maxAttempts = 3;
  function handler(options: { fail?: () => Error; moot?: boolean } = {}) {
    const letters = deadLetters();
    const stub = work<{ taskId: string; attempt: number; finalAttempt: boolean }>(options.fail);
    const gaveUp: { data: Body; deadLetterId: string; error: unknown }[] = [];
    const impl: TaskImpl<Body> = {
      schema: Body,
      run: stub.handle,
      onGiveUp: async (data, deadLetterId, error) => void gaveUp.push({ data, deadLetterId, error }),
      ...(options.moot === undefined ? {} : { isMoot: async () => options.moot as boolean }),
    };
    // minBackoffSeconds 0: no jitter before a retry.
    const fn = defineTaskHandler({ name: "test-doThing" as TaskQueue, retryConfig: { maxAttempts, minBackoffSeconds: 0 }, rateLimits: { maxConcurrentDispatches: 7 } }, async () => impl, letters.deps);
    // firebase-functions-test's types omit task-queue functions; its wrapV2 runs them like any v2 function.
    const wrapTask = test.wrap as unknown as (f: typeof fn) => (request: object) => Promise<void>;
    const dispatch = (envelope: Record<string, unknown>, retryCount = 0) => wrapTask(fn)({ id: "task-1", retryCount, data: envelope });
    return { ...letters, ...stub, gaveUp, dispatch, fn };
  }
  const envelope = (extra: Record<string, unknown> = {}) => ({ data: { orderId: "o1", n: 1 }, correlationId: "corr-0000005", traceparent: TRACEPARENT, ...extra });

  it("runs the envelope's data with the attempt, in the envelope's correlation id and trace", async () => {
    const { dispatch, calls, recorded } = handler();
    await dispatch(envelope(), 1);
    assert.deepEqual(calls[0].input, { orderId: "o1", n: 1 });
    assert.deepEqual(calls[0].event, { taskId: "task-1", attempt: 2, finalAttempt: false });
    assert.equal(calls[0].context?.correlationId, "corr-0000005");
    assert.equal(calls[0].context?.trace?.traceId, TRACE_ID);
    assert.equal(recorded.length, 0);
  });

  it("dead-letters data that fails the schema and completes (retrying would not help)", async () => {
    const { dispatch, calls, recorded } = handler();
    await dispatch(envelope({ data: { orderId: "o1" } }));
    assert.equal(calls.length, 0);
    assert.equal(recorded[0].letter.source, "task");
    assert.equal(recorded[0].letter.eventId, "task-1");
    assert.deepEqual((recorded[0].letter.payload as { data: unknown }).data, { orderId: "o1" });
  });

  it("rethrows a failure before the last attempt so the queue retries, with no dead letter", async () => {
    const { dispatch, recorded, gaveUp } = handler({ fail: () => new Error("provider down") });
    await assert.rejects(dispatch(envelope(), maxAttempts - 2), /provider down/);
    assert.equal(recorded.length, 0);
    assert.equal(gaveUp.length, 0);
  });

  it("dead-letters the last attempt's failure, tells the implementation, and completes", async () => {
    const { dispatch, calls, recorded, gaveUp } = handler({ fail: () => new Error("provider down") });
    const lines = await logged(() => dispatch(envelope(), maxAttempts - 1));
    assert.equal(calls[0].event.finalAttempt, true);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].letter.attempts, maxAttempts);
    assert.equal(recorded[0].context?.correlationId, "corr-0000005");
    assert.deepEqual(gaveUp.map((g) => [g.data.orderId, g.deadLetterId, (g.error as Error).message]), [["o1", "letter-1", "provider down"]]);
    assert.ok(lines.some((l) => l.message === "task.gave-up" && l.deadLetterId === "letter-1"));
  });

  it("refuses a delayed task delivered early with NotDueYet (503), without running it", async () => {
    const { dispatch, calls } = handler({ moot: false });
    const error = await dispatch(envelope({ notBefore: Date.now() + 60_000 })).then(
      () => assert.fail("expected NotDueYet"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof NotDueYet && error instanceof HttpsError);
    assert.equal(error.code, "unavailable");
    assert.ok(error.dueInSeconds > 55 && error.dueInSeconds <= 60, `dueInSeconds ${error.dueInSeconds}`);
    assert.equal(calls.length, 0);
  });

  it("completes an early task at once when it has become moot", async () => {
    const { dispatch, calls, recorded } = handler({ moot: true });
    await dispatch(envelope({ notBefore: Date.now() + 60_000 }));
    assert.equal(calls.length, 0);
    assert.equal(recorded.length, 0);
  });

  it("never runs an early task: on its last attempt it is dead-lettered instead", async () => {
    const { dispatch, calls, recorded } = handler({ moot: false });
    await dispatch(envelope({ notBefore: Date.now() + 60_000 }), maxAttempts - 1);
    assert.equal(calls.length, 0);
    assert.equal(recorded.length, 1);
    assert.ok(recorded[0].letter.error instanceof NotDueYet);
    assert.equal(recorded[0].context?.correlationId, "corr-0000005");
  });

  it("runs a task due within the clock tolerance", async () => {
    const { dispatch, calls } = handler({ moot: false });
    await dispatch(envelope({ notBefore: Date.now() + 1000 }));
    assert.equal(calls.length, 1);
  });

  it("closes the dead letter a successful replay came from, and only on success", async () => {
    const ok = handler();
    await ok.dispatch(envelope({ replayOf: "letter-9" }));
    assert.deepEqual(ok.resolved, ["letter-9"]);
    const failing = handler({ fail: () => new Error("still down") });
    await assert.rejects(failing.dispatch(envelope({ replayOf: "letter-9" })));
    assert.deepEqual(failing.resolved, []);
  });

  it("is deployed with the spec's retry config and rate limits", () => {
    const trigger = (handler().fn as unknown as { __endpoint: { taskQueueTrigger: { retryConfig: { maxAttempts: number }; rateLimits: { maxConcurrentDispatches: number } } } }).__endpoint.taskQueueTrigger;
    assert.equal(trigger.retryConfig.maxAttempts, maxAttempts);
    assert.equal(trigger.rateLimits.maxConcurrentDispatches, 7);
  });
});

describe("auth user-created wrapper", () => {
  it("hands the user and event id to the work in a fresh correlation context, and rethrows failures", async () => {
    const stub = work<{ eventId: string }>();
    const fn = defineUserCreated({ name: "test-onUserCreated" }, async () => ({ handle: stub.handle }));
    await test.wrap(fn)(test.auth.makeUserRecord({ uid: "u1", email: "someone@example.test" }), { eventId: "event-u1" });
    assert.equal((stub.calls[0].input as { uid: string }).uid, "u1");
    assert.deepEqual(stub.calls[0].event, { eventId: "event-u1" });
    assert.match(String(stub.calls[0].context?.correlationId), UUID);
    assert.equal(stub.calls[0].context?.handler, "test-onUserCreated");

    const failing = work<{ eventId: string }>(() => new Error("profile write failed"));
    const broken = defineUserCreated({ name: "test-onUserCreated" }, async () => ({ handle: failing.handle }));
    await assert.rejects(Promise.resolve(test.wrap(broken)(test.auth.makeUserRecord({ uid: "u2" }), { eventId: "event-u2" })), /profile write failed/);
  });
});

describe("callable registration", () => {
  // Public and unlimited: the gateway needs no rate-limit store, so no emulator.
  const fn = defineCallable({ name: "test-doThing", access: "public", rateLimit: "none" }, async () => ({
    input: z.strictObject({ quantity: z.number().int().positive() }),
    run: async (input: { quantity: number }, caller) => {
      if (input.quantity > 5) throw failedPrecondition("Too many.", "too-many");
      return { quantity: input.quantity, correlationId: caller.correlationId, role: caller.role };
    },
  }));
  const call = (data: unknown, headers: Record<string, string> = {}) =>
    test.wrap(fn)({ data, rawRequest: { headers, ip: "127.0.0.1", socket: {} } } as never) as Promise<{ quantity: number; correlationId: string; role: string }>;

  it("runs the gateway: the answer carries the caller's correlation id", async () => {
    const result = await call({ quantity: 2 }, { "x-correlation-id": "corr-0000006" });
    assert.deepEqual(result, { quantity: 2, correlationId: "corr-0000006", role: "anonymous" });
  });

  it("refuses a caller who is not signed in with unauthenticated, its reason and a correlation id", async () => {
    const signedIn = defineCallable({ name: "test-doOwnThing", access: "signed-in" }, async () => assert.fail("not loaded for an anonymous caller"));
    const error = await Promise.resolve(test.wrap(signedIn)({ data: {}, rawRequest: { headers: {}, ip: "127.0.0.1", socket: {} } } as never)).then(
      () => assert.fail("expected a refusal"),
      (e: unknown) => e as HttpsError,
    );
    assert.equal(error.code, "unauthenticated");
    assert.equal((error.details as { reason: string }).reason, "sign-in-required");
    assert.match(String((error.details as { correlationId: string }).correlationId), UUID);
  });

  it("maps a malformed request to invalid-argument naming the field, and a domain refusal to its code and reason", async () => {
    const invalid = await call({ quantity: -1 }).then(() => assert.fail("expected a refusal"), (e: unknown) => e as HttpsError);
    assert.equal(invalid.code, "invalid-argument");
    assert.deepEqual((invalid.details as { fields: { path: string }[] }).fields.map((f) => f.path), ["quantity"]);
    const refused = await call({ quantity: 9 }).then(() => assert.fail("expected a refusal"), (e: unknown) => e as HttpsError);
    assert.equal(refused.code, "failed-precondition");
    assert.equal((refused.details as { reason: string }).reason, "too-many");
  });
});
