import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mintDeviceToken, mintUserToken } from "../../src/dev/mint.js";
import { httpApiEvent, restRequestEvent, tokenEvent } from "../adapters/apigateway/events.js";
import { checkAuditRecord } from "../support/audit-contract.js";
import { ROOT, startLocalIssuers, type LocalIssuers } from "../support/local-config.js";

// The built Lambda bundles (dist/<fn>/index.mjs), loaded as Lambda loads them, with the middy + Powertools
// chain: parser, logger (decision id as correlation id), metrics (EMF on stdout), the audit line.

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let issuers: LocalIssuers;
const stdout: string[] = [];

const context = {
  functionName: "zt-pdp-dev-restAuthorizer",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:zt-pdp-dev-restAuthorizer",
  memoryLimitInMB: "1024",
  awsRequestId: "8f507cfc-example",
  logGroupName: "/aws/lambda/zt-pdp-dev-restAuthorizer",
  logStreamName: "2026/11/23/[$LATEST]abc",
  getRemainingTimeInMillis: () => 5000,
} as unknown as Context;

const load = async (fn: string) => ((await import(pathToFileURL(join(ROOT, `dist/${fn}/index.mjs`)).href)) as { handler: Handler }).handler;

beforeAll(async () => {
  issuers = await startLocalIssuers();
  process.env.ZTPDP_CONFIG = issuers.configPath;
  process.env.POWERTOOLS_METRICS_NAMESPACE = "ZtPdpTest";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await issuers.close();
});

const tokens = () => ({
  user: mintUserToken(issuers.keys.idp, { issuer: issuers.issuer, audience: issuers.audience, user: "alice", groups: ["Employees"] }),
  device: mintDeviceToken(issuers.keys.mdm, { provider: "jamf", issuer: issuers.providerIssuer("jamf"), audience: "zt-pdp-device", user: "alice", state: "patched" }),
});

const jsonLines = () => {
  const lines = stdout
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const l of lines) if (l.message === "audit") checkAuditRecord(l.audit);
  return lines;
};

describe("built authorizer bundles", () => {
  it("REST REQUEST: allows, logs one audit line, emits Allow and latency metrics, never logs the token", async () => {
    const handler = await load("rest-authorizer");
    const { user, device } = tokens();
    stdout.length = 0;
    const res = (await handler(restRequestEvent({ headers: { Authorization: `Bearer ${user}`, "X-Device-Token": device } }), context)) as {
      policyDocument: { Statement: { Effect: string }[] };
      context: { decisionId: string };
    };
    expect(res.policyDocument.Statement[0]!.Effect).toBe("Allow");
    const lines = jsonLines();
    const audits = lines.filter((l) => l.message === "audit");
    expect(audits).toHaveLength(1);
    expect((audits[0]!.audit as { decisionId: string }).decisionId).toBe(res.context.decisionId);
    const emf = lines.find((l) => "_aws" in l);
    expect(emf).toBeDefined();
    expect(emf).toHaveProperty("Allow", 1);
    expect(emf).toHaveProperty("DecisionLatency");
    expect(stdout.join("")).not.toContain(user);
    expect(stdout.join("")).not.toContain(device);
  });

  it("REST REQUEST: an unparseable event is a 401 with its audit record, not a 500", async () => {
    const handler = await load("rest-authorizer");
    stdout.length = 0;
    await expect(handler({ nonsense: true }, context)).rejects.toThrow(/^Unauthorized$/);
    expect(jsonLines().filter((l) => l.message === "audit")).toHaveLength(1);
    expect(jsonLines().find((l) => "_aws" in l)).toHaveProperty("Unauthenticated", 1);
  });

  it("TOKEN: allows the status page on the bearer token alone", async () => {
    const handler = await load("token-authorizer");
    const { user } = tokens();
    const res = (await handler(tokenEvent(`Bearer ${user}`), context)) as { policyDocument: { Statement: { Effect: string }[] } };
    expect(res.policyDocument.Statement[0]!.Effect).toBe("Allow");
  });

  it("HTTP API: simple response", async () => {
    const handler = await load("http-authorizer");
    const { user, device } = tokens();
    const res = await handler(httpApiEvent({ headers: { authorization: `Bearer ${user}`, "x-device-token": device } }), context);
    expect(res).toMatchObject({ isAuthorized: true, context: { principalId: "User::alice" } });
  });
});
