import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLES, FUZZ_REPORT_DIR, fuzzBundle, startCampaign, type Campaign } from "./campaign.js";

// Property-based fuzzing of the built authorizer bundles (campaign.ts says what is generated and which
// invariants are checked). CI runs a bounded number of inputs per bundle (ZTPDP_FUZZ_RUNS, default 150);
// `npm run fuzz` runs a long campaign (1,000,000 inputs across the three) and writes any failing input,
// shrunk, to fuzz-failures/.

const TOTAL = Number(process.env.ZTPDP_FUZZ_RUNS ?? 450);
const perBundle = Math.max(1, Math.ceil(TOTAL / BUNDLES.length));
const seed = process.env.ZTPDP_FUZZ_SEED === undefined ? undefined : Number(process.env.ZTPDP_FUZZ_SEED);

let campaign: Campaign;
beforeAll(async () => {
  campaign = await startCampaign();
}, 180_000);
afterAll(async () => campaign?.close());

describe("fuzzing the authorizer bundles", () => {
  it.each(BUNDLES)(`%s: ${perBundle} generated inputs keep every invariant`, async (bundle) => {
    const report = await fuzzBundle(campaign, bundle, perBundle, FUZZ_REPORT_DIR, seed);
    expect(report.failed, `${report.message} (shrunk input: ${report.file})`).toBe(false);
    expect(report.runs).toBe(perBundle);
  }, Math.max(60_000, perBundle * 50));
});
