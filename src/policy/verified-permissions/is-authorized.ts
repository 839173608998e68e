import type { IsAuthorizedCommandInput, IsAuthorizedCommandOutput } from "@aws-sdk/client-verifiedpermissions";
import { byPolicyThenMessage, cap } from "../cedar-answer.js";
import type { AuthorizationQuery, EngineAnswer, EngineError } from "../engine.js";
import { asUid } from "../entity-uid.js";
import { qualifyQuery, unqualifyMessage } from "./namespace.js";

/**
 * One decision model query as an IsAuthorized call, and the answer back in the engine's terms.
 *
 * Format: context and entities go as `cedarJson` (Cedar's own JSON, https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_ContextDefinition.html
 * and API_EntitiesDefinition.html), the exact values the local engine evaluates: no translation into the
 * typed `AttributeValue` format, whose ipaddr/decimal strings and entity identifiers would be a second
 * encoding to keep in step. Principal, action and resource are typed identifiers (the API has no other form).
 * Every entity type is moved into the store's namespace (namespace.ts).
 */
export function isAuthorizedInput(query: AuthorizationQuery, policyStoreId: string, ns: string): IsAuthorizedCommandInput {
  const q = qualifyQuery(plainUids(query), ns);
  const input: IsAuthorizedCommandInput = {
    policyStoreId,
    principal: { entityType: q.principal.type, entityId: q.principal.id },
    action: { actionType: q.action.type, actionId: q.action.id },
    resource: { entityType: q.resource.type, entityId: q.resource.id },
    entities: { cedarJson: JSON.stringify(q.entities) },
  };
  // "If you don't want to pass context, omit the context parameter rather than sending context {}."
  if (Object.keys(q.context).length > 0) input.context = { cedarJson: JSON.stringify(q.context) };
  return input;
}

/** `{"__entity": {...}}` wrappers on principal, action and resource become plain uids (the typed identifiers need them). */
function plainUids(q: AuthorizationQuery): AuthorizationQuery {
  const plain = (u: AuthorizationQuery["principal"]) => asUid(u) ?? u;
  return { ...q, principal: plain(q.principal), action: plain(q.action), resource: plain(q.resource) };
}

/**
 * The answer, with Verified Permissions' policy ids mapped to stable ids (an id not in `stableIds` is kept
 * as is) and sorted like the local engine's. Evaluation errors carry only a description; the service
 * reports them in Cedar's words, `error while evaluating policy \`<id>\`: <error>`, from which the policy is
 * recovered (a description in another form is kept whole, without a policy).
 */
export function engineAnswer(output: Pick<IsAuthorizedCommandOutput, "decision" | "determiningPolicies" | "errors">, stableIds: ReadonlyMap<string, string>, ns: string): EngineAnswer {
  const stable = (id: string) => stableIds.get(id) ?? id;
  if (output.decision !== "ALLOW" && output.decision !== "DENY") {
    return { type: "failure", code: "engine_unavailable", errors: [{ message: cap(`unexpected Verified Permissions decision \`${String(output.decision)}\``) }] };
  }
  const errors: EngineError[] = (output.errors ?? []).map((e) => {
    const text = String(e.errorDescription ?? "");
    const m = /^error while evaluating policy `([^`]+)`: ([\s\S]*)$/.exec(text);
    if (!m) return { message: cap(unqualifyMessage(text, ns)) };
    const id = m[1] as string;
    return { policyId: stable(id), message: cap(unqualifyMessage(renameIds(m[2] as string, stableIds), ns)) };
  });
  errors.sort(byPolicyThenMessage);
  return {
    type: "success",
    decision: output.decision === "ALLOW" ? "allow" : "deny",
    determiningPolicies: (output.determiningPolicies ?? []).map((p) => stable(String(p.policyId))).sort(),
    errors,
  };
}

function renameIds(message: string, stableIds: ReadonlyMap<string, string>): string {
  return message.replace(/`([A-Za-z0-9]{22})`/g, (all, id: string) => (stableIds.has(id) ? `\`${stableIds.get(id)}\`` : all));
}
