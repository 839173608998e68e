import { randomBytes } from "node:crypto";
import { isAuthorized } from "@cedar-policy/cedar-wasm/nodejs";

/**
 * Plays AWS Verified Access's part against the trust provider, over real HTTP (`npm run ava`, the
 * end-to-end tests): AVA sends the browser to
 * the authorization endpoint (a managed extension adds the device token header), the browser goes through
 * the corporate IdP and back, AVA redeems the code with its client secret, calls userinfo, and evaluates
 * its Cedar policies over `context.<ref>` (the userinfo claims) and `context.http_request`.
 * AVA's client behaviour is modelled on ALB's authenticate-oidc (same /oauth2/idpresponse redirect):
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
 */

export interface AvaClient {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface LoginResult {
  /** The final redirect to AVA's redirect URI. */
  location: URL;
  code?: string;
  state: string;
  nonce: string;
  /** Every hop's status, for diagnostics. */
  hops: number[];
}

const random = () => randomBytes(16).toString("base64url");

/** Follows the browser's redirects by hand until one leaves for AVA's redirect URI (or a hop is not a redirect). */
export async function browserLogin(
  ava: AvaClient,
  o: { user: string; deviceToken?: string; redirectUri?: string; clientId?: string; extra?: Record<string, string> },
): Promise<LoginResult> {
  const state = random();
  const nonce = random();
  const url = new URL(`${ava.issuer}/oauth2/authorize`);
  const params = {
    response_type: "code",
    client_id: o.clientId ?? ava.clientId,
    redirect_uri: o.redirectUri ?? ava.redirectUri,
    scope: "openid email profile",
    state,
    nonce,
    login_hint: o.user,
    ...o.extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const hops: number[] = [];
  let next = url.href;
  for (let i = 0; i < 5; i++) {
    // The managed extension adds the device token on requests to the trust provider's authorize endpoint only.
    const headers: Record<string, string> = next.startsWith(`${ava.issuer}/oauth2/authorize`) && o.deviceToken ? { "x-device-token": o.deviceToken } : {};
    const res = await fetch(next, { redirect: "manual", headers });
    hops.push(res.status);
    await res.arrayBuffer();
    const location = res.headers.get("location");
    if (res.status !== 302 || !location) return { location: new URL(next), state, nonce, hops };
    const target = new URL(location, next);
    if (target.href.startsWith(o.redirectUri ?? ava.redirectUri)) {
      const code = target.searchParams.get("code") ?? undefined;
      return { location: target, state, nonce, hops, ...(code ? { code } : {}) };
    }
    next = target.href;
  }
  throw new Error(`too many redirects: ${hops.join(" ")}`);
}

export async function tokenRequest(
  ava: AvaClient,
  form: Record<string, string>,
  o: { auth?: "basic" | "post"; secret?: string; clientId?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const id = o.clientId ?? ava.clientId;
  const secret = o.secret ?? ava.clientSecret;
  const body = new URLSearchParams(form);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (o.auth === "post") {
    body.set("client_id", id);
    body.set("client_secret", secret);
  } else {
    // RFC 6749 §2.3.1: form-urlencode each part, then Basic.
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
  }
  const res = await fetch(`${ava.issuer}/oauth2/token`, { method: "POST", headers, body: body.toString() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

export function redeemCode(ava: AvaClient, code: string, o: { auth?: "basic" | "post"; secret?: string; redirectUri?: string } = {}) {
  return tokenRequest(ava, { grant_type: "authorization_code", code, redirect_uri: o.redirectUri ?? ava.redirectUri }, o);
}

export async function userinfo(ava: AvaClient, accessToken: string, method: "GET" | "POST" = "GET"): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${ava.issuer}/oauth2/userinfo`, { method, headers: { authorization: `Bearer ${accessToken}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * AVA's evaluation: policies read only `context` (no entities, open scope), `context.<ref>` holds the
 * userinfo claims and `context.http_request` the request
 * (https://docs.aws.amazon.com/verified-access/latest/ug/trust-data-default-context.html).
 * A policy that errors (a missing key, a float) does not apply, so anything but a clean allow is a deny.
 */
export function avaDecision(policies: string, ref: string, claims: Record<string, unknown>, request: Partial<Record<string, string | number>> = {}): { decision: "allow" | "deny"; errors: string[] } {
  const answer = isAuthorized({
    principal: { type: "AWS::VerifiedAccess::User", id: "user" },
    action: { type: "AWS::VerifiedAccess::Action", id: "access" },
    resource: { type: "AWS::VerifiedAccess::Endpoint", id: "endpoint" },
    context: {
      [ref]: claims,
      http_request: {
        http_method: "GET",
        hostname: "wiki.example.com",
        path: "/",
        query: "",
        x_forwarded_for: "203.0.113.10",
        port: 443,
        user_agent: "Mozilla/5.0",
        client_ip: "203.0.113.10",
        ...request,
      },
    } as never,
    policies: { staticPolicies: policies },
    entities: [],
  });
  if (answer.type !== "success") return { decision: "deny", errors: answer.errors.map((e) => e.message) };
  const errors = answer.response.diagnostics.errors.map((e) => e.error.message);
  return { decision: answer.response.decision === "allow" && errors.length === 0 ? "allow" : "deny", errors };
}
