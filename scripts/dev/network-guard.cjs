/**
 * Preloaded (NODE_OPTIONS=--require) into every Node process of a local run: the Firebase CLI,
 * the Functions emulator workers, the test runners. Any TCP connection or DNS lookup aimed
 * beyond loopback is refused and appended to NETWORK_GUARD_LOG, which the test suite asserts
 * is empty. Plain CommonJS because it loads before any TypeScript tooling.
 */
"use strict";
const net = require("node:net");
const dns = require("node:dns");
const fs = require("node:fs");

const logFile = process.env.NETWORK_GUARD_LOG;
if (process.env.NETWORK_GUARD_STACKS) Error.stackTraceLimit = 60;

function isLoopback(host) {
  if (host === undefined || host === null || host === "") return true; // Node defaults to localhost
  const h = String(host).replace(/^\[|\]$/g, "").toLowerCase();
  return (
    h === "localhost" ||
    h.endsWith(".localhost") ||
    h === "::1" ||
    /^127\.\d+\.\d+\.\d+$/.test(h) ||
    /^::ffff:127\.\d+\.\d+\.\d+$/.test(h) ||
    h === "0.0.0.0" // firebase-tools dials its own listeners by the address they bound
  );
}

function record(kind, host, port) {
  // NETWORK_GUARD_STACKS=1 adds the caller's stack, to find who tried.
  const stack = process.env.NETWORK_GUARD_STACKS ? new Error().stack : undefined;
  const line = JSON.stringify({ kind, host: String(host), port, pid: process.pid, argv: process.argv.slice(1, 3), stack });
  if (logFile) {
    try {
      fs.appendFileSync(logFile, `${line}\n`);
    } catch {
      // The guard must never take the process down; the refusal below still happens.
    }
  }
}

function refused(host) {
  const error = new Error(`network guard: connection to ${host} refused (only loopback is allowed)`);
  error.code = "ECONNREFUSED";
  return error;
}

/** net.Socket#connect accepts (options, cb), (port, host, cb), (path, cb) or Node's normalized array. */
function targetOf(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first && typeof first === "object") return { host: first.host, port: first.port, path: first.path };
  if (typeof first === "string" && Number.isNaN(Number(first))) return { path: first };
  return { port: first, host: typeof args[1] === "string" ? args[1] : undefined };
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const target = targetOf(args);
  if (!target.path && !isLoopback(target.host)) {
    record("connect", target.host, target.port);
    process.nextTick(() => this.destroy(refused(target.host)));
    return this;
  }
  return originalConnect.apply(this, args);
};

const originalLookup = dns.lookup;
// Looking up an IP literal resolves nothing over the network (portfinder does it to bind local
// interfaces), so only names are judged here; connections to any non-loopback IP are judged above.
dns.lookup = function guardedLookup(hostname, options, callback) {
  if (!net.isIP(String(hostname)) && !isLoopback(hostname)) {
    record("dns", hostname);
    const cb = typeof options === "function" ? options : callback;
    const error = refused(hostname);
    error.code = "ENOTFOUND";
    process.nextTick(() => cb(error));
    return {};
  }
  return originalLookup.call(this, hostname, options, callback);
};

const originalPromiseLookup = dns.promises.lookup;
dns.promises.lookup = async function guardedPromiseLookup(hostname, options) {
  if (!net.isIP(String(hostname)) && !isLoopback(hostname)) {
    record("dns", hostname);
    const error = refused(hostname);
    error.code = "ENOTFOUND";
    throw error;
  }
  return originalPromiseLookup.call(this, hostname, options);
};
