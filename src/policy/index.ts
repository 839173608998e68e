export type { AuthorizationQuery, CedarValue, EngineAnswer, EngineError, EngineFailureCode, PolicyEngine } from "./engine.js";
export {
  AVP_MAX_POLICY_BYTES,
  MAX_SOURCE_BYTES,
  SCHEMA_FILE_NAME,
  compilePolicySources,
  describePolicySet,
  loadPolicyDir,
  readPolicyDir,
  type LoadOptions,
  type LoadedPolicy,
  type LoadedPolicySet,
  type PolicyListing,
  type PolicyLoadResult,
  type PolicySource,
} from "./loader.js";
export {
  MODEL_WARMUP_QUERY,
  createLocalCedarEngine,
  toEngineAnswer,
  type LocalCedarEngine,
  type LocalCedarEngineOptions,
} from "./local-cedar/local-engine.js";
export { PolicyLoadError, formatProblem, type PolicyProblem } from "./problems.js";
export { canonicalJson, computeRevision } from "./revision.js";
