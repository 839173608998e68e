import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { authenticateClient } from "../../src/trust-provider/client-auth.js";
import { parseParams } from "../../src/trust-provider/http.js";

const secret = "s3cret:with+special/chars%";
const clients = new Map([["ava", { clientId: "ava", clientSecretSha256: createHash("sha256").update(secret).digest("hex"), redirectUris: ["https://a.example.com/oauth2/idpresponse"] }]]);
const form = (text: string) => {
  const p = parseParams(text);
  if (!p.ok) throw new Error(p.message);
  return p;
};
// RFC 6749 §2.3.1: both parts form-urlencoded, then Basic.
const basic = (id: string, s: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(s)}`).toString("base64")}`;

describe("token endpoint client authentication", () => {
  it("accepts client_secret_basic, with form-urlencoded id and secret", () => {
    expect(authenticateClient(clients, basic("ava", secret), form("grant_type=x"))).toMatchObject({ ok: true, method: "client_secret_basic" });
  });

  it("accepts client_secret_post", () => {
    const body = new URLSearchParams({ client_id: "ava", client_secret: secret }).toString();
    expect(authenticateClient(clients, undefined, form(body))).toMatchObject({ ok: true, method: "client_secret_post" });
  });

  it.each([
    ["a wrong secret (basic)", basic("ava", "nope"), ""],
    ["a wrong secret (post)", undefined, "client_id=ava&client_secret=nope"],
    ["an unknown client", basic("mallory", secret), ""],
    ["no authentication at all", undefined, "client_id=ava"],
    ["two methods at once", basic("ava", secret), `client_secret=${encodeURIComponent(secret)}`],
    ["a body client_id naming another client", basic("ava", secret), "client_id=other"],
    ["malformed Basic credentials", "Basic !!!", ""],
    ["Basic without a colon", `Basic ${Buffer.from("ava").toString("base64")}`, ""],
  ])("refuses %s", (_name, header, body) => {
    expect(authenticateClient(clients, header, form(body)).ok).toBe(false);
  });
});
