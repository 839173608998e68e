import type { PostureFormat } from "../../config/schema.js";
import { mapCrowdStrike } from "./crowdstrike.js";
import { mapGeneric } from "./generic.js";
import { mapJamf } from "./jamf.js";
import { mapJumpCloud } from "./jumpcloud.js";
import type { PostureMapper } from "./types.js";

/** `satisfies` makes a new `PostureFormat` in the config schema a compile error here until it has a mapper. */
const BY_FORMAT = {
  jamf: mapJamf,
  crowdstrike: mapCrowdStrike,
  jumpcloud: mapJumpCloud,
  generic: mapGeneric,
} satisfies Record<PostureFormat, PostureMapper>;

/** One mapper per configured `format`. A Map, so a format string can never resolve to an inherited key. */
export const POSTURE_MAPPERS: ReadonlyMap<string, PostureMapper> = new Map<string, PostureMapper>(Object.entries(BY_FORMAT));

export { mapCrowdStrike, mapGeneric, mapJamf, mapJumpCloud };
export type { MappedPosture, MapperFailure, PostureMapper } from "./types.js";
