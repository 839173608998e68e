import { describe, expect, it } from "vitest";
import { httpApiToAccess, restRequestToAccess } from "../../../src/adapters/apigateway/authorizer.js";
import { httpApiAuthorizerEvent, restRequestAuthorizerEvent } from "../../../src/adapters/apigateway/events.js";
import { restRequestEvent } from "./events.js";

// What the adapters pass on for Verified Access: the signed header and AVA's request facts.

describe("Verified Access fields of API Gateway events", () => {
  it("REST: raw path, query from the multi-value parameters, X-Forwarded-For, X-Forwarded-Port, the signed header", () => {
    const event = restRequestEvent({
      path: "/wiki/home",
      headers: { "X-Forwarded-For": "10.1.2.3, 198.51.100.1", "X-Forwarded-Port": "8443", "X-Amzn-Ava-User-Context": "h.p.s" },
    });
    (event as Record<string, unknown>).multiValueQueryStringParameters = { q: ["a b", "c"], x: ["1"] };
    const access = restRequestToAccess(restRequestAuthorizerEvent.parse(event));
    expect(access.ava).toEqual({ userContext: "h.p.s", path: "/wiki/home", query: "q=a+b&q=c&x=1", forwardedFor: "10.1.2.3, 198.51.100.1", port: 8443 });
  });

  it("REST: a signed header sent twice is passed on as empty (refused), never one of the two", () => {
    const event = restRequestEvent({ multiValueHeaders: { "x-amzn-ava-user-context": ["a.b.c", "d.e.f"] }, headers: { "x-amzn-ava-user-context": "a.b.c" } });
    expect(restRequestToAccess(restRequestAuthorizerEvent.parse(event)).ava?.userContext).toBe("");
  });

  it("REST: no header, no port header: nothing to verify, port 443; a bad port falls back to 443", () => {
    const plain = restRequestToAccess(restRequestAuthorizerEvent.parse(restRequestEvent({})));
    expect(plain.ava).toMatchObject({ path: "/wiki/home", query: "", port: 443 });
    expect(plain.ava?.userContext).toBeUndefined();
    const bad = restRequestToAccess(restRequestAuthorizerEvent.parse(restRequestEvent({ headers: { "x-forwarded-port": "99999" } })));
    expect(bad.ava?.port).toBe(443);
  });

  it("HTTP API: rawPath and rawQueryString", () => {
    const event = {
      version: "2.0",
      type: "REQUEST",
      routeArn: "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/$default/GET/wiki/home",
      routeKey: "GET /wiki/{page}",
      rawPath: "/wiki/home",
      rawQueryString: "a=1&b=2",
      headers: { "x-amzn-ava-user-context": "h.p.s", "x-forwarded-for": "10.0.0.1" },
      requestContext: { requestId: "r", http: { method: "GET", sourceIp: "10.0.0.1", userAgent: "ua" } },
    };
    expect(httpApiToAccess(httpApiAuthorizerEvent.parse(event)).ava).toEqual({ userContext: "h.p.s", path: "/wiki/home", query: "a=1&b=2", forwardedFor: "10.0.0.1", port: 443 });
  });
});
