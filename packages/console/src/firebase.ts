/**
 * The console's Firebase clients. Served from this machine (the Hosting emulator under
 * `npm start`), the page talks to the local emulators with the demo project id; deployed, it
 * reads the project's web config from Hosting's reserved `/__/firebase/init.json`, so no
 * configuration (and no secret) is compiled into the bundle.
 */
import { initializeApp, type FirebaseOptions } from "firebase/app";
import { connectAuthEmulator, getAuth, type Auth } from "firebase/auth";
import { connectFirestoreEmulator, getFirestore, type Firestore } from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions, type Functions } from "firebase/functions";

declare const __LOCAL_STACK__: { projectId: string; auth: string; firestore: string; functions: string };

export interface Clients {
  auth: Auth;
  db: Firestore;
  functions: Functions;
  local: boolean;
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

function split(address: string): [string, number] {
  const at = address.lastIndexOf(":");
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

export async function connect(): Promise<Clients> {
  const local = LOCAL_HOSTS.has(window.location.hostname);
  const stack = __LOCAL_STACK__;
  // The demo project needs no real key: the emulators accept any.
  const options: FirebaseOptions = local
    ? { projectId: stack.projectId, apiKey: "demo-api-key", authDomain: `${stack.projectId}.firebaseapp.com` }
    : ((await (await fetch("/__/firebase/init.json")).json()) as FirebaseOptions);
  const app = initializeApp(options);
  const auth = getAuth(app);
  const db = getFirestore(app);
  const functions = getFunctions(app, "us-central1");
  if (local) {
    connectAuthEmulator(auth, `http://${stack.auth}`, { disableWarnings: true });
    connectFirestoreEmulator(db, ...split(stack.firestore));
    connectFunctionsEmulator(functions, ...split(stack.functions));
  }
  return { auth, db, functions, local };
}
