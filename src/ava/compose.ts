import { ConfigError, type LoadedConfig } from "../config/load.js";
import type { IdentityVerifierPort, QueryBuilder } from "../decision/decide.js";
import { createAvaHeaderVerifier } from "../identity/ava-header/verifier.js";
import { withAvaHeaderSource } from "../identity/ava-header/source.js";
import type { JwtVerifyOptions } from "../identity/jwt-verifier.js";
import type { PolicyEngine } from "../policy/engine.js";
import { createAvaQueryBuilder } from "./authorizer-query.js";
import { createAvaEngine } from "./engine.js";
import { loadAvaPolicyDir } from "./loader.js";
import type { AvaManifest } from "./manifest.js";

/**
 * What the `verifiedAccess` config section adds to the composition root (src/pdp.ts), built once at
 * cold start: AVA's signed header as an identity source, and AVA mode (the folder's policies, evaluated
 * on the context AVA would build). Every inconsistency stops the start-up with all problems listed.
 */
export interface VerifiedAccessParts {
  /** Wraps the bearer-token verifier with the signed-header source. */
  identity?: (bearer: IdentityVerifierPort) => IdentityVerifierPort;
  engine?: PolicyEngine;
  buildQuery?: QueryBuilder;
}

export function verifiedAccessParts(loaded: LoadedConfig, jwt: JwtVerifyOptions): VerifiedAccessParts {
  const { config } = loaded;
  const va = config.verifiedAccess;
  if (!va) return {};
  const parts: VerifiedAccessParts = {};
  if (va.signedHeader) {
    const header = createAvaHeaderVerifier(va.signedHeader, {
      limits: jwt.limits,
      jwks: jwt.jwks,
      allowInsecureLoopback: jwt.allowInsecureLoopbackJwks,
      ...(jwt.now ? { now: jwt.now } : {}),
    });
    parts.identity = (bearer) => withAvaHeaderSource(bearer, header);
  }
  if (va.policyDir !== undefined) {
    const set = loadAvaPolicyDir(loaded.resolvePath(va.policyDir));
    const problems = avaMappingProblems(loaded, set.manifest);
    if (problems.length > 0) throw new ConfigError(loaded.file, problems);
    parts.engine = createAvaEngine(set);
    parts.buildQuery = createAvaQueryBuilder(config, va, set.manifest);
  }
  return parts;
}

/** `userContexts` and `deviceContexts` must name real issuers/providers and refs of the right kind. */
export function avaMappingProblems(loaded: LoadedConfig, manifest: AvaManifest): string[] {
  const { config } = loaded;
  const va = config.verifiedAccess!;
  const problems: string[] = [];
  const issuers = new Set([...config.issuers.map((i) => i.name), ...(va.signedHeader ? [va.signedHeader.name] : [])]);
  const providers = new Set(config.devicePosture.providers.map((p) => p.name));
  const check = (section: string, map: Record<string, string>, names: Set<string>, what: string, kind: "user" | "device") => {
    for (const [name, ref] of Object.entries(map)) {
      if (!names.has(name)) problems.push(`verifiedAccess.${section}.${name}: no ${what} is named \`${name}\``);
      const provider = manifest.byRef.get(ref);
      if (!provider || provider.kind !== kind) {
        problems.push(`verifiedAccess.${section}.${name}: \`${ref}\` is not a ${kind} trust provider of ${manifest.file}`);
      }
    }
  };
  check("userContexts", va.userContexts, issuers, "issuer", "user");
  check("deviceContexts", va.deviceContexts, providers, "posture provider", "device");
  return problems;
}
