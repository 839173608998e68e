import { policyToJson, type PolicyJson, type SchemaJson } from "@cedar-policy/cedar-wasm/nodejs";
import type { LoadedPolicy, LoadedPolicySet } from "../../policy/loader.js";
import type { PolicyProblem } from "../../policy/problems.js";
import { ARITHMETIC, children, isObject, opOf, showEntity, asEntityRef } from "./policy-ast.js";

/**
 * Checks beyond Cedar's strict validator, for patterns that fail open or surprise. All are warnings:
 * each can be deliberate, and `validate --warnings-as-errors` makes CI refuse them.
 *
 * Not here because Cedar already refuses it (an error, stronger than a warning): reading an optional
 * attribute without `has` ("unable to guarantee safety of access to optional attribute"); duplicate
 * `@id`s are refused by the loader.
 */
export function lintPolicySet(set: LoadedPolicySet, schema: SchemaJson<string> | undefined): PolicyProblem[] {
  const entityAttrs = schema ? entityValuedAttributes(schema) : new Set<string>();
  const out: PolicyProblem[] = [];
  for (const policy of set.policies) {
    const parsed = policyToJson(policy.text);
    if (parsed.type === "failure") continue; // the loader already parsed it; nothing to add
    out.push(...lintPolicy(policy, parsed.json, entityAttrs));
  }
  return out;
}

export function lintPolicy(policy: LoadedPolicy, json: PolicyJson, entityAttrs: ReadonlySet<string>): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  const warn = (message: string, help: string) =>
    out.push({ severity: "warning", file: policy.file, line: policy.line, col: policy.col, policyId: policy.id, message, help });

  if (policy.idSource === "position") {
    warn(
      `policy has no \`@id\`: it is named \`${policy.id}\` by its position, so adding a policy above it renames it in audit records and tests`,
      'add an annotation such as `@id("wiki-employees-read")` on the line before the effect',
    );
  }

  const unconditioned = json.conditions.length === 0;
  const openPrincipal = isUnconstrained(json.principal);
  const openResource = isUnconstrained(json.resource);
  if (json.effect === "permit" && unconditioned && (openPrincipal || openResource)) {
    const who = openPrincipal && openResource ? "every principal on every resource" : openPrincipal ? "every principal" : "every resource";
    warn(
      `permit \`${policy.id}\` has no condition and an unconstrained scope: it allows ${who} with no identity, device or network requirement`,
      "constrain the scope (`principal in Group::\"...\"`, `resource in Application::\"...\"`) or add a `when { ... }` condition",
    );
  }
  if (json.effect === "forbid" && unconditioned && openPrincipal && openResource && json.action.op === "All") {
    warn(`forbid \`${policy.id}\` has no condition and an unconstrained scope: it denies every request`, "constrain its scope or add a condition");
  }

  if (json.effect === "forbid") {
    const risks = new Set<string>();
    for (const clause of json.conditions) collectErrorRisks(clause.body, new Set(), entityAttrs, risks);
    if (risks.size > 0) {
      warn(
        `forbid \`${policy.id}\` can fail to evaluate (${[...risks].join("; ")}): Cedar skips a forbid that errors, so it would not forbid (this PDP denies any request with an evaluation error, but the decision then rests on the error, not on this policy)`,
        "guard entity attribute reads with `has` (`e has attr && e.attr == ...`) and avoid arithmetic that can overflow in forbid conditions",
      );
    }
  }
  return out;
}

/** `principal` / `resource` with no `==` or `in`: `is T` alone still admits every entity of that type. */
function isUnconstrained(constraint: PolicyJson["principal"]): boolean {
  return constraint.op === "All" || (constraint.op === "is" && constraint.in === undefined);
}

/**
 * Sub-expressions that can raise an evaluation error at run time even though the policy validated:
 * reading an attribute of an entity the request may not include (an entity literal, or an entity held in
 * another attribute: only the principal, its groups, the route and its application are sent), arithmetic
 * (overflow), and extension constructors applied to non-literals (`ip(context.x)` can fail to parse).
 * `guarded` holds the attribute reads made safe by an enclosing `e has attr && ...` or `if e has attr`.
 */
