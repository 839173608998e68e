import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditRecord } from "../../src/audit/record.js";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import { createPdp } from "../../src/pdp.js";
import type { AuthorizationQuery, EngineAnswer, PolicyEngine } from "../../src/policy/engine.js";
import { PolicyLoadError } from "../../src/policy/problems.js";
import { PatchBaselineError } from "../../src/posture/baseline.js";
import type { JwksServerMode } from "../support/jwks-server.js";
import {
  CONFIG_FILE,
  configDocFor,
  decideOnce,
  expectAllowed,
  expectNoRawToken,
  expectRefused,
  loadDoc,
  startHarness,
  startServers,
  tempPolicyDir,
  type ConfigDoc,
  type Harness,
} from "./harness.js";

/**
 * threats.md, "Configuration and faults": bad configuration stops the start-up with every problem named
 * (file, and line where there is one); key-server faults are bounded in time and size and end in an
 * `error` outcome (5xx-class), never an allow, with cached keys serving through a bounded stale window;
 * a failing audit sink still gets the record out on stdout.
 */

const open: Harness[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
  cleanups.splice(0).forEach((c) => c());
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  open.push(h);
  return h;
}

/** Build the harness config document (servers up, so URLs are real) and hand it to `fn`. */
async function withDoc<T>(fn: (doc: ConfigDoc) => T | Promise<T>): Promise<T> {
  const { idp, mdm } = await startServers();
  try {
    return await fn(configDocFor(idp, mdm));
  } finally {
    await Promise.all([idp.close(), mdm.close()]);
  }
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration: invalid config is refused at start-up, listing every problem", () => {
  it("control: the harness document (the shipped config re-pointed at loopback) is valid", async () => {
    await withDoc((doc) => {
      const loaded = parseConfig(JSON.stringify(doc), CONFIG_FILE);
      expect(loaded.config.issuers[0]?.name).toBe("dev-idp");
      expect(loaded.config.devicePosture.providers.map((p) => p.name)).toEqual(["jamf", "crowdstrike", "jumpcloud", "generic-mdm"]);
    });
  });

  it("schema problems: all of them, each with its path, and the file named", async () => {
    await withDoc((doc) => {
      doc.issuers[0].algorithms = ["HS256"];
      doc.issuers[0].audiences = [];
      doc.issuers[0].jwksUri = "not a url";
      doc.routes[0].classification = "secret";
      doc.limits = { maxTokenBytes: 10, clockSkewSecnds: 5 };
      doc.jwks = { ttlSeconds: 0 };
      doc.devicePosture.providers[0].format = "intune";
      doc.debug = true;
      const err = configError(() => loadDoc(doc));
      expect(err.file).toBe(CONFIG_FILE);
      expect(err.message).toContain(CONFIG_FILE);
      const paths = err.problems.map((p) => p.split(":")[0]);
      for (const path of [
        "issuers.0.algorithms.0",
        "issuers.0.audiences",
        "issuers.0.jwksUri",
        "routes.0.classification",
        "limits.maxTokenBytes",
        "limits",
        "jwks.ttlSeconds",
        "devicePosture.providers.0.format",
        "(root)",
      ]) {
        expect(paths, `problem for \`${path}\` in ${JSON.stringify(err.problems)}`).toContain(path);
      }
      expect(err.problems.length).toBeGreaterThanOrEqual(9);
    });
  });

  it("cross-field problems: all of them (duplicate issuer and name, plain http off loopback, duplicate route)", async () => {
    await withDoc((doc) => {
      doc.devicePosture.providers[1].issuer = doc.issuers[0].issuer;
      doc.devicePosture.providers[2].name = "jamf";
      doc.devicePosture.providers[3].jwksUri = "http://10.0.0.5/jwks.json";
      doc.routes.push({ ...doc.routes[0] });
      const err = configError(() => loadDoc(doc));
      expect(err.problems).toEqual([
        expect.stringMatching(/^devicePosture\.providers\.1\.issuer: .* is already used by issuers\.0$/),
        expect.stringMatching(/^devicePosture\.providers\.2\.name: `jamf` is already used by devicePosture\.providers\.0$/),
        expect.stringMatching(/^devicePosture\.providers\.3\.jwksUri: plain http is allowed only to loopback/),
        expect.stringMatching(/^routes\.6\.path: `\/wiki` is listed twice$/),
      ]);
    });
  });

  it("plain-http key URLs without the development flag: every issuer and provider is listed", async () => {
    await withDoc((doc) => {
      doc.development = { allowInsecureLoopbackJwks: false };
      const err = configError(() => loadDoc(doc));
      // 1 issuer + 4 posture providers, and the Verified Access trust provider's own (loopback) issuer URL.
      expect(err.problems).toHaveLength(6);
      expect(err.problems.every((p) => p.includes("plain http is refused"))).toBe(true);
      expect(err.problems.filter((p) => p.startsWith("trustProvider.issuer:"))).toHaveLength(1);
    });
  });

  it("YAML with a duplicate key is refused, not last-one-wins", () => {
    const err = configError(() => parseConfig("version: 1\nversion: 1\nissuers: []\n", CONFIG_FILE));
    expect(err.problems[0]).toMatch(/not valid YAML\/JSON/);
  });
});

