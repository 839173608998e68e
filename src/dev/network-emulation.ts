import { isIP } from "node:net";

/**
 * Local stack only. serverless-offline builds authorizer events without the network facts API Gateway
 * adds (REST: `requestContext.identity.sourceIp` / `vpceId`; HTTP API: `requestContext.http.sourceIp`),
 * so on a laptop every request looks like it came from nowhere and the data-perimeter policy can only
 * deny. These two headers let a developer say what API Gateway would have seen:
 *
 *   X-Ztpdp-Emulate-Source-Ip: 10.1.2.3
 *   X-Ztpdp-Emulate-Vpce-Id:   vpce-0a1b2c3d4e5f60718      (REST only: HTTP APIs have no private endpoints)
 *
 * Never deployed: only `serverless offline` with `--param emulateNetwork=true` (what `npm start` passes)
 * routes the authorizers through this wrapper (deploy/serverless-ztpdp.mjs); the packaged zips hold the
 * bundles built from functions/, which never import src/dev/. The headers are removed from the event
 * before the authorizer sees it, so they never reach an audit record.
 */

export const EMULATE_SOURCE_IP_HEADER = "x-ztpdp-emulate-source-ip";
export const EMULATE_VPCE_HEADER = "x-ztpdp-emulate-vpce-id";
const VPCE_ID = /^vpce-[0-9a-f]{8,17}$/;

type Handler<R> = (event: unknown, context: unknown) => Promise<R>;

export function withNetworkEmulation<R>(inner: Handler<R>): Handler<R> {
  return (event, context) => inner(emulateNetwork(event), context);
}

/** A copy of the event with the emulated network facts applied and the emulation headers removed. */
export function emulateNetwork(event: unknown): unknown {
  if (typeof event !== "object" || event === null) return event;
  const e = structuredClone(event) as Record<string, unknown>;
  const sourceIp = takeHeader(e, EMULATE_SOURCE_IP_HEADER);
  const vpceId = takeHeader(e, EMULATE_VPCE_HEADER);
  const ip = sourceIp !== undefined && isIP(sourceIp) !== 0 ? sourceIp : undefined;
  const vpce = vpceId !== undefined && VPCE_ID.test(vpceId) ? vpceId : undefined;
  if (ip === undefined && vpce === undefined) return e;
  const ctx = (typeof e.requestContext === "object" && e.requestContext !== null ? e.requestContext : (e.requestContext = {})) as Record<string, unknown>;
  if (e.version === "2.0") {
    // HTTP API payload 2.0: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
    if (ip !== undefined && typeof ctx.http === "object" && ctx.http !== null) (ctx.http as Record<string, unknown>).sourceIp = ip;
    return e;
  }
  // REST REQUEST authorizer: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
  const identity = (typeof ctx.identity === "object" && ctx.identity !== null ? ctx.identity : (ctx.identity = {})) as Record<string, unknown>;
  if (ip !== undefined) identity.sourceIp = ip;
  if (vpce !== undefined) identity.vpceId = vpce;
  return e;
}

/** Reads and removes a header (any case) from `headers` and `multiValueHeaders`. */
function takeHeader(event: Record<string, unknown>, lowerName: string): string | undefined {
  let value: string | undefined;
  for (const key of ["headers", "multiValueHeaders"] as const) {
    const map = event[key];
    if (typeof map !== "object" || map === null) continue;
    for (const name of Object.keys(map)) {
      if (name.toLowerCase() !== lowerName) continue;
      const v = (map as Record<string, unknown>)[name];
      const first = Array.isArray(v) ? v[0] : v;
      if (typeof first === "string") value ??= first.trim();
      delete (map as Record<string, unknown>)[name];
    }
  }
  return value;
}
