/**
 * The demo data that `npm start` imports (emulator-data/) is what the README promises: one user
 * per role, signing in with the documented password and holding that role in the ID token.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { deleteApp, initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from "firebase/auth";
import { ROLES } from "../../src/contract/roles";
import { PROJECT_ID } from "../support/emulators";

const demo = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "scripts", "dev", "demo-users.json"), "utf8")) as {
  password: string;
  users: { uid: string; email: string; role: string; restaurantIds: string[]; phoneNumber?: string }[];
};
const DEMO_PASSWORD = demo.password;
const DEMO_USERS = demo.users;

describe("demo data", () => {
  it("has one user per role", () => {
    assert.deepEqual([...new Set(DEMO_USERS.map((u) => u.role))].sort(), [...ROLES].sort());
  });

  for (const user of DEMO_USERS) {
    it(`${user.email} signs in with the README's password and holds the ${user.role} role`, async () => {
      const app = initializeApp({ projectId: PROJECT_ID, apiKey: "demo-api-key" }, randomUUID());
      try {
        const auth = getAuth(app);
        connectAuthEmulator(auth, `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}`, { disableWarnings: true });
        const credential = await signInWithEmailAndPassword(auth, user.email, DEMO_PASSWORD);
        const token = await credential.user.getIdTokenResult();
        assert.equal(credential.user.uid, user.uid);
        assert.equal(token.claims.role, user.role);
        assert.deepEqual(token.claims.restaurantIds, user.restaurantIds);
        // A verified phone reaches the token: the demo customer may pay cash and use WELCOME10.
        assert.equal(token.claims.phone_number, user.phoneNumber);
      } finally {
        await deleteApp(app);
      }
    });
  }
});
