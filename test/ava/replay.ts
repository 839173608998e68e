import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readAvaPolicyDir } from "../../src/ava/loader.js";
import { withDeviceDefaults } from "../../src/ava/providers/devices.js";
import type { ZtpdpDeviceClaims } from "../../src/ava/providers/ztpdp.js";
import { DEFAULT_SOURCE_IP, type AvaCase } from "../../src/cli/ava/case.js";
import { loadAvaSuite } from "../../src/cli/ava/suite.js";
import type { LoadedConfig } from "../../src/config/load.js";
import { loadBaseline } from "../../src/posture/baseline.js";
import { signJws } from "../../src/dev/mint.js";
import type { DevKeys } from "../../src/dev/keys.js";

/**
 * Replaying Verified Access scenario cases against the authorizer: each case becomes the HTTP request a
 * client would send to an API behind the authorizer — a bearer token from the issuer mapped to the
 * case's user trust provider, carrying the case's user claims; a device token from the posture provider
 * mapped to the case's device trust provider, carrying the case's device claims, bound to the user; the
 * method, path, Host, User-Agent and X-Forwarded-For of the case. The authorizer must then decide what
 * `ztpdp test` decided.
 *
 * A case with data from two device trust providers cannot be replayed: the authorizer takes one device
 * token per request. Such cases are returned apart, by name, so a test can say so instead of skipping
 * silently.
 */

export interface ReplayRequest {
  name: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  host: string;
  /** The case's source address; `explicitSourceIp` when the case set one (policies may read it). */
  sourceIp: string;
  explicitSourceIp: boolean;
  expect: AvaCase["expect"];
  /** The bearer token, to find the request's audit record by its fingerprint. */
  token: string;
}

export interface ReplayPlan {
  requests: ReplayRequest[];
  /** Names of cases the authorizer cannot receive as one request (several device trust providers). */
  notReplayable: string[];
}

/**
 * The config edit that runs `folder` in AVA mode with the issuers and mappings the replay mints for:
 * the dev IdP feeds the folder's `ztpdp` user provider, two more issuers on the same keys feed its `oidc`
 * and `iam-identity-center` ones, and each device provider is fed by the dev MDM of its format.
 */
export function avaModeConfigEdit(folder: string, origin: string, signedHeader?: Record<string, unknown>) {
  const read = readAvaPolicyDir(folder);
  if (!read.ok) throw new Error(`folder does not load: ${read.problems.map((p) => p.message).join("; ")}`);
  const refOf = (type: string) => read.set.manifest.providers.find((p) => p.type === type)?.ref;
  const formats: Record<string, string> = { jamf: "jamf", crowdstrike: "crowdstrike", jumpcloud: "jumpcloud" };
  const pairs: Array<[string, string | undefined]> = [
    ["dev-idp", refOf("ztpdp")],
    ["corp-oidc", refOf("oidc")],
    ["corp-idc", refOf("iam-identity-center")],
    ...(signedHeader ? [["verified-access", refOf("oidc")] as [string, string | undefined]] : []),
  ];
  const userContexts = Object.fromEntries(pairs.filter(([, ref]) => ref !== undefined));
  const deviceContexts = Object.fromEntries(read.set.manifest.providers.filter((p) => p.kind === "device").map((p) => [formats[p.type]!, p.ref]));
  return (doc: Record<string, unknown>): void => {
    const issuers = doc.issuers as Array<Record<string, unknown>>;
    const dev = issuers[0]!;
    // Several identity sources: each its own entity id namespace, and the devices bound to all of them.
    const prefixed = (name: string, prefix: string, iss?: string) => ({ ...dev, name, ...(iss ? { issuer: iss } : {}), principal: { ...(dev.principal as object), entityIdPrefix: prefix } });
    issuers.splice(0, 1, prefixed("dev-idp", "dev"), prefixed("corp-oidc", "oidc", `${origin}/idp/oidc`), prefixed("corp-idc", "idc", `${origin}/idp/idc`));
    const sourceNames = ["dev-idp", "corp-oidc", "corp-idc", ...(signedHeader ? ["verified-access"] : [])];
    const posture = doc.devicePosture as { providers: Array<{ binding: Record<string, unknown> }> };
    for (const p of posture.providers) p.binding = { ...p.binding, issuers: sourceNames };
    doc.verifiedAccess = {
      policyDir: folder,
      userContexts,
      deviceContexts,
      ...(signedHeader ? { signedHeader: { principal: { entityIdPrefix: "ava" }, ...signedHeader } } : {}),
    };
  };
}

