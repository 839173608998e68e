import { randomUUID } from "node:crypto";
import { deviceSummary } from "../audit/device-summary.js";
import { AUDIT_SCHEMA, type AuditRecord } from "../audit/record.js";
import { emitAudit, powertoolsAuditSink, type AuditSink } from "../audit/sink.js";
import type { LoadedConfig } from "../config/load.js";
import { createIdentityVerifier } from "../identity/identity-verifier.js";
import type { JwtVerifyOptions } from "../identity/jwt-verifier.js";
import { loadBaseline } from "../posture/baseline.js";
import { createPostureVerifier } from "../posture/verifier.js";
import { authorize } from "./authorize.js";
import { callback } from "./callback.js";
import type { AuditFacts, Endpoint, Handled, TrustProviderDeps } from "./deps.js";
import { discovery, ENDPOINT_PATHS, jwks } from "./discovery.js";
import { TrustProviderConfigError } from "./errors.js";
import { json, NO_STORE, type HttpRequest, type HttpResponse } from "./http.js";
import { signingKeysFromJwks } from "./signing-keys.js";
import { createDynamoStore, StoreUnavailableError, type TrustStore } from "./store.js";
import { token } from "./token-endpoint.js";
import { createUpstreamBroker } from "./upstream.js";
import { userinfo } from "./userinfo.js";

export type RouteName = keyof typeof ENDPOINT_PATHS;
export const ALL_ROUTES: readonly RouteName[] = ["discovery", "jwks", "authorize", "callback", "token", "userinfo"];

const ENDPOINTS: Record<RouteName, { endpoint: Endpoint; methods: readonly string[]; action?: AuditFacts["action"] }> = {
  discovery: { endpoint: discovery, methods: ["GET"] },
  jwks: { endpoint: jwks, methods: ["GET"] },
  authorize: { endpoint: authorize, methods: ["GET", "POST"], action: "login" },
  callback: { endpoint: callback, methods: ["GET"], action: "login" },
  token: { endpoint: token, methods: ["POST"], action: "token" },
  userinfo: { endpoint: userinfo, methods: ["GET", "POST"] },
};

/** What each route needs built at cold start; nothing else is (the discovery function never opens the table). */
const NEEDS: Record<RouteName, readonly (keyof TrustProviderDeps)[]> = {
  discovery: ["keys"],
  jwks: ["keys"],
  authorize: ["store", "upstream"],
  callback: ["store", "upstream", "identity", "posture"],
  token: ["store", "keys"],
  userinfo: ["store"],
};

export interface TrustProviderOptions {
  config: LoadedConfig;
  /** The routes this function serves (one Lambda per group of routes). */
  routes: readonly RouteName[];
  audit?: AuditSink;
  now?: () => number;
  env?: Record<string, string | undefined>;
  /** Replaces the DynamoDB store (unit tests). */
  store?: TrustStore;
  /** Prefetch the JWKS of the upstream IdP and posture providers (default true). */
  hydrate?: boolean;
}

export interface TrustProvider {
  readonly issuer: string;
  handle(req: HttpRequest): Promise<HttpResponse>;
}

/**
 * The trust provider's composition root: config checks, keys, the state store, the upstream broker and
 * the verifiers are built here once per cold start, for the routes this function serves; any problem
 * throws here. Each request is routed, answered, and (for logins and token grants) audited here, beside
 * the answer, through the same sink and sanitizing as the authorizers' decisions.
 */
