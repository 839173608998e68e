import { createHash } from "node:crypto";
import { validation, notFound, conflict } from "./errors.js";
import { optInt, optString, reqString, NEXT_TOKEN, POLICY_STORE_ID, type Body } from "./fields.js";
import type { PolicyStore } from "./model.js";

/** Every policy store of one local endpoint, plus the idempotency tokens it has seen. */
export class Registry {
  readonly stores = new Map<string, PolicyStore>();
  private readonly tokens = new Map<string, { digest: string; result: unknown; at: number }>();

  /** The store named by `policyStoreId` in `body` (an id or `policy-store-alias/...`, which this endpoint does not resolve). */
  store(body: Body, path = ""): PolicyStore {
    const id = reqString(body, "policyStoreId", path, POLICY_STORE_ID);
    const store = this.stores.get(id);
    if (!store) throw notFound("POLICY_STORE", id);
    return store;
  }

  /**
   * `clientToken` idempotency: the same token with the same parameters returns the first result; with
   * other parameters it is a ConflictException; tokens are remembered for eight hours
   * (https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_CreatePolicy.html).
   */
  idempotent<T>(operation: string, body: Body, run: () => T): T {
    const token = optString(body, "clientToken", "", { min: 1, max: 64, pattern: /^[a-zA-Z0-9-]*$/ });
    if (token === undefined) return run();
    const key = `${operation}/${token}`;
    const digest = createHash("sha256").update(JSON.stringify(body)).digest("hex");
    const seen = this.tokens.get(key);
    if (seen && Date.now() - seen.at < 8 * 3600_000) {
      if (seen.digest !== digest) throw conflict("the client token was already used with other parameters", "CLIENT_TOKEN", token);
      return seen.result as T;
    }
    const result = run();
    this.tokens.set(key, { digest, result, at: Date.now() });
    return result;
  }
}

/**
 * Paging as the List operations do it: `maxResults` within 1..`max` (default `def`), an opaque `nextToken`
 * that resumes after the last key returned, so deletions between pages skip nothing that remains
 * (https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_ListPolicies.html).
 */
export function page<T>(body: Body, items: T[], key: (item: T) => string, def: number, max: number): { items: T[]; nextToken?: string } {
  const maxResults = optInt(body, "maxResults", "", 1, max) ?? def;
  const token = optString(body, "nextToken", "", NEXT_TOKEN);
  let after: string | undefined;
  if (token !== undefined) {
    try {
      const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
      if (typeof decoded.after !== "string") throw new Error();
      after = decoded.after;
    } catch {
      throw validation("the nextToken is not valid", "nextToken");
    }
  }
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((i) => key(i) > after);
  const out = rest.slice(0, maxResults);
  const more = rest.length > maxResults;
  return { items: out, ...(more ? { nextToken: Buffer.from(JSON.stringify({ after: key(out[out.length - 1] as T) })).toString("base64url") } : {}) };
}

/** Timestamps as the service sends them: ISO-8601 date-time strings. */
export function iso(d: Date): string {
  return d.toISOString();
}
