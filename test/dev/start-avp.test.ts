import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as tokenMain } from "../../src/dev/token-cli.js";
import { checkAuditRecord } from "../support/audit-contract.js";
import { FIXTURE_CONFIG } from "../support/fixture-project.js";
import { stackReady, startStack, stopStack } from "./stack-process.js";

// The README's "ZTPDP_ENGINE=avp-mirror npm start": the built dist/dev/start.mjs on the test project's
// config, every port free, with the local Verified Permissions endpoint as one of the stack's services.
// The authorizers decide from the store it filled from the config's policy folder.

let stack: ReturnType<typeof startStack>;
let output: string[] = [];

beforeAll(async () => {
  stack = startStack(["--http-port", "0", "--lambda-port", "0", "--idp-port", "0", "--config", FIXTURE_CONFIG], { ZTPDP_ENGINE: "avp-mirror" });
  output = stack.lines;
  await stackReady(stack);
}, 120_000);

afterAll(() => stopStack(stack?.child));

async function waitForOutput(pattern: RegExp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const line = output.find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no output line matching ${pattern}:\n${output.join("\n")}`);
}

describe("npm start on Verified Permissions (ZTPDP_ENGINE=avp-mirror)", () => {
  it("says which store it filled from which folder, and how to publish an edit", () => {
    const text = output.join("\n");
    expect(text).toMatch(/Verified Permissions: local endpoint http:\/\/127\.0\.0\.1:\d+, store \S+ \(\d+ policies from \S*test\/fixtures\/project\/policies\/, revision sha256:/);
    expect(text).toMatch(/engine: mirror/);
    expect(text).toMatch(/after editing \S+:  npx ztpdp push \S*test\/fixtures\/project\/policies --endpoint http:\/\/127\.0\.0\.1:\d+ --policy-store-id \S+/);
  });

  it("decides an allow and a deny through the mirrored store, and prints records that match the audit JSON Schema", async () => {
    const text = output.join("\n");
    const restUrl = /REST API \(REQUEST authorizer\): (\S+)/.exec(text)![1]!;
    const tokenConfig = /npm run -s token -- --config '([^']+)'/.exec(text)![1]!;
    const mint = (args: string) => {
      let out = "";
      expect(tokenMain(["--config", tokenConfig, ...args.split(" ")], (s) => (out += s), () => undefined)).toBe(0);
      const value = (name: string) => new RegExp(`^${name}='([^']*)'`, "m").exec(out)?.[1] ?? "";
      return { authorization: `Bearer ${value("TOKEN")}`, "x-device-token": value("DEVICE_TOKEN") };
    };
    const ok = await fetch(`${restUrl}/wiki/home`, { headers: mint("--user alice --groups Employees --device patched --provider jamf") });
    expect(ok.status).toBe(200);
    const { decisionId } = (await ok.json()) as { decisionId: string };
    const allowed = JSON.parse((await waitForOutput(new RegExp(`"decisionId":"${decisionId}"`))).trim()) as Record<string, unknown>;
    expect(allowed).toMatchObject({ outcome: "allow", engine: "verified-permissions-mirror", determiningPolicies: ["wiki-employees-read"] });
    checkAuditRecord(allowed);

    const denied = await fetch(`${restUrl}/wiki/home`, { headers: mint("--user alice --groups Employees --device unpatched --provider jamf") });
    expect(denied.status).toBe(403);
    const record = JSON.parse((await waitForOutput(/"outcome":"deny".*"engine":"verified-permissions-mirror"/)).trim()) as Record<string, unknown>;
    checkAuditRecord(record);
  });
});