function collectErrorRisks(expr: unknown, guarded: ReadonlySet<string>, entityAttrs: ReadonlySet<string>, risks: Set<string>): void {
  const node = opOf(expr);
  if (!node) return;
  const { op, body } = node;
  if (op === "&&" && isObject(body)) {
    collectErrorRisks(body.left, guarded, entityAttrs, risks);
    collectErrorRisks(body.right, union(guarded, hasFacts(body.left)), entityAttrs, risks);
    return;
  }
  if (op === "if-then-else" && isObject(body)) {
    collectErrorRisks(body.if, guarded, entityAttrs, risks);
    collectErrorRisks(body.then, union(guarded, hasFacts(body.if)), entityAttrs, risks);
    collectErrorRisks(body.else, guarded, entityAttrs, risks);
    return;
  }
  if (op === "." && isObject(body) && !guarded.has(attrKey(body.left, body.attr))) {
    const receiver = opOf(body.left);
    const literal = receiver?.op === "Value" ? asEntityRef(receiver.body) : undefined;
    if (literal) risks.add(`reads \`${String(body.attr)}\` of \`${showEntity(literal)}\`, an entity the request may not include`);
    const via = receiver?.op === "." && isObject(receiver.body) ? receiver.body.attr : undefined;
    if (typeof via === "string" && entityAttrs.has(via)) {
      risks.add(`reads \`${String(body.attr)}\` through the entity reference \`${via}\`, whose entity the request may not include`);
    }
  }
  if (ARITHMETIC.has(op)) risks.add(`arithmetic \`${op === "neg" ? "-x" : op}\` can overflow`);
  if (EXTENSION_CONSTRUCTORS.has(op) && Array.isArray(body) && body.some((arg) => opOf(arg)?.op !== "Value")) {
    risks.add(`\`${op}()\` of a computed value can fail to parse`);
  }
  for (const child of children(expr)) collectErrorRisks(child, guarded, entityAttrs, risks);
}

const EXTENSION_CONSTRUCTORS = new Set(["ip", "decimal", "datetime", "duration"]);

function attrKey(left: unknown, attr: unknown): string {
  return JSON.stringify([left, attr]);
}

/** Attribute reads an expression proves safe when it is true: `e has a` (also `e has a.b`), joined by `&&`. */
function hasFacts(expr: unknown): Set<string> {
  const node = opOf(expr);
  const facts = new Set<string>();
  if (node?.op === "has" && isObject(node.body)) {
    const path = Array.isArray(node.body.attr) ? node.body.attr : [node.body.attr];
    let left: unknown = node.body.left;
    for (const attr of path) {
      facts.add(attrKey(left, attr));
      left = { ".": { left, attr } };
    }
  } else if (node?.op === "&&" && isObject(node.body)) {
    for (const f of hasFacts(node.body.left)) facts.add(f);
    for (const f of hasFacts(node.body.right)) facts.add(f);
  }
  return facts;
}

function union<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): Set<T> {
  return new Set([...a, ...b]);
}

/**
 * Names of attributes (of entities, context records or common types) whose value is an entity reference.
 * Names rather than typed paths: a lint can afford to over-approximate, and the message names the read.
 */
export function entityValuedAttributes(schema: SchemaJson<string>): Set<string> {
  const entityTypes = new Set<string>();
  const commonTypes = new Map<string, unknown>();
  for (const [ns, def] of Object.entries(schema)) {
    const prefix = ns === "" ? "" : `${ns}::`;
    for (const name of Object.keys(def.entityTypes ?? {})) entityTypes.add(`${prefix}${name}`).add(name);
    for (const [name, type] of Object.entries(def.commonTypes ?? {})) commonTypes.set(`${prefix}${name}`, type).set(name, type);
  }
  const found = new Set<string>();
  const seen = new Set<unknown>();
  const isEntity = (type: unknown): boolean =>
    isObject(type) && (type.type === "Entity" || (type.type === "EntityOrCommon" && entityTypes.has(String(type.name))));
  const visit = (type: unknown): void => {
    if (!isObject(type) || seen.has(type)) return;
    seen.add(type);
    if (type.type === "Record" && isObject(type.attributes)) {
      for (const [attr, attrType] of Object.entries(type.attributes)) {
        if (isEntity(attrType)) found.add(attr);
        visit(attrType);
      }
    } else if (type.type === "Set") {
      visit(type.element);
    } else if (type.type === "EntityOrCommon" || commonTypes.has(String(type.type))) {
      visit(commonTypes.get(String(type.name ?? type.type)));
    }
  };
  for (const def of Object.values(schema)) {
    for (const entity of Object.values(def.entityTypes ?? {})) visit((entity as { shape?: unknown }).shape);
    for (const action of Object.values(def.actions ?? {})) visit(action.appliesTo?.context);
    for (const type of commonTypes.values()) visit(type);
  }
  return found;
}
