export { expandIssuerPresets } from "./expand.js";
export { PRESETS } from "./registry.js";
export type { IssuerPreset, PresetContext } from "./types.js";