describe("configuration: bad policies or baseline stop createPdp, naming file and line", () => {
  const broken = '// a policy with a syntax error\n@id("broken")\npermit (principal, action, resource)\nwhen { context.device.managed && };\n';
  const typo = '@id("typo")\npermit (principal, action in Action::"read", resource)\nwhen { context.device.managedd };\n';

  async function refused(files: Record<string, string | { copy: string }>): Promise<PolicyLoadError> {
    const dir = tempPolicyDir(files);
    cleanups.push(dir.cleanup);
    const { idp, mdm } = await startServers();
    try {
      const err = await createPdp({ config: loadDoc(configDocFor(idp, mdm, dir.dir)), audit: { write() {} } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PolicyLoadError);
      return err as PolicyLoadError;
    } finally {
      await Promise.all([idp.close(), mdm.close()]);
    }
  }

  it("control: the same folder with only good files starts and serves", async () => {
    const dir = tempPolicyDir({ "wiki.cedar": { copy: "wiki.cedar" } });
    cleanups.push(dir.cleanup);
    const h = await harness({ policyDir: dir.dir });
    expectAllowed(await decideOnce(h, h.request()));
  });

  it("policy syntax error → createPdp throws PolicyLoadError naming broken.cedar:4", async () => {
    const err = await refused({ "wiki.cedar": { copy: "wiki.cedar" }, "broken.cedar": broken });
    const problem = err.problems.find((p) => p.file.endsWith("broken.cedar") && p.severity === "error");
    expect(problem).toMatchObject({ line: 4 });
    expect(err.message).toMatch(/broken\.cedar:4:\d+: /);
  });

  it("schema validation error → createPdp throws PolicyLoadError naming typo.cedar:3", async () => {
    const err = await refused({ "wiki.cedar": { copy: "wiki.cedar" }, "typo.cedar": typo });
    const problem = err.problems.find((p) => p.file.endsWith("typo.cedar") && p.severity === "error");
    expect(problem).toMatchObject({ line: 3, policyId: "typo" });
    expect(err.message).toMatch(/typo\.cedar:3:\d+: .*managedd/);
  });

  it("both at once: every problem is reported, and no partial set is served", async () => {
    const err = await refused({ "wiki.cedar": { copy: "wiki.cedar" }, "broken.cedar": broken, "typo.cedar": typo });
    const files = new Set(err.problems.filter((p) => p.severity === "error").map((p) => p.file.split("/").pop()));
    expect(files).toEqual(new Set(["broken.cedar", "typo.cedar"]));
  });

  it("patch baseline with an unquoted version → createPdp throws naming the file and line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ztpdp-baseline-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "patch-baseline.yaml");
    writeFileSync(file, 'version: 1\nminimum:\n  macos: 15.10\n  windows: "10.0.26100"\n');
    const { idp, mdm } = await startServers();
    try {
      const doc = configDocFor(idp, mdm);
      doc.devicePosture.patchBaselineFile = file;
      const err = await createPdp({ config: loadDoc(doc), audit: { write() {} } }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(PatchBaselineError);
      expect((err as Error).message).toContain(file);
      expect((err as PatchBaselineError).problems).toEqual([expect.stringMatching(/^line 3: `minimum\.macos`: .*quote/)]);
    } finally {
      await Promise.all([idp.close(), mdm.close()]);
    }
  });
});

describe("faults: the user IdP's key endpoint", () => {
  const FAST = (doc: ConfigDoc) => void (doc.jwks = { timeoutMs: 300 });
  const modes: { mode: JwksServerMode; what: string }[] = [
    { mode: "error500", what: "down (500)" },
    { mode: "hang", what: "slow (never answers: time-out)" },
    { mode: "slow-body", what: "slow body (one byte per 100 ms)" },
    { mode: "html", what: "an HTML login page" },
    { mode: "huge", what: "a 2 MB body (chunked)" },
    { mode: "huge-declared", what: "a 2 MB body (declared length)" },
    { mode: "not-json", what: "broken JSON" },
    { mode: "no-keys", what: "JSON without keys" },
    { mode: "redirect", what: "a redirect elsewhere" },
  ];

  it.each(modes)("cold start, endpoint $what → outcome error (jwks_unavailable) (bounded by jwks.timeoutMs, no timing assertion here); recovers when it is back", async ({ mode }) => {
    const h = await harness({ hydrate: false, edit: FAST });
    h.idp.setMode(mode);
    const d = await decideOnce(h, h.request());
    expectRefused(d, "error", "jwks_unavailable");
    expect(h.idp.requests(h.idpJwksPath)).toBe(1);

    // The next request within the 5 s failure back-off does not wait on the endpoint again.
    const again = await decideOnce(h, h.request());
    expectRefused(again, "error", "jwks_unavailable");
    expect(h.idp.requests(h.idpJwksPath)).toBe(1);

    // Control: the same PDP allows once the endpoint answers again.
    h.idp.setMode("ok");
    h.clock.advanceSeconds(6);
    expectAllowed(await decideOnce(h, h.request()));
  });

  it.each([
    { mode: "error500" as const },
    { mode: "hang" as const },
    { mode: "html" as const },
  ])("endpoint $mode after a good fetch: cached keys serve through the stale window (TTL 300 s + 3600 s), then error", async ({ mode }) => {
    const h = await harness({ edit: FAST });
    const fetches = () => h.idp.requests(h.idpJwksPath);
    expectAllowed(await decideOnce(h, h.request()));
    h.idp.setMode(mode);

    h.clock.advanceSeconds(301); // TTL passed: a refresh is attempted, fails, the last good set is used
    expectAllowed(await decideOnce(h, h.request()));
    expect(fetches()).toBe(2);

    h.clock.advanceSeconds(3598); // 3899 s after the good fetch: still inside TTL + stale-if-error
    expectAllowed(await decideOnce(h, h.request()));

    h.clock.advanceSeconds(2); // 3901 s: beyond it
    const d = await decideOnce(h, h.request());
    expectRefused(d, "error", "jwks_unavailable");
    expect(d.decision.effect).toBe("deny");
  });
});

describe("faults: the audit sink", () => {
  let restore: (() => void) | undefined;
  afterEach(() => {
    restore?.();
    restore = undefined;
  });

  function captureStdout(): string[] {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write);
    restore = () => spy.mockRestore();
    return lines;
  }

  function auditLines(lines: string[]): { level: string; message: string; auditSinkFailed: string; audit: AuditRecord }[] {
    return lines
      .flatMap((l) => l.split("\n"))
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { level: string; message: string; auditSinkFailed: string; audit: AuditRecord })
      .filter((l) => l.message === "audit");
  }

  it("control: a working sink gets the record and nothing goes to stdout", async () => {
    const h = await harness();
    const lines = captureStdout();
    expectAllowed(await decideOnce(h, h.request()));
    restore?.();
    expect(auditLines(lines)).toEqual([]);
  });

  it.each([
    { what: "an allow", req: (h: Harness) => h.request(), outcome: "allow" },
    { what: "a 401", req: (h: Harness) => h.request({ bearerToken: h.userToken({ claims: { aud: "other" } }) }), outcome: "unauthenticated" },
    { what: "a 403", req: (h: Harness) => h.request({ deviceToken: undefined }), outcome: "deny" },
  ])("a throwing sink: $what is still recorded, once, on stdout, without the token", async ({ req, outcome }) => {
    let attempts = 0;
    const h = await harness({
      audit: {
        write() {
          attempts += 1;
          throw new Error("CloudWatch throttled");
        },
      },
    });
    const request = req(h);
    const lines = captureStdout();
    const decision = await h.pdp.decide(request);
    restore?.();
    expect(decision.outcome).toBe(outcome);
    expect(attempts).toBe(1);
    const out = auditLines(lines);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ level: "ERROR", auditSinkFailed: expect.stringContaining("CloudWatch throttled") });
    expect(out[0]!.audit).toMatchObject({ decisionId: decision.decisionId, outcome, schema: "ztpdp.audit/v2" });
    expectNoRawToken(out[0], [request.bearerToken, request.deviceToken]);
  });
});

