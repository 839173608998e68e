import {
  statefulIsAuthorized,
  type AuthorizationAnswer,
  type DetailedError,
  type EntityJson,
} from "@cedar-policy/cedar-wasm/nodejs";
import type { AuthorizationQuery, CedarValue, EngineAnswer, EngineError } from "./engine.js";

/** Longest error message passed on; Cedar echoes the whole context in some messages. */
const MAX_MESSAGE_CHARS = 1_000;

export interface CedarCall {
  principal: AuthorizationQuery["principal"];
  action: AuthorizationQuery["action"];
  resource: AuthorizationQuery["resource"];
  context: Record<string, CedarValue> | CedarValue;
  entities: EntityJson[];
}

/**
 * One `statefulIsAuthorized` on a pre-parsed set. With `schemaId`, request validation is on (Cedar checks
 * and types context and entities); without, the caller vouches for the request (request-conformance.ts).
 * Never throws: some inputs make the wasm binding throw instead of answering (a BigInt, a lone surrogate).
 */
export function callCedar(policySetId: string, call: CedarCall, schemaId?: string): EngineAnswer {
  let answer: AuthorizationAnswer;
  try {
    answer = statefulIsAuthorized({
      principal: call.principal,
      action: call.action,
      resource: call.resource,
      context: call.context as Record<string, never>,
      entities: call.entities,
      preparsedPolicySetId: policySetId,
      ...(schemaId !== undefined ? { preparsedSchemaName: schemaId, validateRequest: true } : { validateRequest: false }),
    });
  } catch (err) {
    return { type: "failure", errors: [{ message: cap(`cedar threw: ${err instanceof Error ? err.message : String(err)}`) }] };
  }
  return toEngineAnswer(answer);
}

/** Map cedar-wasm's answer to the engine contract; anything unexpected is a failure, never an allow. */
export function toEngineAnswer(answer: AuthorizationAnswer): EngineAnswer {
  try {
    if (answer.type === "failure") {
      const errors = answer.errors.map((e) => ({ message: describe(e) }));
      return { type: "failure", errors: errors.length > 0 ? errors : [{ message: "cedar failed without an error" }] };
    }
    const { decision, diagnostics } = answer.response;
    if (decision !== "allow" && decision !== "deny") {
      return { type: "failure", errors: [{ message: cap(`unexpected cedar decision \`${String(decision)}\``) }] };
    }
    const errors: EngineError[] = diagnostics.errors.map((e) => ({ policyId: e.policyId, message: describe(e.error) }));
    // Cedar's reason and error order is not specified (it follows its internal policy map, which differs
    // between a set and its partitions): sort both so answers and audit records are reproducible.
    errors.sort(byPolicyThenMessage);
    return { type: "success", decision, determiningPolicies: [...diagnostics.reason].sort(), errors };
  } catch (err) {
    return { type: "failure", errors: [{ message: cap(`malformed cedar answer: ${String(err)}`) }] };
  }
}

export function describe(e: DetailedError): string {
  return cap(e.help ? `${e.message} (${e.help})` : e.message);
}

export function cap(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS)}…`;
}

export function byPolicyThenMessage(a: EngineError, b: EngineError): number {
  const pa = a.policyId ?? "";
  const pb = b.policyId ?? "";
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}
