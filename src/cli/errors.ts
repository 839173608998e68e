/**
 * The CLI's exit codes, and the two kinds of error a command can stop with. Anything else that escapes
 * a command is a bug: `run` prints it as one line (never a stack trace) and exits 1.
 *
 * | code | meaning                                                                                   |
 * |------|-------------------------------------------------------------------------------------------|
 * | 0    | success: policies valid, files formatted, every case passed                               |
 * | 1    | the command ran and found problems: invalid policies, failing or malformed scenarios,     |
 * |      | unformatted files, an invalid config or patch baseline                                    |
 * | 2    | usage: unknown command or flag, bad flag value, a file or folder named on the command     |
 * |      | line that does not exist, an `explain` request that cannot be built                       |
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export abstract class CliError extends Error {
  abstract readonly exitCode: number;
  /** Extra lines printed after the message (each already formatted). */
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.details = details;
  }
}

/** The command line is wrong: exit 2, with a pointer to the command's help. */
export class UsageError extends CliError {
  override readonly name = "UsageError";
  readonly exitCode = EXIT_USAGE;
  /** The command whose `--help` to suggest, if any. */
  readonly command: string | undefined;
  constructor(message: string, command?: string, details: readonly string[] = []) {
    super(message, details);
    this.command = command;
  }
}

/** An input file the command read is invalid (config, baseline, policies): exit 1. */
export class InputError extends CliError {
  override readonly name = "InputError";
  readonly exitCode = EXIT_FAILED;
}
