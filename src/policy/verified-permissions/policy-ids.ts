import { policyToJson } from "@cedar-policy/cedar-wasm/nodejs";

/**
 * The project's stable policy id (the `@id`) is kept in the Verified Permissions policy's description, as
 * `ztpdp:@id=<id>` (a static policy's description holds up to 150 characters, an `@id` up to 128,
 * https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_StaticPolicyDefinition.html).
 * The statement also keeps its `@id("...")` annotation, so a policy edited in the console still names
 * itself. Verified Permissions' own policy ids change whenever a policy is recreated; audit records,
 * scenario tests and `explain` always use the stable id.
 */

const MARKER = "ztpdp:@id=";
/** The loader's rule for `@id` values (src/policy/loader.ts). */
export const STABLE_ID = /^[A-Za-z0-9][A-Za-z0-9._:#-]{0,127}$/;

export function describeStableId(id: string): string {
  return `${MARKER}${id}`;
}

/** The stable id in a description written by `describeStableId`, if any. */
export function stableIdFromDescription(description: string | undefined): string | undefined {
  if (!description?.startsWith(MARKER)) return undefined;
  const id = description.slice(MARKER.length);
  return STABLE_ID.test(id) ? id : undefined;
}

/** The `@id("...")` annotation of a policy statement, if it has a valid one. */
export function stableIdFromStatement(statement: string): string | undefined {
  const json = policyToJson(statement);
  if (json.type === "failure") return undefined;
  const id = json.json.annotations?.["id"];
  return typeof id === "string" && STABLE_ID.test(id) ? id : undefined;
}

/**
 * A store policy's stable id: the description marker, else the statement's `@id`, else Verified
 * Permissions' own id (a policy created outside `ztpdp push`).
 */
export function stableIdOf(policyId: string, description: string | undefined, statement: string | undefined): string {
  return stableIdFromDescription(description) ?? (statement !== undefined ? stableIdFromStatement(statement) : undefined) ?? policyId;
}
