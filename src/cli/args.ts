import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

export interface ParsedArgs<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>["values"];
  positionals: string[];
}

/**
 * `node:util` parseArgs in strict mode (an unknown flag is an error, never ignored), with its messages
 * rewritten into the CLI's voice and a cap on positional arguments.
 */
export function parseCommandArgs<O extends Options>(
  command: string,
  argv: readonly string[],
  options: O,
  maxPositionals: number,
): ParsedArgs<O> {
  let parsed: ParsedArgs<O>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true }) as ParsedArgs<O>;
  } catch (err) {
    throw new UsageError(describeParseError(err), command);
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals[maxPositionals];
    throw new UsageError(
      maxPositionals === 0 ? `unexpected argument \`${extra}\`` : `too many arguments: \`${extra}\` (expected at most ${maxPositionals})`,
      command,
    );
  }
  return parsed;
}

function describeParseError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const flag = /'([^' ]+)/.exec(message)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown flag \`${flag ?? message}\``;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing/.test(message) ? `flag \`${flag}\` needs a value` : `flag \`${flag}\` takes no value`;
    default:
      return message.charAt(0).toLowerCase() + message.slice(1);
  }
}

/** A whole number of at least `min` from a flag value, or a usage error naming the flag. */
export function integerFlag(command: string, flag: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`flag \`--${flag}\` needs a whole number of at least ${min}, not \`${value}\``, command);
  }
  return Number(value);
}
