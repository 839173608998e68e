import { getCedarVersion } from "@cedar-policy/cedar-wasm/nodejs";
import { VERSION } from "../version.js";
import { configCommand, CONFIG_HELP } from "./commands/config.js";
import { explainCommand, EXPLAIN_HELP } from "./commands/explain.js";
import { fmtCommand, FMT_HELP } from "./commands/fmt.js";
import { pullCommand, PULL_HELP } from "./commands/pull.js";
import { pushCommand, PUSH_HELP } from "./commands/push.js";
import { testCommand, TEST_HELP } from "./commands/test.js";
import { validateCommand, VALIDATE_HELP } from "./commands/validate.js";
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.js";
import { printer, type CliIo } from "./io.js";

export const MAIN_HELP = `usage: ztpdp <command> [flags]

The policy authors' toolchain of the zero-trust PDP.

commands:
  validate [dir]             parse and strictly validate the policies, with extra fail-open checks
  fmt [--check] [files]      format .cedar files with Cedar's formatter
  test [dir]                 run the scenario files in <dir>/tests through the decision core
  explain [request flags]    evaluate one request and show why
  config [--config FILE]     print the effective configuration (presets expanded, defaults shown)
  push [dir]                 make a Verified Permissions policy store match the policy folder
  pull <dir>                 write a Verified Permissions policy store into a policy folder

Run \`ztpdp <command> --help\` for a command's flags.
exit: 0 success, 1 problems found, 2 usage error`;

type Command = (argv: readonly string[], io: CliIo) => number | Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  validate: { run: validateCommand, help: VALIDATE_HELP },
  fmt: { run: fmtCommand, help: FMT_HELP },
  test: { run: testCommand, help: TEST_HELP },
  explain: { run: explainCommand, help: EXPLAIN_HELP },
  config: { run: configCommand, help: CONFIG_HELP },
  push: { run: pushCommand, help: PUSH_HELP },
  pull: { run: pullCommand, help: PULL_HELP },
};

/**
 * The whole CLI as a function: arguments and terminal in, exit code out. Never throws and never prints a
 * stack trace: expected failures are `CliError`s, anything else is reported as an internal error.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const err = printer(io.stderr);
  const [name, ...rest] = argv;
  if (name === undefined) {
    err.line(MAIN_HELP);
    return EXIT_USAGE;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    const topic = name === "help" && rest[0] !== undefined && Object.hasOwn(COMMANDS, rest[0]) ? COMMANDS[rest[0]] : undefined;
    printer(io.stdout).line(topic ? topic.help : MAIN_HELP);
    return EXIT_OK;
  }
  if (name === "--version") {
    printer(io.stdout).line(`ztpdp ${VERSION} (cedar ${getCedarVersion()})`);
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    err.line(`ztpdp: unknown command \`${name}\` (commands: ${Object.keys(COMMANDS).join(", ")}; see \`ztpdp --help\`)`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    printer(io.stdout).line(command.help);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof CliError) {
      const hint = e instanceof UsageError && e.command ? ` (see \`ztpdp ${e.command} --help\`)` : "";
      err.line(`ztpdp ${name}: ${e.message}${hint}`);
      for (const d of e.details) err.line(d);
      return e.exitCode;
    }
    // A bug, not bad input: one line, no stack trace (set ZTPDP_DEBUG=1 to see it).
    err.line(`ztpdp ${name}: internal error: ${e instanceof Error ? e.message : String(e)}`);
    if (io.env.ZTPDP_DEBUG === "1" && e instanceof Error && e.stack) err.line(e.stack);
    return EXIT_FAILED;
  }
}
