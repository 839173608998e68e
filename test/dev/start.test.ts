import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/dev/issuers.js";
import { main as avaMain } from "../../src/dev/ava-cli.js";
import { main as tokenMain } from "../../src/dev/token-cli.js";
import { ROOT } from "../support/local-config.js";

// The README's main job, as a newcomer runs it: `npm start` (the built dist/dev/start.mjs on the bundled
// config: dev issuers on 127.0.0.1:8471, keys in .dev-keys/) and `npm run token`, then plain HTTP.

let child: ChildProcess;
const output: string[] = [];
let restUrl = "";
let tpIssuer = "";

beforeAll(async () => {
  const httpPort = await freeLoopbackPort();
  child = spawn(process.execPath, [join(ROOT, "dist/dev/start.mjs")], {
    cwd: ROOT,
    env: { ...process.env, ZTPDP_HTTP_PORT: String(httpPort), ZTPDP_LAMBDA_PORT: String(await freeLoopbackPort()), ZTPDP_CONFIG: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start not ready:\n${output.join("\n")}`)), 90_000);
    const onLine = (line: string) => {
      output.push(line);
      const m = /REST API \(REQUEST authorizer\): (\S+)/.exec(line);
      if (m) restUrl = m[1]!;
      const tp = /Verified Access trust provider \(OIDC\), issuer (\S+);/.exec(line);
      if (tp) tpIssuer = tp[1]!;
      if (line.includes("Ctrl-C stops everything")) {
        clearTimeout(timer);
        resolve();
      }
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    child.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output.join("\n")}`)));
  });
}, 120_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
  });
});

/** `eval "$(npm run -s token -- …)"`, in process. */
function mint(args: string): { TOKEN: string; DEVICE_TOKEN: string } {
  let out = "";
  expect(tokenMain(args.split(" "), (s) => (out += s), () => undefined)).toBe(0);
  const value = (name: string) => new RegExp(`^${name}='([^']*)'`, "m").exec(out)?.[1] ?? "";
  return { TOKEN: value("TOKEN"), DEVICE_TOKEN: value("DEVICE_TOKEN") };
}

async function waitForOutput(pattern: RegExp): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const line = output.find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no output line matching ${pattern}`);
}

describe("npm start + npm run token", () => {
  it("prints the base URL and ready-to-paste curl commands", () => {
    expect(restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dev$/);
    const text = output.join("\n");
    expect(text).toContain('eval "$(npm run -s token -- --user alice --groups Employees --device patched --provider jamf)"');
    expect(text).toContain(`${restUrl}/wiki/home -H "Authorization: Bearer $TOKEN"`);
  });

  it("gives an allow, a 403 and a 401, and prints each audit record", async () => {
    const allowed = mint("--user alice --groups Employees --device patched --provider jamf");
    const ok = await fetch(`${restUrl}/wiki/home`, { headers: { authorization: `Bearer ${allowed.TOKEN}`, "x-device-token": allowed.DEVICE_TOKEN } });
    expect(ok.status).toBe(200);
    const { decisionId } = (await ok.json()) as { decisionId: string };
    await waitForOutput(new RegExp(`"decisionId":"${decisionId}"`));

    const unpatched = mint("--user alice --groups Employees --device unpatched --provider jamf");
    const denied = await fetch(`${restUrl}/wiki/home`, { headers: { authorization: `Bearer ${unpatched.TOKEN}`, "x-device-token": unpatched.DEVICE_TOKEN } });
    expect(denied.status).toBe(403);
    await waitForOutput(/AUDIT DENY .*jamf macos 14\.6\.1 unpatched/);

    const expired = mint("--user alice --expired");
    expect((await fetch(`${restUrl}/wiki/home`, { headers: { authorization: `Bearer ${expired.TOKEN}` } })).status).toBe(401);
    await waitForOutput(/AUDIT UNAUTHENTICATED .*token_expired/);
  });

  it("runs the Verified Access trust provider with its DynamoDB: `npm run ava` signs alice in (ALLOW) and the sign-in is audited", async () => {
    expect(tpIssuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const run = async (args: string) => {
      let out = "";
      let err = "";
      const code = await avaMain([...args.split(" "), "--issuer", tpIssuer], (s) => (out += s), (s) => (err += s));
      return { code, out, err };
    };
    const allowed = await run("--user alice --device patched");
    expect(allowed.err).toBe("");
    expect(allowed.code).toBe(0);
    expect(allowed.out).toContain('"patched": true');
    expect(allowed.out).toMatch(/AVA policy .*: ALLOW/);
    await waitForOutput(/AUDIT ALLOW .*GET \/oauth2\/callback .*User::alice .*jamf macos 15\.7\.2 patched/);
    const otherDevice = await run("--user alice --device-user bob");
    expect(otherDevice.out).toContain('"untrusted_reason": "device_binding_mismatch"');
    expect(otherDevice.out).toMatch(/AVA policy .*: DENY/);
  });

  it("prints its options on --help (exit 0)", () => {
    let out = "";
    expect(tokenMain(["--help"], (s) => (out += s), () => undefined)).toBe(0);
    expect(out).toContain("--device STATE");
  });

  it("refuses an unknown token option with a usage error (exit 2)", () => {
    let err = "";
    expect(tokenMain(["--device", "shiny"], () => undefined, (s) => (err += s))).toBe(2);
    expect(err).toContain("--device must be patched, unpatched or none");
  });
});