describe("faults: the audit sink (asynchronous and odd failures)", () => {
  it("an async sink whose promise rejects: the record goes to stdout once, and no unhandled rejection escapes", async () => {
    const h = await harness({
      audit: {
        // Type-checks as a `void` sink; a Firehose/HTTP sink would look like this.
        write: async () => {
          throw new Error("firehose down");
        },
      },
    });
    const request = h.request();
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write);
    let decisionId: string;
    try {
      const decision = await h.pdp.decide(request);
      decisionId = decision.decisionId;
      expect(decision.outcome).toBe("allow");
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      spy.mockRestore();
      process.off("unhandledRejection", onRejection);
    }
    expect(rejections).toEqual([]);
    const audit = lines.filter((l) => l.includes('"message":"audit"')).map((l) => JSON.parse(l) as { auditSinkFailed: string; audit: AuditRecord });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ auditSinkFailed: expect.stringContaining("firehose down"), audit: { decisionId } });
    expectNoRawToken(audit[0], [request.bearerToken, request.deviceToken]);
  });

  it("a sink throwing a value that cannot be printed: the decision still resolves and is recorded on stdout", async () => {
    const h = await harness({
      audit: {
        write() {
          throw Object.create(null);
        },
      },
    });
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write);
    let outcome: string;
    try {
      outcome = (await h.pdp.decide(h.request({ deviceToken: undefined }))).outcome;
    } finally {
      spy.mockRestore();
    }
    expect(outcome).toBe("deny");
    const audit = lines.filter((l) => l.includes('"message":"audit"'));
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!)).toMatchObject({ auditSinkFailed: "unprintable error", audit: { outcome: "deny" } });
  });
});