export async function createTrustProvider(o: TrustProviderOptions): Promise<TrustProvider> {
  const { config, resolvePath } = o.config;
  const tp = config.trustProvider;
  if (!tp) throw new TrustProviderConfigError(`${o.config.file}: no \`trustProvider\` section`);
  const env = o.env ?? process.env;
  const now = o.now ?? Date.now;
  const issuer = (env.ZTPDP_TP_ISSUER || tp.issuer).replace(/\/+$/, "");
  const audit = o.audit ?? powertoolsAuditSink();
  const jwt: JwtVerifyOptions = { limits: config.limits, jwks: config.jwks, allowInsecureLoopbackJwks: config.development.allowInsecureLoopbackJwks, now };
  const upstreamIssuer = config.issuers.find((i) => i.name === tp.upstream.issuer);
  if (!upstreamIssuer) throw new TrustProviderConfigError(`trustProvider.upstream.issuer: no issuer named \`${tp.upstream.issuer}\``);

  const builders: { [K in keyof TrustProviderDeps]?: () => TrustProviderDeps[K] } = {
    keys: () => signingKeysFromJwks(env[tp.signing.env], `environment variable ${tp.signing.env}`),
    store: () =>
      o.store ??
      createDynamoStore({
        tableName: env.ZTPDP_TP_TABLE || tp.store.tableName,
        ...((env.ZTPDP_TP_DYNAMODB_ENDPOINT || tp.store.endpoint) ? { endpoint: env.ZTPDP_TP_DYNAMODB_ENDPOINT || tp.store.endpoint } : {}),
        ...(tp.store.region ? { region: tp.store.region } : {}),
      }),
    upstream: () => {
      const secret = env[tp.upstream.clientSecretEnv];
      if (!secret) throw new TrustProviderConfigError(`environment variable ${tp.upstream.clientSecretEnv} (the client secret at the corporate IdP) is not set`);
      return createUpstreamBroker({ config: tp, issuer: upstreamIssuer, ourIssuer: issuer, clientSecret: secret, allowInsecureLoopback: config.development.allowInsecureLoopbackJwks });
    },
    // The corporate IdP's ID tokens for our client: the named issuer entry (its keys, algorithms, group claim,
    // principal mapping, preset), with the token kind, type and audience of an ID token issued to us.
    identity: () =>
      createIdentityVerifier(
        [{ ...upstreamIssuer, tokenUse: "id", types: tp.upstream.idTokenTypes, audiences: [tp.upstream.clientId], services: { ...upstreamIssuer.services, enabled: false } }],
        jwt,
      ),
    posture: () =>
      createPostureVerifier({
        providers: config.devicePosture.providers,
        maxAgeSeconds: config.devicePosture.maxAgeSeconds,
        baseline: loadBaseline(resolvePath(config.devicePosture.patchBaselineFile)),
        jwt,
      }),
  };
  const built: Partial<TrustProviderDeps> = {};
  for (const route of o.routes) {
    for (const need of NEEDS[route]) if (built[need] === undefined) (built as Record<string, unknown>)[need] = builders[need]!();
  }
  const deps = {
    ...built,
    config: tp,
    issuer,
    clients: new Map(tp.clients.map((c) => [c.clientId, c])),
    postureMaxAgeSeconds: config.devicePosture.maxAgeSeconds,
    maxTokenBytes: config.limits.maxTokenBytes,
    upstreamEntityIdPrefix: upstreamIssuer.principal.entityIdPrefix,
    now,
  } as TrustProviderDeps;
  if (o.hydrate !== false) await Promise.all([built.identity?.hydrate(), built.posture?.hydrate()]);

  const byPath = new Map<string, RouteName>(o.routes.map((r) => [ENDPOINT_PATHS[r], r]));
  return {
    issuer,
    async handle(req) {
      const started = process.hrtime.bigint();
      const route = byPath.get(req.path);
      if (route === undefined) return json(404, { error: "not_found" });
      const { endpoint, methods, action } = ENDPOINTS[route];
      if (!methods.includes(req.method)) return json(405, { error: "invalid_request", error_description: "method not allowed" }, { allow: methods.join(", ") });
      let handled: Handled;
      try {
        handled = await endpoint(req, deps);
      } catch (err) {
        handled = fault(err, action);
      }
      if (handled.audit) emitAudit(audit, loginAuditRecord(handled.audit, req, now(), Number(process.hrtime.bigint() - started) / 1000));
      return handled.response;
    },
  };
}

/** A server-side fault: 503 when the state store is down (retryable), else 500; never a client's error. */
function fault(err: unknown, action: AuditFacts["action"] | undefined): Handled {
  const unavailable = err instanceof StoreUnavailableError;
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return {
    response: json(unavailable ? 503 : 500, { error: unavailable ? "temporarily_unavailable" : "server_error" }, { ...NO_STORE }),
    ...(action ? { audit: { action, outcome: "error", errors: [{ code: unavailable ? "store_unavailable" : "internal_error", message }] } } : {}),
  };
}

/** The authorizers' audit record (same schema, same sanitizing sink), describing a login or a token grant. */
export type LoginAuditRecord = AuditRecord & { trustProvider: { risk?: string; sessionExpiresAt?: number; clientAuth?: string } };

function loginAuditRecord(f: AuditFacts, req: HttpRequest, nowMs: number, latencyUs: number): LoginAuditRecord {
  return {
    schema: AUDIT_SCHEMA,
    decisionId: randomUUID(),
    timestamp: new Date(nowMs).toISOString(),
    ...(req.requestId ? { requestId: req.requestId } : {}),
    outcome: f.outcome,
    effect: f.outcome === "allow" ? "allow" : "deny",
    principal: f.who ? { ...f.who.principal } : null,
    groups: f.who?.groups ?? [],
    identity: f.who?.identity ?? f.identity ?? {},
    device: f.who?.device ?? f.device ?? deviceSummary(undefined),
    action: `oidc:${f.action}`,
    resource: f.clientId ? { type: "VerifiedAccessClient", id: f.clientId } : null,
    request: {
      method: req.method,
      route: req.path,
      ...(req.host ? { host: req.host } : {}),
      ...(req.sourceIp ? { sourceIp: req.sourceIp } : {}),
      ...(req.userAgent ? { userAgent: req.userAgent } : {}),
    },
    determiningPolicies: [],
    errors: f.errors,
    policyRevision: "",
    engine: "trust-provider",
    latencyUs: Math.round(latencyUs * 10) / 10,
    trustProvider: {
      ...(f.risk ? { risk: f.risk } : {}),
      ...(f.sessionExpiresAt !== undefined ? { sessionExpiresAt: f.sessionExpiresAt } : {}),
      ...(f.clientAuth ? { clientAuth: f.clientAuth } : {}),
    },
  };
}
