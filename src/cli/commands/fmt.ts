import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatPolicies, policySetTextToParts } from "@cedar-policy/cedar-wasm/nodejs";
import { formatProblem } from "../../policy/problems.js";
import { COMMON_OPTIONS, parseCommandArgs } from "../args.js";
import { problemsFromCedar } from "../cedar-errors.js";
import { EXIT_FAILED, EXIT_OK, UsageError } from "../errors.js";
import { formattingProblem } from "../fmt-safety.js";
import { printer, type CliIo } from "../io.js";
import { absolutePath, optionalConfig, policyDir, shownPath } from "../project.js";
import { plural } from "./validate.js";

export const FMT_HELP = `usage: ztpdp fmt [--check] [file.cedar | dir]... [--config FILE]

Format policies with Cedar's formatter, in place. Without arguments: every .cedar file in the policy
folder (the config's policy.dir, else policies/). A file is only rewritten after checking that the
formatted text means the same policies and keeps every comment.

  --check         change nothing; list the files that are not formatted and exit 1 if there are any
  --config FILE   project config (default: $ZTPDP_CONFIG, else config/pdp.yaml)

exit: 0 formatted, 1 files differ (--check) or cannot be parsed, 2 usage`;

export function fmtCommand(argv: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs(
    "fmt",
    argv,
    { ...COMMON_OPTIONS, check: { type: "boolean" }, config: { type: "string" } },
    Number.POSITIVE_INFINITY,
  );
  const files =
    positionals.length > 0
      ? positionals.flatMap((p) => cedarFilesAt(io, p))
      : cedarFilesIn(policyDir(io, "fmt", undefined, optionalConfig(io, "fmt", values.config)));
  const out = printer(io.stdout);
  const check = values.check === true;

  let differ = 0;
  let broken = 0;
  for (const file of files) {
    const shown = shownPath(io, file);
    const text = readUtf8(file);
    if (text === undefined) {
      broken++;
      out.line(`${shown}: cannot read file as UTF-8; file left unchanged`);
      continue;
    }
    // Parse first, with the call the loader uses, so syntax errors read exactly as in `validate`.
    const parsed = policySetTextToParts(text);
    const answer = parsed.type === "failure" ? parsed : formatPolicies({ policyText: text });
    if (answer.type === "failure") {
      broken++;
      for (const p of problemsFromCedar(shown, text, answer.errors)) out.line(formatProblem(p));
      continue;
    }
    const formatted = answer.formatted_policy;
    if (formatted === text) continue;
    const again = formatPolicies({ policyText: formatted });
    // `fmt --check` right after `fmt` must pass: only write output the formatter itself leaves alone.
    const unstable = again.type === "failure" || again.formatted_policy !== formatted ? "the formatter's output is not stable" : undefined;
    const unsafe = unstable ?? formattingProblem(text, formatted);
    if (unsafe) {
      broken++;
      out.line(`${shown}: not formatted: ${unsafe}; file left unchanged`);
      continue;
    }
    differ++;
    if (check) {
      out.line(`${shown}: not formatted`);
    } else {
      writeFileSync(file, formatted, "utf8");
      out.line(`formatted ${shown}`);
    }
  }

  const total = plural(files.length, "file");
  if (check) {
    out.line(differ + broken === 0 ? `${total} formatted` : `${differ} of ${total} not formatted${broken ? `, ${broken} could not be formatted` : ""}${differ ? " (run `ztpdp fmt` to fix)" : ""}`);
    return differ + broken === 0 ? EXIT_OK : EXIT_FAILED;
  }
  out.line(`${differ} of ${total} reformatted${broken ? `, ${broken} could not be formatted` : ""}`);
  return broken === 0 ? EXIT_OK : EXIT_FAILED;
}

/** A .cedar file, or the .cedar files of a folder (not recursive, like the policy loader). */
function cedarFilesAt(io: CliIo, arg: string): string[] {
  const path = absolutePath(io, arg);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UsageError(`\`${arg}\` does not exist`, "fmt");
  }
  if (isDir) return cedarFilesIn(path);
  if (!path.endsWith(".cedar")) throw new UsageError(`\`${arg}\` is not a .cedar file`, "fmt");
  return [path];
}

function cedarFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".cedar"))
    .sort()
    .map((name) => join(dir, name));
}

/** The file's text, or undefined if it is not valid UTF-8 (rewriting it would corrupt it). */
function readUtf8(file: string): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file));
  } catch {
    return undefined;
  }
}
