import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers.js";

/**
 * `ztpdp explain`/`test` mint scenario tokens the way each preset's IdP shapes them (no `typ` for
 * Cognito and Okta, `token_use` and `client_id`, `cid`/`uid`, Entra's `ver`/`tid`/`scp`, Keycloak's
 * payload `typ`...), so a policy author with a preset config gets real decisions, not 401s.
 * The examples run against this folder's fixture policies, not policies/.
 */

const root = mkdtempSync(join(tmpdir(), "ztpdp-presets-"));
cpSync(join(REPO_ROOT, "config/examples"), join(root, "config/examples"), { recursive: true });
cpSync(join(REPO_ROOT, "test/config/fixtures/examples-policies"), join(root, "policies"), { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function explain(example: string, who: string[]): Promise<{ decision: string; principal: { type: string; id: string; groups: string[] }; errors: unknown[] }> {
  const r = await runCli(["explain", "--config", `config/examples/${example}.yaml`, ...who, "--method", "GET", "--route", "/wiki/{page}", "--known-group", "Finance", "--json"], { cwd: root });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe("scenario tokens for preset issuers", () => {
  it.each([
    ["cognito", "eu-west-1_AbCdEf123|alice", ["eu-west-1_AbCdEf123|Finance"]],
    ["okta", "okta|alice", ["okta|Finance"]],
    ["entra", "entra|alice", ["entra|Finance"]],
    ["auth0", "auth0|alice", ["auth0|Finance"]],
    ["keycloak", "keycloak|alice", ["keycloak|Finance"]],
    ["google", "google|alice", []],
    ["generic", "alice", ["Finance"]],
  ])("%s: a user token verifies and maps to its principal", async (example, id, groups) => {
    const x = await explain(example, ["--user", "alice", "--group", "Finance"]);
    expect(x.decision).toBe("allow");
    expect(x.principal).toMatchObject({ type: "User", id, groups });
  });

  it.each([
    ["cognito", "eu-west-1_AbCdEf123|7m2machineexample0client2", "7m2machineexample0client2"],
    ["okta", "okta|0oa2ordersservice", "0oa2ordersservice"],
    ["entra", "entra|daemon-app", "daemon-app"],
    ["auth0", "auth0|m2m-client", "m2m-client"],
    ["keycloak", "keycloak|reporting-job", "reporting-job"],
  ])("%s: a client-credentials token maps to its Service", async (example, id, clientId) => {
    const x = await explain(example, ["--service", clientId]);
    expect(x.decision).toBe("allow");
    expect(x.principal).toMatchObject({ type: "Service", id });
  });
});
