import { z } from "zod";
import { MAX_POSTURE_STRING, MAX_VERSION_COMPONENT, OS_FAMILIES, RISK_LEVELS } from "./vocabulary.js";

/**
 * The shape a `PostureRecord` must have before it reaches Cedar: the last gate in `normalizePosture`,
 * and usable by any layer that receives a record from elsewhere. Cedar Longs are i64; we stay within
 * JavaScript's safe integers (and version components within i32) so no value is ever rounded.
 */
const long = z.number().int().min(0);
const component = z.number().int().min(0).max(MAX_VERSION_COMPONENT);

export const postureRecordSchema = z.strictObject({
  verified: z.boolean(),
  provider: z.string().min(1).max(MAX_POSTURE_STRING),
  managed: z.boolean(),
  compliant: z.boolean(),
  os: z.strictObject({
    family: z.enum([...OS_FAMILIES, "unknown"]),
    version: z.string().max(MAX_POSTURE_STRING).regex(/^[0-9]+(\.[0-9]+){2,3}$/),
    major: component,
    minor: component,
    patch: component,
    patched: z.boolean(),
  }),
  diskEncrypted: z.boolean(),
  edrScore: z.number().int().min(0).max(100),
  riskLevel: z.enum(RISK_LEVELS),
  observedAt: long,
  ageSeconds: long,
});
