import { COMMON_OPTIONS, parseCommandArgs } from "../args.js";
import { EXIT_OK } from "../errors.js";
import { printer, type CliIo } from "../io.js";
import { requireConfig, shownPath } from "../project.js";

export const CONFIG_HELP = `usage: ztpdp config [--config FILE]

Validate the configuration and print it as the PDP will use it, as JSON: every issuer preset expanded
(issuer URL, JWKS URI, accepted typ, where the audience and client id live, required claims, group and
principal id claims) and every default shown. An invalid config lists every problem and exits 1.

  --config FILE   project config (default: $ZTPDP_CONFIG, else config/pdp.yaml)

exit: 0 valid, 1 invalid config, 2 usage`;

export function configCommand(argv: readonly string[], io: CliIo): number {
  const { values } = parseCommandArgs("config", argv, { ...COMMON_OPTIONS, config: { type: "string" } }, 0);
  const loaded = requireConfig(io, "config", values.config);
  printer(io.stderr).line(`config: ${shownPath(io, loaded.file)} is valid; effective configuration:`);
  const { version, issuers, ...rest } = loaded.config;
  // Name and preset first: the order an operator reads an entry in (the schema's order puts them later).
  const shown = { version, issuers: issuers.map(({ name, preset, tenant, ...fields }) => ({ name, preset, tenant, ...fields })), ...rest };
  printer(io.stdout).line(JSON.stringify(shown, null, 2));
  return EXIT_OK;
}
