import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PdpConfig } from "../config/schema.js";
import type { DevKeys, DevSigningKey } from "./keys.js";
import { createLoginIdp } from "./login-idp.js";

/**
 * The development OIDC issuer and MDM, on loopback only. Routes come from the config itself: every issuer
 * and posture provider gets `<issuer path>/.well-known/openid-configuration`, and every JWKS URI is
 * served with the matching dev key (identity issuers: the IdP key; posture providers: the MDM key). So a
 * config written for other ports (tests) is served the same way as the bundled one.
 */

export interface DevIssuers {
  port: number;
  close(): Promise<void>;
}

export interface DevIssuersOptions {
  config: PdpConfig;
  keys: DevKeys;
  /** 0 picks a free port (then the config must have been written for it; see `freeLoopbackPort`). */
  port: number;
}

export async function startDevIssuers({ config, keys, port }: DevIssuersOptions): Promise<DevIssuers> {
  const routes = new Map<string, unknown>();
  // Identity issuers also sign users in (authorization + token endpoints), for the Verified Access trust provider.
  const login = createLoginIdp(config, keys.idp);
  const addIssuer = (issuer: string, jwksUri: string, key: DevSigningKey, extra: Record<string, unknown> = {}) => {
    routes.set(`${new URL(issuer).pathname.replace(/\/$/, "")}/.well-known/openid-configuration`, {
      ...extra,
      issuer,
      jwks_uri: jwksUri,
      id_token_signing_alg_values_supported: [key.alg],
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
    });
    routes.set(new URL(jwksUri).pathname, { keys: [key.publicJwk] });
  };
  for (const issuer of config.issuers) addIssuer(issuer.issuer, issuer.jwksUri, keys.idp, login.metadata(issuer.issuer));
  for (const provider of config.devicePosture.providers) addIssuer(provider.issuer, provider.jwksUri, keys.mdm);

  const server = createServer((req, res) => {
    if (login.handle(req, res)) return;
    const body = req.method === "GET" ? routes.get(new URL(req.url ?? "/", "http://127.0.0.1").pathname) : undefined;
    if (body === undefined) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" }).end(JSON.stringify(body));
  });
  await listen(server, port);
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

/** A port that was free on 127.0.0.1 a moment ago (for a child process that must know it in advance). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await listen(server, 0);
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
