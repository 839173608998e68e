import type { AuditRecord } from "../audit/record.js";

/** One summary line a human scans, then the record itself (one JSON line, exactly as it would be shipped). */
export function formatAudit(r: AuditRecord): string {
  const who = r.principal ? `${r.principal.type}::${r.principal.id}` : "(no principal)";
  const device = r.device.verified ? `${r.device.provider} ${r.device.os}${r.device.patched ? " patched" : " unpatched"}` : `unverified${r.device.untrustedReason ? ` (${r.device.untrustedReason})` : ""}`;
  // Trust-provider records (sign-ins and token grants) have no policies: show the step and the risk verdict.
  const tp = (r as { trustProvider?: { risk?: string } }).trustProvider;
  const errors = r.errors.map((e) => e.code).join(",");
  const why = tp
    ? errors || `${r.action} risk=${tp.risk ?? "n/a"}`
    : r.determiningPolicies.length > 0 ? r.determiningPolicies.join(",") : errors || "no permit matched";
  return [
    `AUDIT ${r.outcome.toUpperCase().padEnd(15)} ${r.request.method} ${r.request.route}  ${who}  device=${device}  because=${why}  ${r.latencyUs} µs`,
    `      ${JSON.stringify(r)}`,
  ].join("\n");
}
