/**
 * Runs the named tiers one after another (used inside `firebase emulators:exec`, where the
 * emulators are up). Exits non-zero if any tier failed.
 */
import { runTier, TIERS, type Tier } from "./tiers.ts";

const tiers = process.argv.slice(2) as Tier[];
let failed = false;
for (const tier of tiers) {
  if (!(tier in TIERS)) throw new Error(`Unknown test tier: ${tier}`);
  if (runTier(tier) !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
