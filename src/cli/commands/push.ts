import { COMMON_OPTIONS, parseCommandArgs } from "../args.js";
import { applyPush, CLI_BUDGET, describeChange } from "../avp/push-apply.js";
import { planPush } from "../avp/push-plan.js";
import { readWholeStore } from "../avp/read-store.js";
import { STORE_HELP, STORE_OPTIONS, storeTarget } from "../avp/store-target.js";
import { EXIT_OK, InputError, UsageError } from "../errors.js";
import { printer, type CliIo } from "../io.js";
import { requirePolicySet } from "../policy-context.js";
import { optionalConfig, policyDir } from "../project.js";

export const PUSH_HELP = `usage: ztpdp push [dir] [--dry-run] [--json] [--config FILE] [store flags]

Make a Verified Permissions policy store match the policy folder: the schema, and every policy matched
by its @id (kept in the store policy's description). New policies are created, changed ones updated
(or deleted and created again when the effect, principal or resource changed: UpdatePolicy cannot
change those), and store policies the folder does not have are deleted. The folder is validated first,
in the store's namespace: a policy over 10,000 bytes or invalid against the schema stops the push
before anything is written.

  dir              policy folder (default: the config's policy.dir)
  --dry-run        print the changes and write nothing
  --json           print the plan (and what was done) as JSON
  --config FILE    project config (default: $ZTPDP_CONFIG, else config/pdp.yaml)
${STORE_HELP}

exit: 0 the store matches the folder (or the dry run was printed), 1 refused or failed, 2 usage`;

export async function pushCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    "push",
    argv,
    { ...COMMON_OPTIONS, "dry-run": { type: "boolean" }, json: { type: "boolean" }, config: { type: "string" }, ...STORE_OPTIONS },
    1,
  );
  const config = optionalConfig(io, "push", values.config);
  const dir = policyDir(io, "push", positionals[0], config);
  const target = storeTarget(io, "push", values, config);
  if (!target) throw new UsageError("no policy store: pass --policy-store-id, or set policy.policyStoreId in the config", "push");
  const set = requirePolicySet(io, dir);
  const snapshot = await readWholeStore(target);
  const planned = planPush(set, target.namespace, snapshot);
  if (!planned.ok) throw new InputError(`nothing was written: the policies would be refused by Verified Permissions`, planned.problems.map((p) => `  ${p}`));
  const { changes, unchanged } = planned.plan;
  const out = printer(io.stdout);
  const dryRun = values["dry-run"] === true;
  if (dryRun || changes.length === 0) {
    if (values.json) out.line(JSON.stringify({ store: target.policyStoreId, dryRun, revision: set.revision, changes: changes.map(describeChange), unchanged }, null, 2));
    else {
      for (const c of changes) out.line(describeChange(c));
      out.line(
        changes.length === 0
          ? `${target.label} already matches ${set.policies.length} policies and the schema (revision ${set.revision})`
          : `dry run: ${changes.length} change${changes.length === 1 ? "" : "s"} (${unchanged.length} unchanged); nothing written`,
      );
    }
    return EXIT_OK;
  }
  const applied = await applyPush(target.client, target.policyStoreId, changes, CLI_BUDGET);
  if (values.json) {
    out.line(JSON.stringify({ store: target.policyStoreId, revision: set.revision, done: applied.done.map(describeChange), failed: applied.failed ? { change: describeChange(applied.failed.change), message: applied.failed.message } : undefined }, null, 2));
  } else for (const c of applied.done) out.line(describeChange(c));
  if (applied.failed) {
    throw new InputError(`stopped at \`${describeChange(applied.failed.change)}\`: ${applied.failed.message}`, [`  ${applied.done.length} of ${changes.length} changes were made; run \`ztpdp push\` again once the cause is fixed`]);
  }
  if (!values.json) out.line(`pushed ${changes.length} change${changes.length === 1 ? "" : "s"} to ${target.label}: it now holds revision ${set.revision}`);
  return EXIT_OK;
}
