import { z } from "zod";
import type { IssuerPreset } from "./types.js";

/**
 * Any OIDC / OAuth 2.0 issuer, described field by field in the entry itself: nothing is filled in, and the
 * defaults are the strictest (RFC 9068 access tokens: explicit `typ`, `aud` required, `exp` required).
 * This is what an entry without `preset` gets.
 */
export const generic: IssuerPreset<Record<string, never>> = {
  name: "generic",
  tokenUses: ["access", "id"],
  tenant: z.strictObject({}),
  defaults: () => ({}),
};
