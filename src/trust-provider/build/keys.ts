import type { BuildContext } from "../route.js";
import { signingKeysFromJwks, type SigningKeySet } from "../signing-keys.js";

/** The signing keys from the secret named by `signing.env` (a private JWKS). */
export function buildKeys(ctx: BuildContext): SigningKeySet {
  const name = ctx.tp.signing.env;
  return signingKeysFromJwks(ctx.env[name], `environment variable ${name}`);
}
