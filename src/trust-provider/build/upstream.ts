import { TrustProviderConfigError } from "../errors.js";
import type { BuildContext } from "../route.js";
import { createUpstreamBroker, type UpstreamBroker } from "../upstream.js";

/** The broker to the corporate IdP, with our client secret there from `upstream.clientSecretEnv`. */
export function buildUpstream(ctx: BuildContext): UpstreamBroker {
  const name = ctx.tp.upstream.clientSecretEnv;
  const secret = ctx.env[name];
  if (!secret) throw new TrustProviderConfigError(`environment variable ${name} (the client secret at the corporate IdP) is not set`);
  return createUpstreamBroker({
    config: ctx.tp,
    issuer: ctx.upstreamIssuer,
    ourIssuer: ctx.issuer,
    clientSecret: secret,
    allowInsecureLoopback: ctx.loaded.config.development.allowInsecureLoopbackJwks,
  });
}
