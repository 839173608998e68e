import type { LoadedPolicy } from "../../policy/loader.js";
import type { Evaluation } from "../harness/harness.js";
import type { CaseInput } from "../harness/types.js";
import type { Printer } from "../io.js";
import { summarize } from "../scenario/run.js";

export interface Explained {
  ev: Evaluation;
  input: CaseInput;
  policies: readonly LoadedPolicy[];
  revision: string;
  shown: (file: string) => string;
}

export function renderExplainText(x: Explained, out: Printer): void {
  const { decision, query, posture } = x.ev;
  out.line(`decision: ${decision.outcome}${decision.outcome !== decision.effect ? ` (${decision.effect})` : ""}`);
  out.line(`  ${summarize(x.ev, x.input.request.method, x.input.request.route)}`);

  out.line();
  const determining = determiningPolicies(x);
  if (determining.length === 0) {
    out.line(
      `determining policies: none${decision.outcome === "deny" && query ? " (no permit matched: default deny)" : ""}`,
    );
  } else {
    out.line(`determining policies (${determining.length}):`);
    for (const p of determining) {
      out.line(`  ${p.id}  ${p.effect}  ${x.shown(p.file)}:${p.line}:${p.col}`);
      for (const line of p.text.split("\n")) out.line(`    | ${line}`);
    }
  }

  out.line();
  const errors = decision.errors.filter((e) => e.code !== "policy_denied");
  if (errors.length === 0) out.line("errors: none");
  else {
    out.line(`errors (${errors.length}):`);
    for (const e of errors) out.line(`  ${e.code}${e.policyId ? ` in ${e.policyId}` : ""}: ${e.message}`);
  }

  out.line();
  if (x.input.device.kind === "none") out.line("device: none presented (least-trusted posture)");
  else if (!posture) out.line("device: not evaluated (the caller was not authenticated)");
  else if (posture.failure) out.line(`device: token rejected, least-trusted posture used: ${posture.failure.code}: ${posture.failure.message}`);
  else out.line(`device: ${x.input.device.kind === "posture" ? "normalized posture given by the request" : "token verified and mapped by its provider's mapper"}`);

  out.line();
  if (!query) {
    const why = decision.errors.map((e) => `${e.code}: ${e.message}`).join("; ");
    out.line(`Cedar was not asked: the decision was made before policy evaluation (${why})`);
  } else {
    out.line("Cedar request (exactly as evaluated):");
    out.line(`  principal: ${uid(query.principal)}`);
    out.line(`  action:    ${uid(query.action)}`);
    out.line(`  resource:  ${uid(query.resource)}`);
    out.line("  entities:");
    out.line(indent(JSON.stringify(query.entities, null, 2), "    "));
    out.line("  context:");
    out.line(indent(JSON.stringify(query.context, null, 2), "    "));
  }
  out.line();
  out.line(`policy revision: ${x.revision}`);
}

export function renderExplainJson(x: Explained): unknown {
  const { decision, query, posture, identity } = x.ev;
  return {
    decision: decision.outcome,
    effect: decision.effect,
    determining: determiningPolicies(x).map((p) => ({ id: p.id, effect: p.effect, file: x.shown(p.file), line: p.line, col: p.col, text: p.text })),
    errors: decision.errors,
    principal: identity?.ok ? { ...identity.identity.principal, groups: identity.identity.groups.map((g) => g.id), mfa: identity.identity.mfa } : null,
    device: posture ? { posture: posture.posture, ...(posture.failure ? { rejected: posture.failure } : {}) } : null,
    cedar: query ? { principal: query.principal, action: query.action, resource: query.resource, entities: query.entities, context: query.context } : null,
    revision: x.revision,
  };
}

function determiningPolicies(x: Explained): LoadedPolicy[] {
  return x.ev.decision.determiningPolicies.map(
    (id) => x.policies.find((p) => p.id === id) ?? { id, idSource: "annotation", file: "(unknown)", line: 0, col: 0, text: "", effect: "permit" },
  );
}

function uid(e: { type: string; id: string }): string {
  return `${e.type}::${JSON.stringify(e.id)}`;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((l) => prefix + l)
    .join("\n");
}
