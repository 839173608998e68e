import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { restRequestAuthorizerEvent } from "../../../src/adapters/apigateway/events.js";
import { coldStartPdp, wrap } from "../../../src/adapters/lambda/handler.js";
import { captureOutput, lambdaContext, type StdoutCapture } from "../../support/bundles.js";
import { ROOT, startLocalIssuers, type LocalIssuers } from "../../support/local-config.js";

// The Lambda wiring itself (middy + Powertools), in process: one audit record per invocation even when
// the fault is in the wiring, before any decision.

let issuers: LocalIssuers;
let out: StdoutCapture;

beforeAll(async () => {
  issuers = await startLocalIssuers();
  vi.stubEnv("ZTPDP_CONFIG", issuers.configPath);
  await coldStartPdp(pathToFileURL(join(ROOT, "functions/rest-authorizer.ts")).href);
  out = captureOutput();
});
afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await issuers.close();
});

describe("exactly one audit record per invocation", () => {
  it("a handler that fails before deciding: the invocation is still recorded, once, as an error, and counted", async () => {
    const handler = await wrap(restRequestAuthorizerEvent, async () => {
      throw new TypeError("wiring bug");
    });
    out.clear();
    await expect(handler({ type: "REQUEST" }, lambdaContext())).rejects.toThrow("wiring bug");
    const audits = out.audits();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ outcome: "error", effect: "deny", errors: [{ code: "internal_error", message: "TypeError: wiring bug" }] });
    expect(out.metrics()[0]).toHaveProperty("Error", 1);
    const fault = out.lines().find((l) => l.message === "authorizer fault") as { fault?: { name: string; reason: string } };
    expect(fault.fault).toEqual({ name: "TypeError", reason: "wiring bug" });
  });
});
