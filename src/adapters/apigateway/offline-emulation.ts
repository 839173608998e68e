import { singleHeader, headerValues } from "./headers.js";

/**
 * serverless-offline (`npm start`, the end-to-end tests) fills a REST or HTTP API authorizer event with
 * placeholders where API Gateway puts facts it owns: `requestContext.domainName` is always
 * `random-api-id.execute-api.us-east-1.amazonaws.com`, and a REST event's `path` keeps the stage prefix
 * (node_modules/serverless-offline/src/events/http/createAuthScheme.js). Verified Access policies read
 * both (`context.http_request.hostname`, `.path`), so under the emulator only — `IS_OFFLINE=true` and that
 * exact placeholder, which no real API has (API ids are 10 lower-case letters and digits, and custom
 * domain names cannot end in amazonaws.com) — the Host header stands in for the domain name and the stage
 * prefix is dropped. In API Gateway the domain name always comes from API Gateway, never from a header.
 */
export const OFFLINE_DOMAIN_NAME = "random-api-id.execute-api.us-east-1.amazonaws.com";

export interface EmulatedFacts {
  host?: string;
  path?: string;
}

export function offlineEmulatedFacts(
  event: { requestContext?: { domainName?: string | null; stage?: string | null } | null; headers?: Record<string, string> | null; path?: unknown },
  env: NodeJS.ProcessEnv = process.env,
): EmulatedFacts | undefined {
  const context = event.requestContext;
  if (env.IS_OFFLINE !== "true" || context?.domainName !== OFFLINE_DOMAIN_NAME) return undefined;
  const host = singleHeader(headerValues(event.headers, undefined, "host"));
  // REST only: an HTTP API event's rawPath has no stage prefix under serverless-offline either.
  const raw = typeof event.path === "string" ? event.path : undefined;
  const stage = context.stage ? `/${context.stage}` : undefined;
  const path = raw !== undefined && stage !== undefined && (raw === stage || raw.startsWith(`${stage}/`)) ? raw.slice(stage.length) || "/" : raw;
  return { ...(host ? { host } : {}), ...(path !== undefined ? { path } : {}) };
}
