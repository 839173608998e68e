import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DEVICE_PROVIDER_TYPES, PROVIDER_TYPES, USER_PROVIDER_TYPES, type ProviderType } from "./shapes.js";

/**
 * `verified-access.yaml`: what makes a policy folder a Verified Access (AVA) folder. It names the trust
 * providers attached to the Verified Access instance the policies run on, by their policy reference name
 * (the `<ref>` of `context.<ref>`, chosen by the admin: trust-data-iam.html), with their type. AVA policies
 * have no schema (auth-policies-policy-statement-struct.html); this file is what the toolchain checks
 * them against instead.
 *
 * ```yaml
 * trustProviders:
 *   idc: iam-identity-center
 *   jamf: jamf
 * ```
 */

export const MANIFEST_FILE_NAME = "verified-access.yaml";

/** Keys AVA itself puts in the context: no trust provider may use them. */
export const RESERVED_REFS: ReadonlySet<string> = new Set(["http_request", "tcp_flow"]);

const REF = /^[A-Za-z0-9_-]{1,64}$/;

const manifestSchema = z.strictObject({
  description: z.string().optional(),
  trustProviders: z
    .record(z.string().regex(REF, "a policy reference name is 1 to 64 of `A-Z a-z 0-9 _ -`"), z.enum(PROVIDER_TYPES))
    .refine((r) => Object.keys(r).length > 0, "name at least one trust provider"),
});

export interface TrustProvider {
  ref: string;
  type: ProviderType;
  kind: "user" | "device";
}

export interface AvaManifest {
  file: string;
  providers: readonly TrustProvider[];
  /** By reference name. */
  byRef: ReadonlyMap<string, TrustProvider>;
  /**
   * The user provider whose context every request carries: set only when the folder declares exactly
   * one. An instance has one user trust provider (user-trust.html), so a folder naming several serves
   * several instances and each policy must check which one is present (`context has idc && ...`).
   */
  guaranteedUserRef: string | undefined;
}

export type ManifestResult = { ok: true; manifest: AvaManifest } | { ok: false; file: string; problems: string[] };

export function isAvaFolder(dir: string): boolean {
  return existsSync(join(dir, MANIFEST_FILE_NAME));
}

export function readManifest(dir: string): ManifestResult {
  const file = join(dir, MANIFEST_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { ok: false, file, problems: [`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`] };
  }
  return parseManifest(text, file);
}

export function parseManifest(text: string, file: string): ManifestResult {
  let raw: unknown;
  try {
    raw = parseYaml(text, { schema: "core", uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, file, problems: [`not valid YAML: ${(err as Error).message.split("\n")[0]}`] };
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, file, problems: parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`) };
  }
  const providers: TrustProvider[] = [];
  const problems: string[] = [];
  for (const [ref, type] of Object.entries(parsed.data.trustProviders)) {
    if (RESERVED_REFS.has(ref)) problems.push(`trustProviders.${ref}: \`${ref}\` is where AVA puts its own request data; choose another name`);
    providers.push({ ref, type, kind: USER_PROVIDER_TYPES.has(type) ? "user" : "device" });
  }
  if (problems.length > 0) return { ok: false, file, problems };
  const users = providers.filter((p) => p.kind === "user");
  return {
    ok: true,
    manifest: {
      file,
      providers,
      byRef: new Map(providers.map((p) => [p.ref, p])),
      guaranteedUserRef: users.length === 1 ? users[0]!.ref : undefined,
    },
  };
}

export function isDeviceType(type: ProviderType): boolean {
  return DEVICE_PROVIDER_TYPES.has(type);
}
