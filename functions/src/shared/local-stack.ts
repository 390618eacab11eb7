/**
 * Settings of the local stack (the task relay, the fault plan, the dev outbox): read only under
 * the Functions emulator, so a stray variable in a deployed environment changes nothing.
 */
export function localSetting(variable: string): string | undefined {
  return process.env.FUNCTIONS_EMULATOR === "true" ? process.env[variable] || undefined : undefined;
}
