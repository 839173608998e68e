import { z } from "zod";
import type { HttpRequest, HttpResponse } from "../../trust-provider/http.js";
import { httpApiAuthorizerEvent } from "./events.js";

/**
 * API Gateway HTTP API proxy integration, payload format 2.0
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
 * the event becomes a plain `HttpRequest` and a plain `HttpResponse` becomes the result. Accepts real
 * events and serverless-offline's (null maps). Only the fields read here are declared.
 */
export const httpProxyEvent = z.looseObject({
  version: z.literal("2.0").optional(),
  routeKey: z.string().min(1),
  rawPath: z.string().min(1),
  rawQueryString: z.string().nullish(),
  headers: z.record(z.string(), z.string()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
  // Same request context as the HTTP API authorizer event (request id, domain, method, source IP, user agent).
  requestContext: httpApiAuthorizerEvent.shape.requestContext,
});
export type HttpProxyEvent = z.infer<typeof httpProxyEvent>;

export interface HttpProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Bodies beyond this are refused before decoding (OAuth requests are a few hundred bytes). */
const MAX_BODY_BYTES = 64 * 1024;

export function toHttpRequest(event: HttpProxyEvent): HttpRequest | undefined {
  const headers: Record<string, string> = {};
  // v2 lowercases names and comma-joins repeats; lowercase again for emulators that do not.
  for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v;
  const raw = event.body ?? "";
  if (raw.length > MAX_BODY_BYTES * 2) return undefined;
  const body = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return undefined;
  const space = event.routeKey.indexOf(" ");
  // The route as configured (never a stage prefix), else the raw path for a `$default` route.
  const path = space > 0 ? event.routeKey.slice(space + 1) : event.rawPath;
  const http = event.requestContext.http;
  return {
    method: http.method.toUpperCase(),
    path,
    rawQuery: event.rawQueryString ?? "",
    headers,
    body,
    ...(http.sourceIp ? { sourceIp: http.sourceIp } : {}),
    ...(http.userAgent ? { userAgent: http.userAgent } : {}),
    ...(event.requestContext.requestId ? { requestId: event.requestContext.requestId } : {}),
    ...(event.requestContext.domainName ? { host: event.requestContext.domainName } : {}),
  };
}

export function toProxyResult(res: HttpResponse): HttpProxyResult {
  return { statusCode: res.status, headers: res.headers, body: res.body };
}

/** What an event that does not parse gets: a client error, never a 500. */
export const BAD_REQUEST: HttpProxyResult = {
  statusCode: 400,
  headers: { "content-type": "application/json", "cache-control": "no-store" },
  body: JSON.stringify({ error: "invalid_request" }),
};
