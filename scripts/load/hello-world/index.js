/**
 * A bare HTTPS function: the same firebase-functions SDK and options path as the real ones, no
 * work. bench:load measures it beside each case, so a figure reads as a share of what this
 * machine and host can serve at all.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS function source, as deployed */
const { join } = require("node:path");
const { setTimeout } = require("node:timers");
// The SDK the real functions use (functions/node_modules), not a second copy.
const { onRequest } = require(require.resolve("firebase-functions/v2/https", { paths: [join(__dirname, "..", "..", "..", "functions")] }));

/** `?waitMs=N` (at most 5 s) holds the request that long: a test fills an instance's slots with it. */
exports.helloWorld = onRequest({ concurrency: 80, cpu: 1 }, (req, res) => {
  const waitMs = Math.min(Number(req.query.waitMs) || 0, 5000);
  const answer = () => res.status(200).send("hello");
  if (waitMs > 0) setTimeout(answer, waitMs);
  else answer();
});
