import { buildStore } from "./build/store.js";
import type { Endpoint, Handled } from "./deps.js";
import { formBody, json, NO_STORE } from "./http.js";
import { ENDPOINT_PATHS } from "./paths.js";
import type { Route } from "./route.js";
import type { AccessItem } from "./state.js";

/**
 * The UserInfo endpoint (OpenID Connect Core §5.3): GET and POST, the access token as a Bearer header
 * (RFC 6750 §2.1) or, on POST, as the `access_token` form parameter (§2.2); never in the query. AVA puts
 * what this returns under `context.<policy reference name>`. A token whose session was revoked (a replayed
 * code) stops working here at once.
 */
export const userinfo: Endpoint = async (req, deps) => {
  if (req.method !== "GET" && req.method !== "POST") return { response: json(405, { error: "invalid_request" }, { allow: "GET, POST" }) };
  const header = req.headers.authorization;
  let token: string | undefined;
  if (header !== undefined) {
    const match = /^bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim());
    if (!match) return invalidToken("malformed Authorization header", "invalid_request", 400);
    token = match[1];
  }
  if (req.method === "POST" && req.body !== "") {
    const form = formBody(req);
    const fromBody = form.ok ? form.get("access_token") : undefined;
    // RFC 6750 §2: a client must not use more than one method to send the token.
    if (fromBody !== undefined && token !== undefined) return invalidToken("the token was sent twice", "invalid_request", 400);
    token ??= fromBody;
  }
  if (token === undefined) return { response: json(401, { error: "invalid_token" }, { ...NO_STORE, "www-authenticate": 'Bearer realm="userinfo"' }) };
  const nowSeconds = Math.floor(deps.now() / 1000);
  const access = await deps.store.get<AccessItem>("access", token, nowSeconds);
  if (!access) return invalidToken("the access token is invalid or expired");
  const session = await deps.store.get("session", access.sessionId, nowSeconds);
  if (!session) return invalidToken("the session was revoked");
  return { response: json(200, access.claims, { ...NO_STORE }) };
};

/** RFC 6750 §3.1: the error goes in WWW-Authenticate. */
function invalidToken(description: string, error = "invalid_token", status = 401): Handled {
  return {
    response: json(status, { error, error_description: description }, { ...NO_STORE, "www-authenticate": `Bearer realm="userinfo", error="${error}", error_description="${description}"` }),
  };
}

export const userinfoRoute: Route = { path: ENDPOINT_PATHS.userinfo, methods: ["GET", "POST"], endpoint: userinfo, needs: { store: buildStore } };
