/**
 * Bans or unbans a user, exactly as the admin-banUser / admin-unbanUser callables do (account
 * disabled or enabled, sessions ended, ban record, keyed hashes of email and phone, audit).
 *
 *   npm run admin:ban -- <uid> --reason <fraud|payment-abuse|harassment|spam|terms-violation> [--project id]
 *   npm run admin:ban -- <uid> --unban [--project id]
 *
 * Banning hashes the account's email and phone with PSEUDONYM_KEY: locally it is read from
 * functions/.secret.local; for a real project put the deployed secret in the environment
 * (`PSEUDONYM_KEY=$(firebase functions:secrets:access PSEUDONYM_KEY) npm run admin:ban -- …`).
 * Exit status: 0 done, 1 refused (unknown user, not banned), 2 bad command line.
 */
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { BAN_REASONS, BanUserRequest, UnbanUserRequest } from "../../functions/src/contract/admin.ts";
import { applyBan, liftBan } from "../../functions/src/admin/bans.service.ts";
import { newCorrelationId } from "../../functions/src/shared/context.ts";
import type { DomainError } from "../../functions/src/shared/errors.ts";
import { functionsParams } from "../dev/emulator-env.ts";
import { describeTarget, useTarget } from "../lib/target.ts";

const USAGE = `usage: npm run admin:ban -- <uid> (--reason <${BAN_REASONS.join("|")}> | --unban) [--project <id>]`;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { reason: { type: "string" }, unban: { type: "boolean" }, project: { type: "string" } },
});

function usage(problems: string[]): never {
  for (const problem of problems) console.error(`  ${problem}`);
  console.error(USAGE);
  process.exit(2);
}

const [uid] = positionals;
if (values.unban && values.reason) usage(["--unban takes no --reason"]);
const request = values.unban ? UnbanUserRequest.safeParse({ uid }) : BanUserRequest.safeParse({ uid, reason: values.reason });
if (!request.success) usage(request.error.issues.map((issue) => `${issue.path[0] === "uid" ? "<uid>" : `--${String(issue.path[0])}`}: ${issue.message}`));

const target = useTarget(values.project);
if (!values.unban) {
  process.env.PSEUDONYM_KEY ||= target.emulator ? functionsParams().PSEUDONYM_KEY : undefined;
  if (!process.env.PSEUDONYM_KEY) usage(["PSEUDONYM_KEY is not set: banning hashes the account's email and phone with it"]);
}

const actor = { id: `script:${userInfo().username}`, correlationId: newCorrelationId() };
try {
  if (values.unban) {
    await liftBan(request.data.uid, actor);
    console.log(`${describeTarget(target)}: ${request.data.uid} is no longer banned.`);
  } else {
    const result = await applyBan(request.data as BanUserRequest, actor);
    console.log(`${describeTarget(target)}: ${result.uid} is banned (${result.reason}) since ${result.bannedAt}.`);
  }
  process.exit(0);
} catch (error) {
  // By name: a script may load the service's copy of the class through the other module system.
  if ((error as Error).name !== "DomainError") throw error;
  console.error(`${(error as DomainError).message} (${(error as DomainError).extra.reason})`);
  process.exit(1);
}
