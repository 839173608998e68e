import { fork, type ChildProcess } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { parseConfig } from "../../src/config/load.js";
import { freeLoopbackPort, startDevIssuers } from "../../src/dev/issuers.js";
import { ephemeralDevKeys } from "../../src/dev/keys.js";
import { DEV_UPSTREAM_CLIENT_SECRET } from "../../src/dev/login-idp.js";
import { mintDeviceToken } from "../../src/dev/mint.js";
import { DEV_TABLE } from "../../src/dev/trust-provider-stack.js";
import { createDynamoClient } from "../../src/trust-provider/store.js";
import { lambdaContext, REPO } from "../fixture.js";
import { measure, type Measurement } from "../measure.js";

/**
 * The Verified Access trust provider's functions: the built tp-* bundles (what is deployed) called in
 * process with real API Gateway HTTP API (payload 2.0) events; the development IdP on loopback HTTP;
 * dynalite in its own process through the real AWS SDK. Per-call latency of each endpoint, a whole
 * sign-in, the floor (one GetItem through the SDK to the same table), and each function's cold start.
 */

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
const CLIENT = { id: "ava-bench", secret: "ava-bench-secret-0123456789abcdefghijkl", redirectUri: "https://wiki.example.com/oauth2/idpresponse" };
const FUNCTIONS = ["tp-discovery", "tp-authorize", "tp-token", "tp-userinfo"] as const;

function event(method: string, path: string, o: { query?: string; headers?: Record<string, string>; body?: string } = {}) {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: o.query ?? "",
    headers: { host: "tp.example.com", ...o.headers },
    ...(o.body !== undefined ? { body: o.body, isBase64Encoded: false } : { isBase64Encoded: false }),
    requestContext: { requestId: "bench", domainName: "tp.example.com", http: { method, path, sourceIp: "203.0.113.10", userAgent: "bench" } },
  };
}

