import type { z } from "zod";
import type { PresetName } from "../../config/issuer-fields.js";

/** What a preset knows when it fills in an issuer entry. */
export interface PresetContext {
  tokenUse: "access" | "id";
  /** The entry's `clientIds` (ID tokens name the client in `aud`). */
  clientIds: string[];
}

/**
 * One identity provider's token shapes, as data: the issuer URL form, the JWKS URI, accepted `typ`,
 * where the audience and the client id live, the claims that mark an access token, the group claim and
 * the principal id claim. `defaults` returns issuer-entry fields (the config's own field names); every
 * one of them can be overridden in the entry. Each preset cites the IdP's documentation for each value.
 */
export interface IssuerPreset<T = unknown> {
  name: PresetName;
  /** The token uses a resource server can verify from this IdP; the first is the default. */
  tokenUses: readonly ("access" | "id")[];
  /** The tenant values (user pool id, domain, tenant id...), validated before `defaults` sees them. */
  tenant: z.ZodType<T>;
  defaults(tenant: T, ctx: PresetContext): Record<string, unknown>;
  /** Fields an entry may not override for this preset, with the reason. */
  fixed?: Readonly<Record<string, string>>;
  /** Set when the IdP issues no token an API can verify: the entry is refused with this explanation. */
  refusal?: string;
}
