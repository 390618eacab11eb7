/**
 * Diagnostics: an end-to-end probe through the whole event chain
 * (callable -> Firestore trigger -> Pub/Sub -> subscriber -> Cloud Task -> write-back).
 * The app or an operator starts one and watches `probes/{probeId}` fill in, hop by hop.
 */
import { z } from "zod";
import { SafeText } from "./primitives.js";

export const StartProbeRequest = z.strictObject({
  /** Free text to recognise the probe by; at most 60 characters. */
  label: SafeText().min(1).max(60).optional(),
});
export type StartProbeRequest = z.infer<typeof StartProbeRequest>;

export const StartProbeResponse = z.object({
  probeId: z.string(),
  /** Every hop of the probe records this id. */
  correlationId: z.string(),
});
export type StartProbeResponse = z.infer<typeof StartProbeResponse>;

/** The hops a probe passes through, in order. */
export const PROBE_HOPS = ["callable", "trigger", "subscriber", "task"] as const;
export type ProbeHop = (typeof PROBE_HOPS)[number];

/** A probe document as stored at `probes/{probeId}`; readable by the user who started it. */
export const ProbeDocument = z.object({
  uid: z.string(),
  label: z.string().nullable(),
  status: z.enum(["started", "completed"]),
  correlationId: z.string(),
  hops: z.partialRecord(z.enum(PROBE_HOPS), z.object({ correlationId: z.string(), at: z.unknown() })),
});
export type ProbeDocument = z.infer<typeof ProbeDocument>;
