import { describe, expect, it } from "vitest";
import { httpAvaFields, restAvaFields } from "../../../src/adapters/apigateway/ava-request.js";
import type { HttpApiAuthorizerEvent, RestRequestAuthorizerEvent } from "../../../src/adapters/apigateway/events.js";
import { OFFLINE_DOMAIN_NAME } from "../../../src/adapters/apigateway/offline-emulation.js";
import { httpApiEvent, offlineRestRequestEvent, restRequestEvent } from "./events.js";

// Verified Access policies read the host and the path. API Gateway owns both facts; serverless-offline
// only has placeholders for them, so only under the emulator does the Host header stand in.

const OFFLINE = { IS_OFFLINE: "true" };

function offlineEvent(): RestRequestAuthorizerEvent {
  const e = offlineRestRequestEvent({ Host: "wiki.corp.test:4010" }) as Record<string, unknown> & { requestContext: Record<string, unknown> };
  e.path = "/dev/wiki/home";
  e.requestContext.domainName = OFFLINE_DOMAIN_NAME;
  return e as unknown as RestRequestAuthorizerEvent;
}

describe("AVA request facts under serverless-offline", () => {
  it("takes the Host header and drops the stage prefix for serverless-offline's placeholder domain", () => {
    expect(restAvaFields(offlineEvent(), OFFLINE)).toMatchObject({ host: "wiki.corp.test:4010", path: "/wiki/home" });
  });

  it("never outside the emulator: without IS_OFFLINE the placeholder is not replaced", () => {
    const fields = restAvaFields(offlineEvent(), {});
    expect(fields.host).toBeUndefined();
    expect(fields.path).toBe("/dev/wiki/home");
  });

  it("never for a real domain name, even with IS_OFFLINE set", () => {
    const real = restRequestEvent({ headers: { Host: "evil.example" }, domainName: "api.corp.test" }) as unknown as RestRequestAuthorizerEvent;
    const fields = restAvaFields(real, OFFLINE);
    expect(fields.host).toBeUndefined();
    expect(fields.path).toBe("/wiki/home");
  });

  it("HTTP API: the Host header under the emulator, the raw path as it came", () => {
    const e = httpApiEvent({ headers: { host: "tools.corp.test" } }) as unknown as HttpApiAuthorizerEvent & { rawPath: string };
    e.requestContext.domainName = OFFLINE_DOMAIN_NAME;
    e.rawPath = "/dev/x";
    expect(httpAvaFields(e, OFFLINE)).toMatchObject({ host: "tools.corp.test", path: "/dev/x" });
    expect(httpAvaFields(e, {}).host).toBeUndefined();
  });
});
