import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PdpConfig } from "../config/schema.js";
import type { DevSigningKey } from "./keys.js";
import { signJws } from "./mint.js";

/**
 * The development IdP's sign-in: an OpenID Connect authorization endpoint and token endpoint (code flow
 * with PKCE S256, confidential client), so the Verified Access trust provider can broker to it locally as
 * it would to Okta or Entra ID. There are no passwords: `login_hint=<user>` signs that user in at once,
 * and without it a form lists the development users. Loopback only, never deployed.
 */

/** The trust provider's client secret at the development IdP (`ZTPDP_TP_UPSTREAM_CLIENT_SECRET`). */
export const DEV_UPSTREAM_CLIENT_SECRET = "dev-upstream-secret";

/** The development directory: who can sign in, and their groups. */
export const DEV_USERS: Record<string, { groups: string[]; mfa: boolean }> = {
  alice: { groups: ["Employees"], mfa: true },
  bob: { groups: ["Contractors"], mfa: true },
  hana: { groups: ["Employees", "HR"], mfa: true },
  eve: { groups: ["Employees", "Editors"], mfa: false },
};

interface PendingCode {
  clientId: string;
  redirectUri: string;
  nonce?: string;
  challenge: string;
  user: string;
  expiresAt: number;
}

export interface LoginIdp {
  /** Extra discovery metadata for the issuer at `issuerPath`. */
  metadata(issuer: string): Record<string, unknown>;
  /** Answers the request if it is for the sign-in endpoints; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

export function createLoginIdp(config: PdpConfig, key: DevSigningKey): LoginIdp {
  const issuers = new Map(config.issuers.map((i) => [new URL(i.issuer).pathname.replace(/\/$/, ""), i.issuer]));
  const expectedClient = config.trustProvider?.upstream.clientId;
  const codes = new Map<string, PendingCode>();

  function authorize(issuer: string, params: URLSearchParams, res: ServerResponse): void {
    const clientId = params.get("client_id") ?? "";
    const redirectUri = params.get("redirect_uri") ?? "";
    if ((expectedClient !== undefined && clientId !== expectedClient) || !isLoopbackUrl(redirectUri)) {
      return send(res, 400, { error: "invalid_request", error_description: "unknown client or redirect_uri" });
    }
    const back = (q: Record<string, string>) => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries({ ...q, ...(params.get("state") ? { state: params.get("state")! } : {}) })) url.searchParams.set(k, v);
      res.writeHead(302, { location: url.href, "cache-control": "no-store" }).end();
    };
    const challenge = params.get("code_challenge");
    if (params.get("response_type") !== "code" || !challenge || params.get("code_challenge_method") !== "S256") {
      return back({ error: "invalid_request", error_description: "code flow with PKCE S256 only" });
    }
    const user = (params.get("login_hint") ?? "").replace(/@.*$/, "");
    if (user === "") return loginForm(res, params);
    if (!DEV_USERS[user]) return back({ error: "access_denied", error_description: "no such development user" });
    const code = randomBytes(24).toString("base64url");
    codes.set(code, {
      clientId,
      redirectUri,
      challenge,
      user,
      expiresAt: Date.now() + 60_000,
      ...(params.get("nonce") ? { nonce: params.get("nonce")! } : {}),
    });
    back({ code, iss: issuer });
  }

  function token(issuer: string, req: IncomingMessage, body: URLSearchParams, res: ServerResponse): void {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? "");
    const [id, secret] = basic
      ? Buffer.from(basic[1]!, "base64").toString("utf8").split(":").map((s) => decodeURIComponent(s))
      : [body.get("client_id"), body.get("client_secret")];
    if ((expectedClient !== undefined && id !== expectedClient) || secret !== DEV_UPSTREAM_CLIENT_SECRET) {
      return send(res, 401, { error: "invalid_client" });
    }
    const code = body.get("code") ?? "";
    const pending = codes.get(code);
    codes.delete(code);
    const verifier = body.get("code_verifier") ?? "";
    if (
      body.get("grant_type") !== "authorization_code" ||
      !pending ||
      pending.expiresAt < Date.now() ||
      pending.clientId !== id ||
      pending.redirectUri !== body.get("redirect_uri") ||
      createHash("sha256").update(verifier).digest("base64url") !== pending.challenge
    ) {
      return send(res, 400, { error: "invalid_grant" });
    }
    const user = DEV_USERS[pending.user]!;
    const iat = Math.floor(Date.now() / 1000);
    // An ID token as Okta or Entra ID would issue it to a confidential client: typ JWT, aud = client id.
    const idToken = signJws(key, { typ: "JWT" }, {
      iss: issuer,
      aud: id,
      sub: pending.user,
      email: `${pending.user}@example.com`,
      email_verified: true,
      groups: user.groups,
      amr: user.mfa ? ["pwd", "mfa"] : ["pwd"],
      auth_time: iat,
      iat,
      exp: iat + 300,
      jti: randomUUID(),
      ...(pending.nonce ? { nonce: pending.nonce } : {}),
    });
    send(res, 200, { access_token: randomBytes(24).toString("base64url"), token_type: "Bearer", expires_in: 300, id_token: idToken, scope: "openid email profile" });
  }

  return {
    metadata: (issuer) => ({
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      code_challenge_methods_supported: ["S256"],
      grant_types_supported: ["authorization_code"],
      scopes_supported: ["openid", "email", "profile", "groups"],
      authorization_response_iss_parameter_supported: true,
    }),
    handle(req, res) {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const match = /^(.*)\/(authorize|token)$/.exec(url.pathname);
      const issuer = match ? issuers.get(match[1]!) : undefined;
      if (!match || issuer === undefined) return false;
      const endpoint = match[2];
      if (endpoint === "authorize" && req.method === "GET") {
        authorize(issuer, url.searchParams, res);
        return true;
      }
      if (req.method !== "POST") return false;
      readForm(req).then(
        (body) => (endpoint === "authorize" ? authorize(issuer, body, res) : token(issuer, req, body, res)),
        () => send(res, 400, { error: "invalid_request" }),
      );
      return true;
    },
  };
}

function loginForm(res: ServerResponse, params: URLSearchParams): void {
  const hidden = [...params].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join("");
  const options = Object.entries(DEV_USERS)
    .map(([name, u]) => `<button name="login_hint" value="${name}">${name} (${u.groups.join(", ")})</button>`)
    .join(" ");
  res
    .writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
    .end(`<!doctype html><title>Development IdP</title><h1>Development IdP: sign in as</h1><form method="post">${hidden}${options}</form>`);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > 16_384) req.destroy(new Error("body too large"));
    });
    req.on("end", () => resolve(new URLSearchParams(body)));
    req.on("error", reject);
  });
}

function isLoopbackUrl(value: string): boolean {
  try {
    const host = new URL(value).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
  } catch {
    return false;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}