export function planReplay(folder: string, loaded: LoadedConfig, keys: DevKeys, nowSeconds = Math.floor(Date.now() / 1000)): ReplayPlan {
  const read = readAvaPolicyDir(folder);
  if (!read.ok) throw new Error(`fixture folder does not load: ${read.problems.map((p) => p.message).join("; ")}`);
  const { config } = loaded;
  const testsDir = join(folder, "tests");
  const files = readdirSync(testsDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(testsDir, f));
  const suite = loadAvaSuite(files, (f) => f, {
    manifest: read.set.manifest,
    policyIds: new Set(read.set.policies.map((p) => p.id)),
    nowSeconds,
    limits: config.limits,
    project: { config, baseline: loadBaseline(loaded.resolvePath(config.devicePosture.patchBaselineFile)) },
  });
  const va = config.verifiedAccess!;
  const issuerFor = (ref: string) => {
    const name = Object.entries(va.userContexts).find(([, r]) => r === ref)?.[0];
    return config.issuers.find((i) => i.name === name)!;
  };
  const providerFor = (ref: string, type: string) => {
    const name = Object.entries(va.deviceContexts).find(([, r]) => r === ref)?.[0];
    return config.devicePosture.providers.find((p) => (name ? p.name === name : p.format === type))!;
  };

  const plan: ReplayPlan = { requests: [], notReplayable: [] };
  for (const entry of suite.entries) {
    if (entry.kind !== "ava") throw new Error(`invalid case ${entry.name}: ${entry.problems.map((p) => p.message).join("; ")}`);
    const c = entry.case;
    const user = c.input.user;
    if (!user) throw new Error(`case ${c.name} has no user: the authorizer needs a caller`);
    if (c.input.devices.length > 1) {
      plan.notReplayable.push(c.name);
      continue;
    }
    const issuer = issuerFor(user.ref);
    const claims = userClaims(user.type, user.claims);
    const token = signJws(keys.idp, { typ: "at+jwt" }, { iss: issuer.issuer, aud: issuer.audiences[0], iat: nowSeconds, exp: nowSeconds + 600, jti: randomUUID(), ...claims });
    const sub = String(claims.sub);

    let deviceToken: string | undefined;
    const ava = c.input.devices[0];
    if (ava) {
      const provider = providerFor(ava.ref, ava.type);
      const age = ava.ageSeconds ?? 0;
      const payload = { ...withDeviceDefaults(ava.type, ava.claims, nowSeconds, age), iss: provider.issuer, aud: provider.audiences[0], user_sub: sub, iat: nowSeconds - age, exp: nowSeconds + 600 };
      deviceToken = signJws(keys.mdm, { typ: provider.types[0] }, payload);
    } else if (user.type === "ztpdp") {
      // A normalized posture in the case: the generic MDM format carries it (src/posture/GENERIC_FORMAT.md).
      const d = (user.claims as { device: ZtpdpDeviceClaims }).device;
      if (d.verified) {
        const provider = config.devicePosture.providers.find((p) => p.format === "generic")!;
        const payload = {
          iss: provider.issuer,
          aud: provider.audiences[0],
          user_sub: sub,
          iat: nowSeconds,
          exp: nowSeconds + 600,
          managed: d.managed,
          compliant: d.compliant,
          os: { family: d.os, version: d.os_version },
          disk_encrypted: d.disk_encrypted,
          edr_score: d.edr_score,
          risk_level: d.risk,
        };
        deviceToken = signJws(keys.mdm, { typ: provider.types[0] }, payload);
      }
    }
    const r = c.input.request;
    plan.requests.push({
      name: c.name,
      method: r.http_method,
      path: r.path,
      query: r.query,
      host: r.hostname,
      sourceIp: r.client_ip,
      explicitSourceIp: r.client_ip !== DEFAULT_SOURCE_IP,
      headers: {
        authorization: `Bearer ${token}`,
        ...(deviceToken ? { "x-device-token": deviceToken } : {}),
        "user-agent": r.user_agent,
        "x-forwarded-for": r.x_forwarded_for,
      },
      expect: c.expect,
      token,
    });
  }
  return plan;
}

/** The bearer token claims that give the case's user context (see src/ava/authorizer-query.ts). */
function userClaims(type: string, claims: Record<string, unknown>): Record<string, unknown> {
  if (type === "iam-identity-center") {
    const u = claims.user as { user_id: string; user_name: string; email: { address: string; verified: boolean } };
    return {
      sub: u.user_id,
      preferred_username: u.user_name,
      email: u.email.address,
      email_verified: u.email.verified,
      groups: Object.keys(claims.groups as Record<string, unknown>),
    };
  }
  if (type === "ztpdp") {
    const z = claims as { sub: string; email: string; email_verified: boolean; groups: string[]; mfa: boolean };
    return { sub: z.sub, ...(z.email ? { email: z.email } : {}), email_verified: z.email_verified, groups: z.groups, amr: z.mfa ? ["pwd", "mfa"] : ["pwd"] };
  }
  return { ...claims };
}
