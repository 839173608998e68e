import * as client from "openid-client";
import type { IssuerConfig } from "../config/schema.js";
import { isLoopbackHost } from "../config/load.js";
import type { TrustProviderConfig } from "./config-schema.js";
import { TrustProviderConfigError } from "./errors.js";

/**
 * The broker to the corporate IdP: an OpenID Connect authorization-code flow with PKCE (S256), `state`
 * and `nonce`, through panva's `openid-client` (certified OpenID Relying Party library). The library
 * checks the authorization response (state, `iss` per RFC 9207 when advertised), redeems the code and
 * checks the ID token's claims and nonce; the caller then verifies the ID token again with this project's
 * identity verifier and issuer config (keys, algorithms, `typ`, lifetime, group and principal mapping).
 */

export interface LoginStart {
  /** Where to send the browser. */
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface UpstreamBroker {
  /** Discovery at cold start, so the first sign-in does not pay for it. Never rejects (retried on use). */
  prefetch(): Promise<void>;
  start(loginHint: string | undefined): Promise<LoginStart>;
  /** Redeems the code of the callback URL; the ID token comes back unverified (verify it next). */
  finish(callbackUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<{ idToken: string }>;
}

/** The IdP could not be reached or answered with something unusable: a fault, not the user's doing. */
export class UpstreamUnavailableError extends Error {
  override readonly name = "UpstreamUnavailableError";
}

/** The IdP answered, and the answer refuses or fails the login (bad state, wrong nonce, invalid_grant...). */
export class UpstreamLoginError extends Error {
  override readonly name = "UpstreamLoginError";
}

export interface UpstreamOptions {
  config: TrustProviderConfig;
  issuer: IssuerConfig;
  /** Our own issuer: the callback is `<issuer>/oauth2/callback`. */
  ourIssuer: string;
  clientSecret: string;
  allowInsecureLoopback: boolean;
  timeoutSeconds?: number;
}

export function createUpstreamBroker(o: UpstreamOptions): UpstreamBroker {
  const up = o.config.upstream;
  const issuerUrl = new URL(o.issuer.issuer);
  const insecure = issuerUrl.protocol === "http:";
  if (insecure && !(o.allowInsecureLoopback && isLoopbackHost(issuerUrl.hostname))) {
    throw new TrustProviderConfigError(`trustProvider.upstream: plain http to \`${issuerUrl.host}\` is refused (loopback with development.allowInsecureLoopbackJwks only)`);
  }
  const redirectUri = `${o.ourIssuer}/oauth2/callback`;
  const auth = up.tokenEndpointAuthMethod === "client_secret_post" ? client.ClientSecretPost(o.clientSecret) : client.ClientSecretBasic(o.clientSecret);
  let discovered: Promise<client.Configuration> | undefined;

  // Discovery once per container, retried after a failure (a cold start must not pin an outage).
  function configuration(): Promise<client.Configuration> {
    discovered ??= client
      .discovery(issuerUrl, up.clientId, { client_secret: o.clientSecret }, auth, {
        timeout: o.timeoutSeconds ?? 5,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .then((c) => {
        c.timeout = o.timeoutSeconds ?? 5;
        return c;
      })
      .catch((err: unknown) => {
        discovered = undefined;
        throw new UpstreamUnavailableError(`discovery of \`${issuerUrl.href}\` failed: ${describe(err)}`);
      });
    return discovered;
  }

  return {
    prefetch: () => configuration().then(
      () => undefined,
      () => undefined,
    ),
    async start(loginHint) {
      const config = await configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const params: Record<string, string> = {
        redirect_uri: redirectUri,
        scope: up.scopes.join(" "),
        response_type: "code",
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
      };
      if (loginHint !== undefined) params.login_hint = loginHint;
      return { url: client.buildAuthorizationUrl(config, params).href, state, nonce, codeVerifier };
    },
    async finish(callbackUrl, expected) {
      const config = await configuration();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          expectedState: expected.state,
          expectedNonce: expected.nonce,
          pkceCodeVerifier: expected.codeVerifier,
          idTokenExpected: true,
        });
      } catch (err) {
        // openid-client throws ResponseBodyError / AuthorizationResponseError for the IdP's refusals and
        // ClientError for failed checks; anything else (network, timeout) means the IdP is unavailable.
        const name = (err as Error).name;
        if (name === "ResponseBodyError" || name === "AuthorizationResponseError" || name === "ClientError" || name === "WWWAuthenticateChallengeError") {
          throw new UpstreamLoginError(describe(err));
        }
        throw new UpstreamUnavailableError(describe(err));
      }
      if (typeof tokens.id_token !== "string") throw new UpstreamLoginError("the token response has no id_token");
      return { idToken: tokens.id_token };
    },
  };
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; error?: string };
  return `${e.name ?? "Error"}${e.code ? ` ${e.code}` : ""}${e.error ? ` ${e.error}` : ""}: ${String(e.message ?? err).slice(0, 200)}`;
}
