import { createAvaEngine, avaQuery } from "../../ava/engine.js";
import { conform } from "../../ava/conform.js";
import type { LoadedConfig } from "../../config/load.js";
import type { CedarValue } from "../../policy/engine.js";
import { EXIT_OK, UsageError } from "../errors.js";
import { printer, type CliIo } from "../io.js";
import { shownPath } from "../project.js";
import { pickScenarioCase, readRequestDoc } from "../commands/explain.js";
import { Checker, isPlainObject } from "../scenario/check.js";
import { located } from "../scenario/suite.js";
import { readAvaCase } from "./case.js";
import { avaResolveContext, requireAvaPolicySet } from "./commands.js";
import { evaluateAva, mergeAvaCase, type AvaEvaluation } from "./suite.js";

/**
 * `ztpdp explain` on a Verified Access folder. The request is a case in the AVA scenario format
 * (`--request FILE [--case NAME]`), or a context as AVA logs it (`--context FILE`: the trust context of
 * an OCSF access-log record, `data.context`, when the instance logs it), so a denial seen in production
 * can be replayed and explained offline, naming the policy that AVA's logs call "inline".
 */

export interface AvaExplainFlags {
  request?: string;
  case?: string;
  context?: string;
  json?: boolean;
}

export function avaExplain(io: CliIo, dir: string, config: LoadedConfig | undefined, flags: AvaExplainFlags): number {
  if ((flags.request === undefined) === (flags.context === undefined)) {
    throw new UsageError("for a Verified Access folder, give the request as `--request FILE [--case NAME]` or `--context FILE`", "explain");
  }
  const set = requireAvaPolicySet(io, dir);
  const ctx = avaResolveContext(io, set, config, Math.floor(Date.now() / 1000));
  let context: Record<string, CedarValue>;
  let summary: string;
  if (flags.context !== undefined) {
    if (flags.case !== undefined) throw new UsageError("`--case` picks a case from a `--request` scenario file", "explain");
    const doc = readRequestDoc(io, flags.context);
    // A logged context is taken as data: Cedar-safe values only, `__entity`/`__extn` keys refused.
    const problems: string[] = [];
    const value = conform({ t: "record", fields: {}, open: true }, doc.value, { maxString: 65536, maxItems: 10000, report: (p, m) => problems.push(`  ${p}: ${m}`) });
    if (problems.length || !isPlainObject(value)) throw new UsageError("the context is not a JSON object of Cedar-safe values", "explain", problems);
    context = value as Record<string, CedarValue>;
    summary = `context from ${doc.file}`;
  } else {
    const doc = readRequestDoc(io, flags.request!);
    const { raw, path, defaults } = pickScenarioCase(doc, flags.request!, flags.case, mergeAvaCase);
    const check = new Checker();
    const c = readAvaCase(raw, path, ctx, check, { requireName: false, requireExpect: false });
    if (!c || check.issues.length) {
      throw new UsageError("cannot build the request", "explain", located(doc, check.issues, defaults).map((p) => `  ${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ""}: ${p.message}`));
    }
    context = c.context;
    summary = c.summary;
  }
  const ev = evaluateAva(createAvaEngine(set), context);
  const policies = ev.determining.map((id) => set.policies.find((p) => p.id === id)!).filter(Boolean);
  const out = printer(io.stdout);
  if (flags.json) {
    out.line(
      JSON.stringify(
        {
          mode: "verified-access",
          decision: ev.decision,
          determining: policies.map((p) => ({ id: p.id, effect: p.effect, file: shownPath(io, p.file), line: p.line, col: p.col, text: p.text })),
          errors: ev.errors,
          context,
          revision: set.revision,
        },
        null,
        2,
      ),
    );
    return EXIT_OK;
  }
  out.line(`decision: ${ev.decision}`);
  out.line(`  ${summary}`);
  out.line();
  if (policies.length === 0) out.line(`determining policies: none${ev.decision === "deny" && ev.errors.length === 0 ? " (no permit matched: default deny)" : ""}`);
  else {
    out.line(`determining policies (${policies.length}):`);
    for (const p of policies) {
      out.line(`  ${p.id}  ${p.effect}  ${shownPath(io, p.file)}:${p.line}:${p.col}`);
      for (const line of p.text.split("\n")) out.line(`    | ${line}`);
    }
  }
  out.line();
  out.line(errorsText(ev));
  out.line();
  out.line("context (as Verified Access builds it; its policies see no principal, action, resource or entities):");
  out.line(JSON.stringify(avaQuery(context).context, null, 2).replace(/^/gm, "    "));
  out.line();
  out.line(`policy revision: ${set.revision}`);
  return EXIT_OK;
}

function errorsText(ev: AvaEvaluation): string {
  if (ev.errors.length === 0) return "errors: none";
  const lines = ev.errors.map((e) => `  ${e.policyId ?? "(policy set)"}: ${e.message}`);
  return `errors (${ev.errors.length}; Verified Access denies when a policy fails to evaluate):\n${lines.join("\n")}`;
}
