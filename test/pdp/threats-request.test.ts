import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessRequest } from "../../src/decision/types.js";
import { decideOnce, expectAllowed, expectRefused, INSIDE_IP, startHarness, type Harness } from "./harness.js";

/**
 * threats.md, "The HTTP request", for what reaches the core: the `AccessRequest`. Header parsing and
 * event shapes (header case, null vs missing maps, duplicate headers in events) belong to the adapters
 * and are not tested here. The core must take the resource from the route template only, ignore anything
 * it was not designed to read, and escape and cap every request value it logs.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const HR = "/hr/records/{employeeId}";

describe("request: the resource comes from the route template, never from path parameters or a raw path", () => {
  it.each([
    ["../../hr/records/e-100"],
    ["..%2F..%2Fhr%2Frecords%2Fe-100"],
    ["%2e%2e/%2e%2e/hr/records/e-100"],
    ["%252e%252e%252fhr"],
    ["//hr/records/e-100"],
    ["Home\u0000/../../hr"],
    ["Home;/hr/records/e-100"],
  ])("wiki page parameter %j: still the wiki route, decided as the wiki", async (page) => {
    const d = await decideOnce(h, h.request({ pathParameters: { page } }));
    expectAllowed(d);
    expect(d.record.resource).toEqual({ type: "Route", id: "/wiki/{page}", application: "wiki", classification: "internal" });
    expect(d.decision.determiningPolicies).toEqual(["wiki-employees-read"]);
  });

  it.each([["../../../wiki/Home"], ["..%2F..%2F..%2Fwiki%2FHome"], ["%2e%2e/%2e%2e/status"]])(
    "hr employeeId parameter %j: still the restricted HR route, so alice (no HR group) is denied",
    async (employeeId) => {
      expectAllowed(await decideOnce(h, h.request()));
      const d = await decideOnce(h, h.request({ routeTemplate: HR, pathParameters: { employeeId }, sourceIp: INSIDE_IP }));
      expectRefused(d, "deny", "policy_denied");
      expect(d.record.resource).toMatchObject({ id: HR, application: "hr", classification: "restricted" });
    },
  );

  it.each([
    ["/wiki/../hr/records/{employeeId}"],
    ["/wiki/%2e%2e/status"],
    ["/wiki/..%2Fstatus"],
    ["//wiki/{page}"],
    ["/wiki/{page}/"],
    ["/wiki//{page}"],
    ["/WIKI/{page}"],
    ["/wiki/{page}\u0000"],
    ["/wiki/%7Bpage%7D"],
    ["/wiki/Home"],
    ["/status/"],
    ["/status?x=1"],
    ["wiki/{page}"],
    [""],
    ["$default"],
    ["__proto__"],
    ["constructor"],
  ])("route template %j is not in the catalog → deny (route_unknown), recorded with no resource", async (routeTemplate) => {
    expectAllowed(await decideOnce(h, h.request()));
    const d = await decideOnce(h, h.request({ routeTemplate }));
    expectRefused(d, "deny", "route_unknown");
    expect(d.record.resource).toBeNull();
    expect(d.record.principal).toEqual({ type: "User", id: "alice" });
    expect(JSON.stringify(d.record)).not.toContain("\u0000");
  });
});

describe("request: the method is the routed one; overrides never reach the core", () => {
  it("control: HEAD is a read and is allowed like GET", async () => {
    expectAllowed(await decideOnce(h, h.request({ method: "HEAD" })));
  });

  it.each([["get"], ["Get"], ["GET "], ["TRACE"], ["CONNECT"], ["PROPFIND"], ["__proto__"], ["toString"], [""]])(
    "method %j → deny (method_unknown)",
    async (method) => {
      expectAllowed(await decideOnce(h, h.request()));
      expectRefused(await decideOnce(h, h.request({ method })), "deny", "method_unknown");
    },
  );

  it("a write (POST) by an Employee who is not an Editor is denied, whatever override a client sent", async () => {
    expectAllowed(await decideOnce(h, h.request()));
    const withOverride = { ...h.request({ method: "POST" }), "x-http-method-override": "GET", _method: "GET" } as AccessRequest;
    const d = await decideOnce(h, withOverride);
    expectRefused(d, "deny", "policy_denied");
    expect(d.record.action).toBe("POST");
  });

  it("control: an Editor (Employees + Editors, MFA) may POST to the wiki", async () => {
    const d = await decideOnce(h, h.request({ method: "POST", bearerToken: h.userToken({ claims: { groups: ["Employees", "Editors"] } }) }));
    expectAllowed(d);
    expect(d.decision.determiningPolicies).toEqual(["wiki-editors-write"]);
  });
});

describe("request: shapes an adapter may hand over", () => {
  it("null or empty path-parameter maps (offline vs real API Gateway events) change nothing", async () => {
    expectAllowed(await decideOnce(h, h.request({ pathParameters: null as unknown as Record<string, string> })));
    expectAllowed(await decideOnce(h, h.request({ pathParameters: {} })));
  });

  it("a malformed request from a buggy adapter (host not a string): outcome error (internal_error), one record, never an allow", async () => {
    expectAllowed(await decideOnce(h, h.request()));
    const d = await decideOnce(h, h.request({ host: 42 as unknown as string }));
    expectRefused(d, "error", "internal_error");
    // What was verified before the fault is kept in the record.
    expect(d.record.principal).toEqual({ type: "User", id: "alice" });
    expect(d.decision.determiningPolicies).toEqual([]);
  });
});

describe("request: caller-supplied trust fields do not exist in the core", () => {
  it("extra fields claiming groups, a user or a device posture change nothing", async () => {
    const spoof = {
      "x-groups": "HR",
      groups: ["HR"],
      "x-user": "hana",
      principal: { type: "User", id: "hana" },
      "x-device-managed": "true",
      "x-device-compliant": "true",
      posture: { verified: true, managed: true, compliant: true, os: { patched: true } },
      "x-forwarded-for": INSIDE_IP,
    };
    // Control: alice without a device token is denied the wiki, and denied HR from inside.
    const base = { deviceToken: undefined };
    expectRefused(await decideOnce(h, h.request(base)), "deny", "policy_denied");
    const wiki = await decideOnce(h, { ...h.request(base), ...spoof } as AccessRequest);
    expectRefused(wiki, "deny", "policy_denied");
    expect(wiki.record.device).toMatchObject({ verified: false, untrustedReason: "device_token_missing" });
    const hr = await decideOnce(h, { ...h.request({ routeTemplate: HR, pathParameters: { employeeId: "e-1" } }), ...spoof } as AccessRequest);
    expectRefused(hr, "deny", "policy_denied");
    expect(hr.record.principal).toEqual({ type: "User", id: "alice" });
    expect(hr.record.groups).toEqual(["Employees"]);
    expect(hr.decision.determiningPolicies).toEqual(["data-perimeter-restricted"]);
  });
});

describe("request: logged values are escaped and capped", () => {
  it.each([
    { what: "CR/LF (log forging)", ua: 'curl/8\r\n{"outcome":"allow","principal":"admin"}', shown: 'curl/8\\u{000d}\\u{000a}{"outcome":"allow","principal":"admin"}' },
    { what: "a bidi override", ua: "Mozilla\u202Egnp.exe", shown: "Mozilla\\u{202e}gnp.exe" },
    { what: "a bidi isolate", ua: "a\u2066b\u2069c", shown: "a\\u{2066}b\\u{2069}c" },
    { what: "NUL and ESC (terminal escapes)", ua: "x\u0000\u001b[31mred", shown: "x\\u{0000}\\u{001b}[31mred" },
    { what: "a line separator", ua: "a\u2028b", shown: "a\\u{2028}b" },
    { what: "DEL and C1 controls", ua: "a\u007f\u0085b", shown: "a\\u{007f}\\u{0085}b" },
  ])("user agent with $what: allowed as before, recorded escaped", async ({ ua, shown }) => {
    const d = await decideOnce(h, h.request({ userAgent: ua }));
    expectAllowed(d);
    expect(d.record.request.userAgent).toBe(shown);
    expect(JSON.stringify(d.record)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\\n|\\r/);
  });

  it("user agent with a lone surrogate: replaced by U+FFFD before Cedar (which refuses it), so the decision stands, recorded escaped", async () => {
    // Not reachable from real HTTP (header bytes decode to U+FFFD, never to a lone surrogate), but an
    // adapter bug must not turn one odd character into an engine failure.
    expectAllowed(await decideOnce(h, h.request()));
    const d = await decideOnce(h, h.request({ userAgent: "a\ud800b" }));
    expectAllowed(d);
    expect(d.record.request.userAgent).toBe("a\\u{fffd}b");
  });

  it("host, request id and route with CR/LF are escaped too", async () => {
    const d = await decideOnce(h, h.request({ host: "api.example.com\r\nX-Injected: 1", requestId: "req\n1", routeTemplate: "/wiki/{page}\r\n" }));
    expectRefused(d, "deny", "route_unknown");
    expect(d.record.request).toMatchObject({ host: "api.example.com\\u{000d}\\u{000a}X-Injected: 1", route: "/wiki/{page}\\u{000d}\\u{000a}" });
    expect(d.record.requestId).toBe("req\\u{000a}1");
  });

  it("huge values (1 MB user agent, 100 KB host, request id and path parameter) are capped in the record; the decision is unchanged", async () => {
    const d = await decideOnce(h, h.request({
      userAgent: "U".repeat(1024 * 1024),
      host: "h".repeat(100_000),
      requestId: "r".repeat(100_000),
      pathParameters: { page: "p".repeat(100_000) },
    }));
    expectAllowed(d);
    expect(d.record.request.userAgent).toBe(`${"U".repeat(256)}…[+${1024 * 1024 - 256}]`);
    expect(d.record.request.host).toBe(`${"h".repeat(256)}…[+${100_000 - 256}]`);
    expect(d.record.requestId).toBe(`${"r".repeat(256)}…[+${100_000 - 256}]`);
    expect(JSON.stringify(d.record).length).toBeLessThan(8_000);
  });

  it("a huge unknown route template and method are capped in the record", async () => {
    const d = await decideOnce(h, h.request({ routeTemplate: `/${"a".repeat(50_000)}` }));
    expectRefused(d, "deny", "route_unknown");
    expect(d.record.request.route.length).toBeLessThan(300);
    const m = await decideOnce(h, h.request({ method: "X".repeat(50_000) }));
    expectRefused(m, "deny", "method_unknown");
    expect(m.record.action.length).toBeLessThan(300);
    expect(JSON.stringify(m.record).length).toBeLessThan(8_000);
  });
});
