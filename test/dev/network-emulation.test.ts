import { describe, expect, it } from "vitest";
import { emulateNetwork, withNetworkEmulation } from "../../src/dev/network-emulation.js";
import { httpApiEvent, offlineRestRequestEvent } from "../adapters/apigateway/events.js";

// The local stack's emulated network facts (serverless-offline sends none), and their limits.
describe("emulateNetwork (local stack only)", () => {
  it("sets the REST identity's source IP and VPC endpoint from the headers, then removes the headers", () => {
    const event = offlineRestRequestEvent({ "X-Ztpdp-Emulate-Source-Ip": "10.1.2.3", "x-ztpdp-emulate-vpce-id": "vpce-0a1b2c3d4e5f60718", Authorization: "Bearer t" });
    const out = emulateNetwork(event) as { requestContext: { identity: unknown }; headers: Record<string, string>; multiValueHeaders: Record<string, string[]> };
    expect(out.requestContext.identity).toEqual({ sourceIp: "10.1.2.3", vpceId: "vpce-0a1b2c3d4e5f60718" });
    expect(out.headers).toEqual({ Authorization: "Bearer t" });
    expect(Object.keys(out.multiValueHeaders)).toEqual(["Authorization"]);
    // The original event is untouched.
    expect(event.headers).toHaveProperty("X-Ztpdp-Emulate-Source-Ip");
  });

  it("sets the HTTP API source IP (payload 2.0 has no VPC endpoint)", () => {
    const out = emulateNetwork(httpApiEvent({ headers: { "x-ztpdp-emulate-source-ip": "10.1.2.3", "x-ztpdp-emulate-vpce-id": "vpce-0a1b2c3d4e5f60718" } })) as {
      requestContext: { http: { sourceIp: string }; identity?: unknown };
      headers: Record<string, string>;
    };
    expect(out.requestContext.http.sourceIp).toBe("10.1.2.3");
    expect(out.requestContext.identity).toBeUndefined();
    expect(out.headers).toEqual({});
  });

  it("ignores values that are not an IP address or a VPC endpoint id (the headers are still removed)", () => {
    const out = emulateNetwork(offlineRestRequestEvent({ "X-Ztpdp-Emulate-Source-Ip": "10.1.2.3, 1.2.3.4", "X-Ztpdp-Emulate-Vpce-Id": "vpce-../../x" })) as {
      requestContext: { identity?: unknown };
      headers: Record<string, string>;
    };
    expect(out.requestContext.identity).toBeUndefined();
    expect(out.headers).toEqual({});
  });

  it("wraps a handler, which gets the emulated event", async () => {
    const seen: unknown[] = [];
    const handler = withNetworkEmulation(async (event) => seen.push(event));
    await handler(offlineRestRequestEvent({ "X-Ztpdp-Emulate-Source-Ip": "2001:db8::1" }), {});
    expect(seen[0]).toMatchObject({ requestContext: { identity: { sourceIp: "2001:db8::1" } } });
  });
});
