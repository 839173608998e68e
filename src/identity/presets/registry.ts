import type { PresetName } from "../../config/issuer-fields.js";
import { auth0 } from "./auth0.js";
import { cognito } from "./cognito.js";
import { entra } from "./entra.js";
import { generic } from "./generic.js";
import { google } from "./google.js";
import { identityCenter } from "./identity-center.js";
import { keycloak } from "./keycloak.js";
import { okta } from "./okta.js";
import type { IssuerPreset } from "./types.js";

/** Every issuer preset, by the name an issuer entry gives in `preset:`. Tenant types differ per preset. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PRESETS: Readonly<Record<PresetName, IssuerPreset<any>>> = {
  generic,
  cognito,
  okta,
  entra,
  auth0,
  keycloak,
  google,
  "identity-center": identityCenter,
};
