import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./fixture.js";

/**
 * Policy sets for the scaling runs: the seven reference policies plus generated ones, shaped like a large
 * organisation's set: many applications (about ten policies each), each opened to a few teams with
 * posture conditions, a few application-wide forbids. Every generated policy validates against the
 * reference schema. The measured request (an employee reading the wiki) is the same at every size, so the
 * curve shows what the policies *around* a request cost, which is what grows in practice.
 */
const CONDITIONS = [
  "context.device.managed && context.device.os.patched",
  "context.device.compliant && context.identity.mfa",
  "context.device.os.patched && context.identity.tokenAgeSeconds < 3600",
  'context.network.sourceIpKnown && context.network.sourceIp.isInRange(ip("10.0.0.0/8"))',
  'context.device.riskLevel == "low" || context.device.riskLevel == "secure"',
  "context.device.edrScore >= 70 && context.device.diskEncrypted",
];
const ACTIONS = ['action in Action::"read"', 'action in Action::"write"', 'action == Action::"GET"', 'action in [Action::"POST", Action::"PUT"]'];

/** How many policies policies/*.cedar holds (the scaling sizes count them in). */
const REFERENCE_POLICIES = 7;

export function generatedPolicies(count: number): string {
  const apps = Math.max(1, Math.ceil(count / 10));
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const app = `app-${i % apps}`;
    const condition = CONDITIONS[i % CONDITIONS.length] as string;
    if (i % 10 === 9) {
      out.push(`@id("gen-${i}")\nforbid (principal, action, resource in Application::"${app}")\nunless { ${condition} };`);
    } else {
      const team = `team-${(i * 7) % Math.max(1, Math.ceil(count / 4))}`;
      out.push(`@id("gen-${i}")\npermit (principal in Group::"${team}", ${ACTIONS[i % ACTIONS.length]}, resource in Application::"${app}")\nwhen { ${condition} };`);
    }
  }
  return out.join("\n\n");
}

/** A policy directory with `total` policies: the reference ones plus `total - 7` generated. */
export function policyDirWith(total: number): string {
  const dir = mkdtempSync(join(tmpdir(), `ztpdp-policies-${total}-`));
  const reference = join(REPO, "policies");
  for (const f of readdirSync(reference)) {
    if (f.endsWith(".cedar") || f === "schema.cedarschema") copyFileSync(join(reference, f), join(dir, f));
  }
  writeFileSync(join(dir, "generated.cedar"), generatedPolicies(Math.max(0, total - REFERENCE_POLICIES)));
  return dir;
}
