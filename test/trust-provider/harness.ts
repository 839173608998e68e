import { createHash } from "node:crypto";
import { MemoryAuditSink } from "../../src/audit/sink.js";
import type { LocalDynamo } from "../../src/dev/dynamodb.js";
import { freeLoopbackPort, startDevIssuers, type DevIssuers } from "../../src/dev/issuers.js";
import { ephemeralDevKeys, type DevKeys } from "../../src/dev/keys.js";
import { DEV_UPSTREAM_CLIENT_SECRET } from "../../src/dev/login-idp.js";
import { mintDeviceToken, type DeviceState } from "../../src/dev/mint.js";
import type { HttpRequest, HttpResponse } from "../../src/trust-provider/http.js";
import { createTrustProvider, type TrustProvider } from "../../src/trust-provider/provider.js";
import { ALL_ROUTES } from "../../src/trust-provider/routes.js";
import { writeLocalConfig } from "../support/local-config.js";
import { signingJwks, startTestDynamo } from "../support/trust-provider.js";

/**
 * The trust provider in process (its `handle`, no API Gateway), with the real pieces around it: the
 * development IdP over loopback HTTP, dynalite through the AWS SDK, real keys. The browser's hop through
 * the IdP is a real HTTP request.
 */

export const CLIENT = { id: "ava", secret: "ava-secret-abcdefghijklmnopqrstuvwxyz012345", redirectUri: "https://app.example.com/oauth2/idpresponse" };

export interface Harness {
  tp: TrustProvider;
  audit: MemoryAuditSink;
  keys: DevKeys;
  issuer: string;
  device(user: string, state?: DeviceState): string;
  /** Authorize → IdP → callback; returns the callback's answer (normally the redirect to AVA). */
  login(params: Record<string, string | undefined>, headers?: Record<string, string>): Promise<HttpResponse>;
  request(method: string, path: string, o?: { query?: string; body?: string; headers?: Record<string, string> }): Promise<HttpResponse>;
  token(form: Record<string, string>): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  edit?: (doc: Record<string, unknown>) => void;
  env?: Record<string, string>;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const port = await freeLoopbackPort();
  const issuer = `http://127.0.0.1:${await freeLoopbackPort()}`;
  const { loaded, cleanup } = writeLocalConfig(`http://127.0.0.1:${port}`, (doc) => {
    const tp = doc.trustProvider as Record<string, unknown>;
    tp.issuer = issuer;
    tp.clients = [{ clientId: CLIENT.id, clientSecretSha256: createHash("sha256").update(CLIENT.secret).digest("hex"), redirectUris: [CLIENT.redirectUri] }];
    o.edit?.(doc);
  });
  const keys = ephemeralDevKeys();
  const idp: DevIssuers = await startDevIssuers({ config: loaded.config, keys, port });
  const dynamo: LocalDynamo = await startTestDynamo();
  const audit = new MemoryAuditSink();
  const closeAll = async () => {
    await dynamo.close();
    await idp.close();
    cleanup();
  };
  const tp = await createTrustProvider({
    config: loaded,
    routes: ALL_ROUTES,
    audit,
    env: {
      ZTPDP_TP_SIGNING_KEYS: JSON.stringify(signingJwks()),
      ZTPDP_TP_UPSTREAM_CLIENT_SECRET: DEV_UPSTREAM_CLIENT_SECRET,
      ZTPDP_TP_DYNAMODB_ENDPOINT: dynamo.endpoint,
      ...o.env,
    },
  }).catch(async (err: unknown) => {
    await closeAll();
    throw err;
  });
  const request: Harness["request"] = (method, path, r = {}) =>
    tp.handle({ method, path, rawQuery: r.query ?? "", headers: r.headers ?? {}, body: r.body ?? "", sourceIp: "203.0.113.10", requestId: "req-1" } satisfies HttpRequest);
  const jamf = loaded.config.devicePosture.providers.find((p) => p.name === "jamf")!;
  return {
    tp,
    audit,
    keys,
    issuer,
    device: (user, state = "patched") => mintDeviceToken(keys.mdm, { provider: "jamf", issuer: jamf.issuer, audience: jamf.audiences[0]!, user, state }),
    request,
    async login(params, headers = {}) {
      const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
      const first = await request("GET", "/oauth2/authorize", { query, headers });
      if (first.status !== 302 || !first.headers.location?.startsWith(`http://127.0.0.1:${port}/`)) return first;
      const atIdp = await fetch(first.headers.location, { redirect: "manual" });
      const back = new URL(atIdp.headers.get("location") ?? "");
      return request("GET", back.pathname, { query: back.search.slice(1) });
    },
    token: (form) =>
      request("POST", "/oauth2/token", {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: CLIENT.id, client_secret: CLIENT.secret, ...form }).toString(),
      }),
    close: closeAll,
  };
}

export const authorizeParams = (o: Record<string, string | undefined> = {}) => ({
  response_type: "code",
  client_id: CLIENT.id,
  redirect_uri: CLIENT.redirectUri,
  scope: "openid email",
  state: "ava-state",
  nonce: "ava-nonce",
  login_hint: "alice",
  ...o,
});
