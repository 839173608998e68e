import { AVA_USER_CONTEXT_HEADER, type AvaRequestFields } from "../../ava/request.js";
import type { HttpApiAuthorizerEvent, RestRequestAuthorizerEvent } from "./events.js";
import { headerValues, singleHeader } from "./headers.js";

/**
 * The Verified Access fields of an API Gateway authorizer event: AVA's signed header and the request
 * facts of AVA's `context.http_request` (trust-data-default-context.html). The path is the request path
 * as API Gateway received it (REST `path`, HTTP API `rawPath`): AVA policies match paths, while the
 * project's own model only ever uses the route template.
 */

type Headers = Record<string, string> | null | undefined;
type MultiHeaders = Record<string, string[]> | null | undefined;

function common(headers: Headers, multi: MultiHeaders): AvaRequestFields {
  const signed = headerValues(headers, multi, AVA_USER_CONTEXT_HEADER);
  const forwardedFor = headerValues(headers, multi, "x-forwarded-for");
  // API Gateway sets X-Forwarded-Port on requests it forwards; default to HTTPS.
  const port = Number(singleHeader(headerValues(headers, multi, "x-forwarded-port")) ?? "443");
  return {
    // Sent twice is refused (an empty value fails verification), never one of the two picked.
    ...(signed.length > 0 ? { userContext: signed.length === 1 ? signed[0] : "" } : {}),
    ...(forwardedFor.length > 0 ? { forwardedFor: forwardedFor.join(", ") } : {}),
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 443,
  };
}

export function restAvaFields(event: RestRequestAuthorizerEvent): AvaRequestFields {
  const query = (event as { multiValueQueryStringParameters?: Record<string, string[]> | null }).multiValueQueryStringParameters;
  const params = new URLSearchParams();
  for (const [k, values] of Object.entries(query ?? {})) for (const v of values ?? []) params.append(k, v);
  return {
    ...common(event.headers, event.multiValueHeaders),
    ...(typeof event.path === "string" ? { path: event.path } : {}),
    query: params.toString(),
  };
}

export function httpAvaFields(event: HttpApiAuthorizerEvent): AvaRequestFields {
  const raw = event as { rawPath?: unknown; rawQueryString?: unknown };
  return {
    ...common(event.headers, undefined),
    ...(typeof raw.rawPath === "string" ? { path: raw.rawPath } : {}),
    query: typeof raw.rawQueryString === "string" ? raw.rawQueryString : "",
  };
}
