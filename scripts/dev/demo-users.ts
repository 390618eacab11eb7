/**
 * The demo accounts of the local stack: one per role, with known credentials (listed in the
 * README). The data lives in demo-users.json, read by the seed script, the start banner and
 * the demo-data test alike, so they cannot disagree.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Role } from "../../functions/src/contract/roles.ts";

export interface DemoUser {
  uid: string;
  email: string;
  displayName: string;
  role: Role;
  restaurantIds: string[];
  /** A number Firebase Auth holds for the account, as after phone verification (its ID token carries it):
   * SMS go only to such numbers, and cash orders and once-per-customer codes need one. */
  phoneNumber?: string;
}

const demo = JSON.parse(readFileSync(join(import.meta.dirname, "demo-users.json"), "utf8")) as { password: string; users: DemoUser[] };

export const DEMO_PASSWORD = demo.password;
export const DEMO_USERS = demo.users;
