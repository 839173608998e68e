import { createIdentityVerifier, type IdentityVerifier } from "../../identity/identity-verifier.js";
import { loadBaseline } from "../../posture/baseline.js";
import { createPostureVerifier, type PostureVerifier } from "../../posture/verifier.js";
import type { BuildContext } from "../route.js";

/**
 * The corporate IdP's ID tokens for our client: this project's identity verifier with the named issuer
 * entry (its keys, algorithms, group claim, principal mapping, preset), with the token kind, type and
 * audience of an ID token issued to us, and machine (client-credentials) principals off.
 */
export function buildIdentity(ctx: BuildContext): IdentityVerifier {
  const entry = ctx.upstreamIssuer;
  return createIdentityVerifier(
    [{ ...entry, tokenUse: "id", types: ctx.tp.upstream.idTokenTypes, audiences: [ctx.tp.upstream.clientId], services: { ...entry.services, enabled: false } }],
    ctx.jwt,
  );
}

/** The authorizers' posture verifier: same providers, maximum age and patch baseline. */
export function buildPosture(ctx: BuildContext): PostureVerifier {
  const { config, resolvePath } = ctx.loaded;
  return createPostureVerifier({
    providers: config.devicePosture.providers,
    maxAgeSeconds: config.devicePosture.maxAgeSeconds,
    baseline: loadBaseline(resolvePath(config.devicePosture.patchBaselineFile)),
    jwt: ctx.jwt,
  });
}
