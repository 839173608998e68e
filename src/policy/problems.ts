/**
 * Problems found while loading policies, as values: a CLI prints them, a Lambda cold start throws them.
 */

export interface PolicyProblem {
  severity: "error" | "warning";
  /** The file the problem is in, as the loader was given it (directory joined with the file name). */
  file: string;
  /** 1-based line, when the problem has a location. */
  line?: number;
  /** 1-based column in UTF-16 code units (what editors and `file:line:col` links use). */
  col?: number;
  message: string;
  /** Cedar's help text, when it has one. */
  help?: string;
  /** The stable id of the policy the problem belongs to, when it belongs to one. */
  policyId?: string;
}

/** `file:line:col: message` plus an indented `help:` line; a problem without location prints `file: message`. */
export function formatProblem(problem: PolicyProblem): string {
  const where =
    problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.col ?? 1}`;
  const prefix = problem.severity === "warning" ? "warning: " : "";
  const help = problem.help ? `\n    help: ${problem.help}` : "";
  return `${where}: ${prefix}${problem.message}${help}`;
}

/**
 * Thrown by `loadPolicyDir` when the policy set must not be served. It holds every problem found, not
 * only the first, so one start-up failure shows everything to fix.
 */
export class PolicyLoadError extends Error {
  readonly problems: readonly PolicyProblem[];

  constructor(problems: readonly PolicyProblem[]) {
    const errors = problems.filter((p) => p.severity === "error");
    super(
      `policy set refused: ${errors.length} problem${errors.length === 1 ? "" : "s"}\n` +
        problems.map(formatProblem).join("\n"),
    );
    this.name = "PolicyLoadError";
    this.problems = problems;
  }
}