export async function trustProviderGroup(iterations: number, coldRuns: number): Promise<Measurement[]> {
  const keys = ephemeralDevKeys();
  const port = await freeLoopbackPort();
  const origin = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "ztpdp-bench-tp-"));
  const configFile = join(dir, "pdp.yaml");
  const doc = parse(readFileSync(join(REPO, "config/pdp.yaml"), "utf8").replaceAll("http://127.0.0.1:8471", origin)) as Record<string, Record<string, unknown>>;
  doc.policy!.dir = join(REPO, "policies");
  doc.devicePosture!.patchBaselineFile = join(REPO, "policies/patch-baseline.yaml");
  doc.trustProvider!.clients = [{ clientId: CLIENT.id, clientSecretSha256: createHash("sha256").update(CLIENT.secret).digest("hex"), redirectUris: [CLIENT.redirectUri] }];
  writeFileSync(configFile, stringify(doc));
  const loaded = parseConfig(readFileSync(configFile, "utf8"), configFile);
  const idp = await startDevIssuers({ config: loaded.config, keys, port });
  const dynamoProcess: ChildProcess = fork(join(REPO, ".bench-out/dynamo-server.mjs"), [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const { endpoint } = await new Promise<{ endpoint: string }>((resolve) => dynamoProcess.once("message", (m) => resolve(m as { endpoint: string })));
  const signing = { keys: [{ ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }), kid: "bench-1", alg: "RS256" }] };
  const env = {
    ZTPDP_CONFIG: configFile,
    ZTPDP_TP_ISSUER: `http://127.0.0.1:${await freeLoopbackPort()}`,
    ZTPDP_TP_SIGNING_KEYS: JSON.stringify(signing),
    ZTPDP_TP_UPSTREAM_CLIENT_SECRET: DEV_UPSTREAM_CLIENT_SECRET,
    ZTPDP_TP_DYNAMODB_ENDPOINT: endpoint,
    ZTPDP_TP_TABLE: DEV_TABLE,
    POWERTOOLS_SERVICE_NAME: "ztpdp-bench",
  };
  Object.assign(process.env, env);

  const out: Measurement[] = [];
  // Cold starts first, in fresh processes, before this process warms anything.
  const coldEvents: Record<(typeof FUNCTIONS)[number], unknown> = {
    "tp-discovery": event("GET", "/.well-known/openid-configuration"),
    "tp-authorize": event("GET", "/oauth2/authorize", { query: "client_id=unknown" }),
    "tp-token": event("POST", "/oauth2/token", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=refresh_token&refresh_token=x" }),
    "tp-userinfo": event("GET", "/oauth2/userinfo"),
  };
  // The cold-start floor: the same probe importing a handler that does nothing (Node's own start + fork + IPC).
  const noop = join(dir, "noop-handler.mjs");
  writeFileSync(noop, "export const handler = async () => ({ statusCode: 200 });\n");
  const bundles: Array<[string, string, unknown]> = [
    ["floor", noop, {}],
    ...FUNCTIONS.map((fn): [string, string, unknown] => [fn, join(REPO, `dist/${fn}/index.mjs`), coldEvents[fn]]),
  ];
  for (const [fn, file, coldEvent] of bundles) {
    const eventFile = join(dir, `${fn}.json`);
    writeFileSync(eventFile, JSON.stringify(coldEvent));
    const samples: number[] = [];
    for (let i = 0; i < coldRuns; i += 1) {
      const t0 = performance.now();
      const child = fork(join(REPO, ".bench-out/tp-coldstart-probe.mjs"), [file, eventFile], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit", "ipc"] });
      await new Promise<void>((resolve, reject) => {
        child.once("message", () => resolve());
        child.once("exit", (code) => reject(new Error(`${fn} cold-start probe exited with ${code}`)));
      });
      samples.push((performance.now() - t0) * 1000);
      await new Promise((resolve) => child.once("exit", resolve));
    }
    samples.sort((a, b) => a - b);
    const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]! * 10) / 10;
    out.push({ name: `tp.coldstart.${fn}`, p50_us: at(0.5), p99_us: at(1), p999_us: at(1), ops_s: 0, iterations: coldRuns, note: `fork() to the first answer, median of ${coldRuns} runs (µs)` });
  }

  const handlers = {} as Record<(typeof FUNCTIONS)[number], Handler>;
  for (const fn of FUNCTIONS) handlers[fn] = ((await import(join(REPO, `dist/${fn}/index.mjs`))) as { handler: Handler }).handler;
  const call = (fn: (typeof FUNCTIONS)[number], e: unknown) => handlers[fn](e, lambdaContext);
  const jamf = loaded.config.devicePosture.providers.find((p) => p.name === "jamf")!;
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const basic = { authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString("base64")}` };

  /** authorize → IdP (real HTTP) → callback → token: one whole sign-in with a device token. */
  async function signIn(): Promise<{ access_token: string; refresh_token: string }> {
    const device = mintDeviceToken(keys.mdm, { provider: "jamf", issuer: jamf.issuer, audience: jamf.audiences[0]!, user: "alice", state: "patched" });
    const query = new URLSearchParams({ response_type: "code", client_id: CLIENT.id, redirect_uri: CLIENT.redirectUri, scope: "openid", state: "s", nonce: "n", login_hint: "alice" }).toString();
    const a = await call("tp-authorize", event("GET", "/oauth2/authorize", { query, headers: { "x-device-token": device } }));
    const atIdp = await fetch(a.headers.location!, { redirect: "manual" });
    const back = new URL(atIdp.headers.get("location")!);
    const c = await call("tp-authorize", event("GET", "/oauth2/callback", { query: back.search.slice(1) }));
    const code = new URL(c.headers.location!).searchParams.get("code");
    if (!code) throw new Error(`sign-in failed: ${c.statusCode} ${c.headers.location}`);
    const t = await call("tp-token", event("POST", "/oauth2/token", { headers: { ...form, ...basic }, body: `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}` }));
    if (t.statusCode !== 200) throw new Error(`code redemption failed: ${t.body}`);
    return JSON.parse(t.body) as { access_token: string; refresh_token: string };
  }

  const expect = (status: number) => (r: { statusCode: number; body: string }) => {
    if (r.statusCode !== status) throw new Error(`expected ${status}, got ${r.statusCode}: ${r.body}`);
  };
  const discoveryEvent = event("GET", "/.well-known/openid-configuration");
  const jwksEvent = event("GET", "/oauth2/jwks");
  out.push(await measure("tp.discovery", async () => expect(200)(await call("tp-discovery", discoveryEvent)), { yieldBetween: true, warmup: 500, iterations }));
  out.push(await measure("tp.jwks", async () => expect(200)(await call("tp-discovery", jwksEvent)), { yieldBetween: true, warmup: 500, iterations }));

  const session = await signIn();
  const userinfoEvent = event("GET", "/oauth2/userinfo", { headers: { authorization: `Bearer ${session.access_token}` } });
  const storeIterations = Math.min(iterations, 3_000);
  out.push(await measure("tp.userinfo", async () => expect(200)(await call("tp-userinfo", userinfoEvent)), { yieldBetween: true, warmup: 200, iterations: storeIterations, note: "2 GetItem (access token, session)" }));
  let refresh = session.refresh_token;
  out.push(
    await measure(
      "tp.token.refresh",
      async () => {
        const r = await call("tp-token", event("POST", "/oauth2/token", { headers: { ...form, ...basic }, body: `grant_type=refresh_token&refresh_token=${refresh}` }));
        expect(200)(r);
        refresh = (JSON.parse(r.body) as { refresh_token: string }).refresh_token;
      },
      { yieldBetween: true, warmup: 100, iterations: Math.min(iterations, 1_000), note: "DeleteItem + GetItem + 2 PutItem + RS256 ID token" },
    ),
  );
  out.push(await measure("tp.signin", () => signIn(), { yieldBetween: true, warmup: 20, iterations: Math.min(iterations, 300), note: "authorize + IdP hop (HTTP) + callback + code redemption" }));
  const client = createDynamoClient({ endpoint });
  const get = new GetItemCommand({ TableName: DEV_TABLE, Key: { pk: { S: "access#none" } }, ConsistentRead: true });
  out.push(await measure("tp.floor.getitem", () => client.send(get), { yieldBetween: true, warmup: 200, iterations: storeIterations, note: "one GetItem through the SDK to the same dynalite" }));
  client.destroy();

  dynamoProcess.disconnect();
  await idp.close();
  return out;
}
