import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { JwkToKeyObjectTransformerAsync } from "aws-jwt-verify/jwt-verifier";

/**
 * JWK → node KeyObject, memoised per JWK *object*.
 *
 * aws-jwt-verify's own `KeyObjectCache` memoises by issuer + `kid` + alg and is only cleared by
 * `cacheJwks()`. With our own JWKS cache, a key replaced upstream under the same `kid` would keep
 * verifying with the old material. Keying a WeakMap on the JWK object instead means every refreshed
 * set (new objects) gets fresh key objects, and old ones are garbage collected with the old set.
 */
export function createKeyObjectTransformer(): JwkToKeyObjectTransformerAsync {
  const memo = new WeakMap<object, KeyObject>();
  return async (jwk) => {
    let key = memo.get(jwk);
    if (key === undefined) {
      key = createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
      memo.set(jwk, key);
    }
    return key;
  };
}
