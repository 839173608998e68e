import { randomUUID } from "node:crypto";
import { preparsePolicySet, preparseSchema } from "@cedar-policy/cedar-wasm/nodejs";
import { callCedar } from "../cedar-answer.js";
import type { AuthorizationQuery, CedarValue, EngineAnswer, EntityJson } from "../engine.js";
import { asUid, uidKey } from "../entity-uid.js";
import { conforms } from "../request-conformance.js";
import { compileSchemaModel, type ConformanceModel, type ValueType } from "../schema-model.js";

/**
 * The remote engine's request check: the local engine's own validation, run before anything is sent.
 *
 * Verified Permissions does not validate requests against the schema (it uses the schema for policies and
 * to add the action entities, https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/getting-started-differences-verifiedpermissions-cedar.html),
 * so without this a malformed request would be evaluated there as is, where the local engine refuses it.
 * Here a request either
 * - passes the JS conformance check (the local fast path's test), or
 * - goes through Cedar's request validation with the schema (the local slow path, same messages); a failure
 *   is answered locally, without a call.
 * A request Cedar accepts may still use forms only schema-directed parsing understands (an `ipaddr` written
 * as a bare string). Verified Permissions parses without the schema, so those values are rewritten to
 * Cedar's explicit `{"__extn": ...}` form first: both engines then read the same values.
 */
export interface RequestCheck {
  /** A refusal (the local engine's failure), or the request to send. */
  (query: AuthorizationQuery): { refused: Extract<EngineAnswer, { type: "failure" }> } | { send: AuthorizationQuery };
}

export function createRequestCheck(schemaText: string, precompiled?: { resolvedSchemaJson: unknown }): RequestCheck {
  const model = compileSchemaModel(precompiled ?? schemaText).conformance;
  const id = `avp-request-check/${randomUUID()}`;
  const set = preparsePolicySet(id, {});
  const schema = preparseSchema(id, schemaText);
  if (set.type === "failure" || schema.type === "failure") throw new Error("cedar refused the schema the requests are checked against");
  return (query) => {
    if (model !== undefined && conforms(model, query)) return { send: query };
    const answer = callCedar(id, query, id);
    if (answer.type === "failure") return { refused: answer };
    return { send: model ? explicitValues(model, query) : query };
  };
}

/** `ipaddr` values in Cedar's explicit extension form, as the schema types them. */
function explicitValues(model: ConformanceModel, q: AuthorizationQuery): AuthorizationQuery {
  const action = asUid(q.action);
  const contextType = action ? model.actions.get(uidKey(action.type, action.id))?.context : undefined;
  return {
    ...q,
    context: contextType ? (explicit(q.context, contextType) as Record<string, CedarValue>) : q.context,
    entities: q.entities.map((e): EntityJson => {
      const uid = asUid(e.uid);
      const t = uid ? model.entityTypes.get(uid.type) : undefined;
      return t ? { ...e, attrs: explicit(e.attrs as CedarValue, t.attrs) as EntityJson["attrs"] } : e;
    }),
  };
}

function explicit(v: CedarValue, t: ValueType): CedarValue {
  switch (t.kind) {
    case "ipaddr":
      if (typeof v === "string") return { __extn: { fn: "ip", arg: v } };
      if (v !== null && typeof v === "object" && !Array.isArray(v) && !("__extn" in v) && "fn" in v) return { __extn: v } as unknown as CedarValue;
      return v;
    case "set":
      return Array.isArray(v) ? v.map((x) => explicit(x, t.element)) : v;
    case "record": {
      if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
      const out: Record<string, CedarValue> = { ...(v as Record<string, CedarValue>) };
      for (const [name, attr] of t.attrs) if (Object.hasOwn(out, name)) out[name] = explicit(out[name] as CedarValue, attr.type);
      return out;
    }
    default:
      return v;
  }
}
