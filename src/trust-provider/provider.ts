import { emitAudit, powertoolsAuditSink, type AuditSink } from "../audit/sink.js";
import { isLoopbackHost, type LoadedConfig } from "../config/load.js";
import type { JwtVerifyOptions } from "../identity/jwt-verifier.js";
import { loginAuditRecord } from "./audit.js";
import type { AuditFacts, Handled, TrustProviderDeps } from "./deps.js";
import { StoreUnavailableError, TrustProviderConfigError } from "./errors.js";
import { json, NO_STORE, type HttpRequest, type HttpResponse } from "./http.js";
import type { BuildContext, Route } from "./route.js";
import type { TrustStore } from "./store.js";

export interface TrustProviderOptions {
  config: LoadedConfig;
  /** The endpoints this function serves (src/trust-provider/routes.ts groups them per function). */
  routes: readonly Route[];
  audit?: AuditSink;
  now?: () => number;
  env?: Record<string, string | undefined>;
  /** Replaces the DynamoDB store (unit tests). */
  store?: TrustStore;
  /** Prefetch the upstream IdP's discovery document and the JWKS of the IdP and posture providers (default true). */
  hydrate?: boolean;
}

export interface TrustProvider {
  readonly issuer: string;
  handle(req: HttpRequest): Promise<HttpResponse>;
}

/**
 * The trust provider's composition root: config checks, keys, the state store, the upstream broker and
 * the verifiers are built here once per cold start, only those the served routes need; any problem throws
 * here. Each request is routed, answered, and (for sign-ins and token grants) audited here, beside the
 * answer, through the same sink and sanitizing as the authorizers' decisions. Nothing here imports the
 * heavy pieces: route modules bring their builders, so a function bundles only what it serves.
 */
export async function createTrustProvider(o: TrustProviderOptions): Promise<TrustProvider> {
  const { config } = o.config;
  const tp = config.trustProvider;
  if (!tp) throw new TrustProviderConfigError(`${o.config.file}: no \`trustProvider\` section`);
  const env = o.env ?? process.env;
  const now = o.now ?? Date.now;
  const issuer = (env.ZTPDP_TP_ISSUER || tp.issuer).replace(/\/+$/, "");
  const problems = issuerProblems(issuer, config.development.allowInsecureLoopbackJwks);
  if (problems) throw new TrustProviderConfigError(`ZTPDP_TP_ISSUER / trustProvider.issuer: ${problems}`);
  const audit = o.audit ?? powertoolsAuditSink();
  const jwt: JwtVerifyOptions = { limits: config.limits, jwks: config.jwks, allowInsecureLoopbackJwks: config.development.allowInsecureLoopbackJwks, now };
  const upstreamIssuer = config.issuers.find((i) => i.name === tp.upstream.issuer);
  if (!upstreamIssuer) throw new TrustProviderConfigError(`trustProvider.upstream.issuer: no issuer named \`${tp.upstream.issuer}\``);
  const ctx: BuildContext = { loaded: o.config, tp, issuer, upstreamIssuer, jwt, env, ...(o.store ? { store: o.store } : {}) };

  const built: Record<string, unknown> = {};
  for (const route of o.routes) {
    for (const [name, build] of Object.entries(route.needs)) built[name] ??= (build as (c: BuildContext) => unknown)(ctx);
  }
  // Only the built dependencies are present; each route's endpoint uses only those its `needs` named.
  const deps = {
    ...(built as Partial<TrustProviderDeps>),
    config: tp,
    issuer,
    clients: new Map(tp.clients.map((c) => [c.clientId, c])),
    postureMaxAgeSeconds: config.devicePosture.maxAgeSeconds,
    maxTokenBytes: config.limits.maxTokenBytes,
    upstreamEntityIdPrefix: upstreamIssuer.principal.entityIdPrefix,
    now,
  } as Partial<TrustProviderDeps> as TrustProviderDeps;
  if (o.hydrate !== false) await Promise.all([deps.identity?.hydrate(), deps.posture?.hydrate(), deps.upstream?.prefetch()]);

  const byPath = new Map(o.routes.map((r) => [r.path, r]));
  return {
    issuer,
    async handle(req) {
      const started = process.hrtime.bigint();
      const route = byPath.get(req.path);
      if (route === undefined) return json(404, { error: "not_found" });
      if (!route.methods.includes(req.method)) return json(405, { error: "invalid_request", error_description: "method not allowed" }, { allow: route.methods.join(", ") });
      let handled: Handled;
      try {
        handled = await route.endpoint(req, deps);
      } catch (err) {
        handled = fault(err, route.action);
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

/** The issuer as served (the environment may override the config): https, or http on loopback in development. */
function issuerProblems(issuer: string, allowInsecureLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return `\`${issuer.slice(0, 100)}\` is not a URL`;
  }
  if (url.search !== "" || url.hash !== "") return "must have no query or fragment";
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && allowInsecureLoopback && isLoopbackHost(url.hostname)) return undefined;
  return "must be https (plain http only on loopback with development.allowInsecureLoopbackJwks)";
}
