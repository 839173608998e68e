import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA_FILE_NAME, readPolicyDir } from "../../policy/loader.js";
import { formatProblem } from "../../policy/problems.js";
import { COMMON_OPTIONS, parseCommandArgs } from "../args.js";
import { pullFolder } from "../avp/pull-folder.js";
import { readWholeStore } from "../avp/read-store.js";
import { STORE_HELP, STORE_OPTIONS, storeTarget } from "../avp/store-target.js";
import { EXIT_FAILED, EXIT_OK, InputError, UsageError } from "../errors.js";
import { printer, type CliIo } from "../io.js";
import { absolutePath, optionalConfig, shownPath } from "../project.js";

export const PULL_HELP = `usage: ztpdp pull <dir> [--force] [--config FILE] [store flags]

Write a Verified Permissions policy store into a policy folder: schema.cedarschema and one .cedar file
per policy, without the store's namespace, each named by its @id (added from the description ztpdp push
writes, else the store's policy id), so the folder works with \`ztpdp validate\` and \`ztpdp test\`, and
pushing it back changes nothing. Template-linked policies are written as the static policies they
evaluate as.

  dir              the folder to write (created if missing)
  --force          replace the .cedar files and the schema already in dir (other files are kept)
  --config FILE    project config (default: $ZTPDP_CONFIG, else config/pdp.yaml)
${STORE_HELP}
                   (pull: default the namespace of the store's schema)

exit: 0 written and valid, 1 the store cannot be read or the written folder does not validate, 2 usage`;

export async function pullCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("pull", argv, { ...COMMON_OPTIONS, force: { type: "boolean" }, config: { type: "string" }, ...STORE_OPTIONS }, 1);
  if (positionals[0] === undefined) throw new UsageError("name the folder to write", "pull");
  const dir = absolutePath(io, positionals[0]);
  const config = optionalConfig(io, "pull", values.config);
  const target = storeTarget(io, "pull", values, config);
  if (!target) throw new UsageError("no policy store: pass --policy-store-id, or set policy.policyStoreId in the config", "pull");
  const existing = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".cedar") || n === SCHEMA_FILE_NAME) : [];
  if (existing.length > 0 && values.force !== true) {
    throw new UsageError(`\`${shownPath(io, dir)}\` already holds policies (${existing.slice(0, 3).join(", ")}${existing.length > 3 ? ", ..." : ""}): pass --force to replace them`, "pull");
  }
  const snapshot = await readWholeStore(target);
  const declared = snapshot.schema ? Object.keys(JSON.parse(snapshot.schema.text) as object) : [];
  // The namespace: as given, else the one the store's schema declares.
  const namespace = values.namespace ?? (config?.config.policy.engine === "verified-permissions" ? config.config.policy.namespace : undefined) ?? (declared.length === 1 ? declared[0] : undefined) ?? target.namespace;
  let folder;
  try {
    folder = pullFolder(snapshot, namespace);
  } catch (err) {
    throw new InputError(`cannot write the store ${target.label} as a policy folder: ${(err as Error).message}`);
  }
  mkdirSync(dir, { recursive: true });
  for (const name of existing) rmSync(join(dir, name));
  writeFileSync(join(dir, SCHEMA_FILE_NAME), folder.schemaText.endsWith("\n") ? folder.schemaText : `${folder.schemaText}\n`);
  for (const f of folder.files) writeFileSync(join(dir, f.name), f.text);
  const out = printer(io.stdout);
  const err = printer(io.stderr);
  for (const w of folder.warnings) err.line(`warning: ${w}`);
  const check = readPolicyDir(dir);
  if (!check.ok) {
    for (const p of check.problems) err.line(formatProblem({ ...p, file: shownPath(io, p.file) }));
    out.line(`pulled ${folder.files.length} policies and the schema from ${target.label} into ${shownPath(io, dir)}, but the folder does not validate`);
    return EXIT_FAILED;
  }
  out.line(`pulled ${folder.files.length} policies and the schema from ${target.label} into ${shownPath(io, dir)} (namespace ${namespace} removed; revision ${check.policySet.revision})`);
  return EXIT_OK;
}