describe("faults: the policy engine (stand-in for a remote engine that is down)", () => {
  class StubEngine implements PolicyEngine {
    readonly name = "verified-permissions" as const;
    readonly revision = "avp:stub";
    queries = 0;
    constructor(private readonly answer: (q: AuthorizationQuery) => EngineAnswer | Promise<EngineAnswer>) {}
    isAuthorized(q: AuthorizationQuery): EngineAnswer | Promise<EngineAnswer> {
      this.queries += 1;
      return this.answer(q);
    }
  }
  const allow: EngineAnswer = { type: "success", decision: "allow", determiningPolicies: ["p"], errors: [] };

  it("control: an engine that allows → allow, recorded with its revision", async () => {
    const h = await harness({ engine: new StubEngine(() => allow) });
    const d = await decideOnce(h, h.request());
    expectAllowed(d);
    expect(d.record).toMatchObject({ engine: "verified-permissions", policyRevision: "avp:stub" });
  });

  it.each([
    { what: "throws (throttled)", engine: () => new StubEngine(() => { throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }); }), code: "engine_failure" },
    { what: "rejects (down)", engine: () => new StubEngine(() => Promise.reject(new Error("connect ECONNREFUSED"))), code: "engine_failure" },
    { what: "answers failure", engine: () => new StubEngine(() => ({ type: "failure", errors: [{ message: "ServiceUnavailable" }] })), code: "engine_failure" },
    { what: "allows with a policy error", engine: () => new StubEngine(() => ({ ...allow, errors: [{ policyId: "f", message: "overflow" }] })), code: "policy_evaluation_error" },
  ] as const)("an engine that $what → deny ($code), one record", async ({ engine, code }) => {
    const h = await harness({ engine: engine() });
    const d = await decideOnce(h, h.request());
    expectRefused(d, "deny", code);
  });
});
