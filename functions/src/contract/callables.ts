/**
 * Deployed names of the callables, for `httpsCallable(functions, CALLABLES.startProbe)`.
 * Each maps to its request schema and response type in this folder.
 */
export const CALLABLES = {
  startProbe: "diagnostics-startProbe",
  setUserRole: "admin-setUserRole",
} as const;
