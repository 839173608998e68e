import { createHash, timingSafeEqual } from "node:crypto";
import type { TrustProviderClient } from "./config-schema.js";
import type { Params } from "./http.js";

/**
 * Client authentication at the token endpoint (RFC 6749 §2.3.1): `client_secret_basic` (HTTP Basic, both
 * parts form-urlencoded first) and `client_secret_post` (`client_id` and `client_secret` in the body).
 * AVA's client behaviour is undocumented, so both are accepted; using both at once is refused ("MUST NOT
 * use more than one authentication method in each request").
 */

export type ClientAuthResult =
  | { ok: true; client: TrustProviderClient; method: "client_secret_basic" | "client_secret_post" }
  | { ok: false; clientId?: string; usedBasic: boolean; message: string };

export function authenticateClient(clients: ReadonlyMap<string, TrustProviderClient>, authorization: string | undefined, form: Params & { ok: true }): ClientAuthResult {
  const bodyId = form.get("client_id");
  const bodySecret = form.get("client_secret");
  const basic = authorization !== undefined && /^basic /i.test(authorization);
  if (basic && bodySecret !== undefined) return { ok: false, usedBasic: true, message: "more than one client authentication method" };
  if (basic) {
    const decoded = decodeBasic(authorization.slice(6).trim());
    if (!decoded) return { ok: false, usedBasic: true, message: "malformed Basic credentials" };
    // A client_id in the body must name the same client (RFC 6749 §3.2.1 allows it to be sent).
    if (bodyId !== undefined && bodyId !== decoded.id) return { ok: false, clientId: decoded.id, usedBasic: true, message: "client_id does not match the credentials" };
    return check(clients, decoded.id, decoded.secret, "client_secret_basic", true);
  }
  if (bodyId === undefined || bodySecret === undefined) return { ok: false, ...(bodyId ? { clientId: bodyId } : {}), usedBasic: false, message: "client authentication is required" };
  return check(clients, bodyId, bodySecret, "client_secret_post", false);
}

function check(
  clients: ReadonlyMap<string, TrustProviderClient>,
  id: string,
  secret: string,
  method: "client_secret_basic" | "client_secret_post",
  usedBasic: boolean,
): ClientAuthResult {
  const client = clients.get(id);
  // Hash before comparing: fixed-length inputs for timingSafeEqual, and the config only holds the hash.
  const presented = createHash("sha256").update(secret, "utf8").digest();
  const expected = Buffer.from(client?.clientSecretSha256 ?? "0".repeat(64), "hex");
  const match = timingSafeEqual(presented, expected);
  if (!client || !match) return { ok: false, clientId: id, usedBasic, message: "client authentication failed" };
  return { ok: true, client, method };
}

function decodeBasic(b64: string): { id: string; secret: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const text = Buffer.from(b64, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  try {
    // RFC 6749 §2.3.1: the id and secret are application/x-www-form-urlencoded before Basic encoding.
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return { id: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}
