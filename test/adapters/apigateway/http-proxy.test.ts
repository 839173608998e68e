import { describe, expect, it } from "vitest";
import { httpProxyEvent, toHttpRequest } from "../../../src/adapters/apigateway/http-proxy.js";

// API Gateway HTTP API proxy events (payload 2.0) into the trust provider's plain requests. The shape is
// AWS's (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html);
// serverless-offline sends null for empty maps.

const base = {
  version: "2.0",
  routeKey: "POST /oauth2/token",
  rawPath: "/prod/oauth2/token",
  rawQueryString: "a=1",
  headers: { "Content-Type": "application/x-www-form-urlencoded", authorization: "Basic x" },
  body: "grant_type=refresh_token",
  isBase64Encoded: false,
  requestContext: { requestId: "r1", domainName: "tp.example.com", http: { method: "POST", path: "/prod/oauth2/token", sourceIp: "203.0.113.10", userAgent: "ua" } },
};
const parse = (event: unknown) => {
  const parsed = httpProxyEvent.safeParse(event);
  return parsed.success ? toHttpRequest(parsed.data) : undefined;
};

describe("HTTP API proxy event → plain request", () => {
  it("takes the path from the route key (never a stage prefix), lowercases header names, keeps the raw query", () => {
    expect(parse(base)).toEqual({
      method: "POST",
      path: "/oauth2/token",
      rawQuery: "a=1",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic x" },
      body: "grant_type=refresh_token",
      sourceIp: "203.0.113.10",
      userAgent: "ua",
      requestId: "r1",
      host: "tp.example.com",
    });
  });

  it("decodes a base64 body, and accepts serverless-offline's null maps", () => {
    const req = parse({ ...base, body: Buffer.from("code=abc").toString("base64"), isBase64Encoded: true, headers: null, rawQueryString: null });
    expect(req).toMatchObject({ body: "code=abc", headers: {}, rawQuery: "" });
  });

  it("uses the raw path for a $default route", () => {
    expect(parse({ ...base, routeKey: "$default", rawPath: "/oauth2/userinfo" })?.path).toBe("/oauth2/userinfo");
  });

  it("refuses an event that is not an HTTP API event, and a body over 64 KB", () => {
    expect(httpProxyEvent.safeParse({ type: "REQUEST" }).success).toBe(false);
    expect(parse({ ...base, body: "x".repeat(70 * 1024) })).toBeUndefined();
  });
});
