import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./local-config.js";

/**
 * API Gateway's authorizer result cache, emulated for tests: the cache key is the values of the
 * authorizer's identity sources (all present and non-empty, or API Gateway answers 401 itself without
 * calling the authorizer), and a cached REST result is an IAM policy that API Gateway matches against the
 * next request's method ARN with its policy matcher (serverless-offline's implementation of it).
 */

type Event = Record<string, any>;

export type CanExecute = (policy: { Statement: unknown[] }, methodArn: string) => boolean;

export async function apiGatewayPolicyMatcher(): Promise<CanExecute> {
  const matcher = join(ROOT, "node_modules/serverless-offline/src/events/authCanExecuteResource.js");
  return ((await import(pathToFileURL(matcher).href)) as { default: CanExecute }).default;
}

/** REST (v1) mapping expressions: `method.request.header.X`, `context.a.b`. Null when API Gateway would answer 401. */
export function restCacheKey(identitySource: string, event: Event): string | null {
  const sources = identitySource.split(",").map((s) => s.trim());
  return keyOf(sources.map((source) => {
    if (source.startsWith("method.request.header.")) return header(event.headers, source.slice("method.request.header.".length));
    if (source.startsWith("context.")) return path(event.requestContext, source.slice("context.".length));
    throw new Error(`the cache emulation does not know the identity source \`${source}\``);
  }));
}

/** HTTP API (v2) selection expressions: `$request.header.X`, `$context.x`. */
export function httpCacheKey(identitySource: readonly string[], event: Event): string | null {
  const context: Record<string, unknown> = {
    routeKey: event.routeKey,
    domainName: event.requestContext?.domainName,
    identity: { sourceIp: event.requestContext?.http?.sourceIp, userAgent: event.requestContext?.http?.userAgent },
  };
  return keyOf(identitySource.map((source) => {
    if (source.startsWith("$request.header.")) return header(event.headers, source.slice("$request.header.".length));
    if (source.startsWith("$context.")) return path(context, source.slice("$context.".length));
    throw new Error(`the cache emulation does not know the identity source \`${source}\``);
  }));
}

function keyOf(values: (string | undefined)[]): string | null {
  return values.every((v) => typeof v === "string" && v !== "") ? JSON.stringify(values) : null;
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === wanted)?.[1];
}

function path(root: unknown, dotted: string): string | undefined {
  let value: unknown = root;
  for (const key of dotted.split(".")) value = value === null || typeof value !== "object" ? undefined : (value as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}
