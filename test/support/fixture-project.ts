import { join, resolve } from "node:path";

/**
 * The tests' own copy of a project: `config/pdp.yaml` (the development config) and the reference
 * `policies/` with their scenarios, frozen in test/fixtures/project. Tests of the code read these, never
 * the repository's `policies/` (policy authors own that folder and change it freely) nor `config/`.
 */
export const FIXTURE_PROJECT = resolve(import.meta.dirname, "../fixtures/project");
export const FIXTURE_CONFIG = join(FIXTURE_PROJECT, "config/pdp.yaml");
export const FIXTURE_POLICIES = join(FIXTURE_PROJECT, "policies");
