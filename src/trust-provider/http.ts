/**
 * Plain HTTP request and response: the trust provider's endpoints never see an API Gateway event
 * (src/adapters/apigateway/http-proxy.ts converts). Header names are lowercase.
 */
export interface HttpRequest {
  method: string;
  path: string;
  /** The raw query string, without `?`. */
  rawQuery: string;
  headers: Record<string, string>;
  /** Decoded body text ("" when none). */
  body: string;
  sourceIp?: string;
  userAgent?: string;
  requestId?: string;
  host?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** RFC 6749 §5.1: token responses (and anything with a token or claims) must not be cached. */
export const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** An OAuth error answered in place (RFC 6749 §5.2 shape), never echoing what the client sent. */
export function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): HttpResponse {
  return json(status, { error, error_description: description }, { ...NO_STORE, ...headers });
}

export function redirect(location: string): HttpResponse {
  return { status: 302, headers: { location, ...NO_STORE }, body: "" };
}

/** `uri` with `params` added to its query (keeps any query it already has, RFC 6749 §3.1.2). */
export function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.append(k, v);
  return url.toString();
}

export type Params = { ok: true; get(name: string): string | undefined } | { ok: false; message: string };

/**
 * Query or form parameters. RFC 6749 §3.1: "Request and response parameters MUST NOT be included more
 * than once", so a repeated parameter is refused rather than resolved first- or last-wins.
 */
export function parseParams(text: string, maxLength = 8192): Params {
  if (text.length > maxLength) return { ok: false, message: "the request parameters are too large" };
  const params = new URLSearchParams(text);
  const seen = new Map<string, string>();
  for (const [k, v] of params) {
    if (seen.has(k)) return { ok: false, message: `parameter \`${k.slice(0, 40)}\` is repeated` };
    seen.set(k, v);
  }
  return { ok: true, get: (name) => { const v = seen.get(name); return v === "" ? undefined : v; } };
}

/** The form body of a POST; `application/x-www-form-urlencoded` is the only encoding OAuth defines (RFC 6749 §3.2). */
export function formBody(req: HttpRequest): Params {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return { ok: false, message: "expected an application/x-www-form-urlencoded body" };
  return parseParams(req.body);
}
