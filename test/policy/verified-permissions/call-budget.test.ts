import { describe, expect, it } from "vitest";
import { callWithBudget } from "../../../src/policy/verified-permissions/call-budget.js";
import { avpPolicySourceSchema } from "../../../src/policy/verified-permissions/options.js";

/** Retries inside a budget, with errors shaped like the SDK's (name, $metadata.httpStatusCode). */
const sdkError = (name: string, status?: number) => Object.assign(new Error(`${name} happened`), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
const budget = { timeoutMs: 5_000, attemptTimeoutMs: 1_000, maxAttempts: 4 };

function failing(errors: unknown[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    run: async () => {
      const e = errors[calls++];
      if (e) throw e;
      return "answer";
    },
  };
}

describe("callWithBudget", () => {
  it.each([
    ["ThrottlingException (429)", sdkError("ThrottlingException", 429)],
    ["InternalServerException (500)", sdkError("InternalServerException", 500)],
    ["a bare 503", sdkError("Error", 503)],
    ["a reset connection", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })],
  ])("retries %s and returns the later answer", async (_what, error) => {
    const f = failing([error, error]);
    expect(await callWithBudget(f.run, budget, { random: () => 0 })).toEqual({ ok: true, value: "answer", attempts: 3 });
  });

  it.each([
    ["ValidationException (400)", sdkError("ValidationException", 400)],
    ["ResourceNotFoundException (404)", sdkError("ResourceNotFoundException", 404)],
    ["AccessDeniedException (403)", sdkError("AccessDeniedException", 403)],
  ])("never retries %s", async (_what, error) => {
    const f = failing([error]);
    const r = await callWithBudget(f.run, budget, { random: () => 0 });
    expect(r).toMatchObject({ ok: false, retryable: false, attempts: 1, name: error.name });
    expect(f.calls).toBe(1);
  });

  it("stops at maxAttempts, and before a pause that would leave no time for another attempt", async () => {
    const always = failing(Array.from({ length: 10 }, () => sdkError("ThrottlingException", 429)));
    expect(await callWithBudget(always.run, budget, { random: () => 0 })).toMatchObject({ ok: false, retryable: true, attempts: 4 });
    let t = 0;
    const clocked = failing(Array.from({ length: 10 }, () => sdkError("ThrottlingException", 429)));
    // Each attempt "takes" 2.49 s of a 5 s budget: a third would have 20 ms, too little to be worth starting.
    const r = await callWithBudget(async () => ((t += 2_490), clocked.run()), budget, { random: () => 0, now: () => t });
    expect(r).toMatchObject({ ok: false, attempts: 2 });
  });

  it("aborts an attempt that does not answer in time, and retries", async () => {
    let calls = 0;
    const r = await callWithBudget(
      (signal) =>
        new Promise<string>((resolve, reject) => {
          calls += 1;
          if (calls > 1) return resolve("second");
          signal.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" })));
        }),
      { timeoutMs: 5_000, attemptTimeoutMs: 50, maxAttempts: 2 },
      { random: () => 0 },
    );
    expect(r).toEqual({ ok: true, value: "second", attempts: 2 });
  });
});

describe("config", () => {
  const base = { engine: "verified-permissions", policyStoreId: "PSEXAMPLEabcdefg111111" };
  it("defaults: remote, namespace ZtPdp, a 750 ms budget of 3 attempts of at most 400 ms", () => {
    expect(avpPolicySourceSchema.parse(base)).toMatchObject({ mode: "remote", namespace: "ZtPdp", timeoutMs: 750, attemptTimeoutMs: 400, maxAttempts: 3, refreshSeconds: 60, maxStalenessSeconds: 600 });
  });
  it.each([
    [{ endpoint: "http://vpce.example.com" }, "plain http is allowed only to a loopback endpoint"],
    [{ namespace: "aws" }, "reserves the namespaces"],
    [{ namespace: "" }, "a Cedar namespace"],
    [{ refreshSeconds: 5 }, "expected number to be >=15"],
    [{ policyStoreId: "ps with spaces" }, "Invalid string"],
  ])("refuses %j", (extra, message) => {
    const r = avpPolicySourceSchema.safeParse({ ...base, ...extra });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });
});
