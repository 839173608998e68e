import type { DetailedError } from "@cedar-policy/cedar-wasm/nodejs";
import type { PolicyProblem } from "../policy/problems.js";
import { byteOffsetToIndex, lineColAt } from "../policy/source-text.js";

/**
 * Cedar errors for a whole file as `PolicyProblem`s with `file:line:col`, for commands that call Cedar
 * on file text directly (fmt). Cedar's offsets are UTF-8 bytes; see source-text.ts. Same rules as the
 * loader's private converter: the first source label gives the position and is appended to the message.
 */
export function problemsFromCedar(file: string, text: string, errors: readonly DetailedError[]): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  const visit = (e: DetailedError): void => {
    const loc = e.sourceLocations?.[0];
    const problem: PolicyProblem = { severity: "error", file, message: loc?.label ? `${e.message}: ${loc.label}` : e.message };
    if (loc) Object.assign(problem, lineColAt(text, byteOffsetToIndex(text, loc.start)));
    if (e.help) problem.help = e.help;
    out.push(problem);
    for (const related of e.related ?? []) visit(related);
  };
  errors.forEach(visit);
  return out;
}
