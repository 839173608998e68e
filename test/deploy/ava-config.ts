/**
 * An AVA-mode config for the packaging tests, derived from the production example: its issuer gets an
 * entity-id prefix and binds devices for itself and the signed AVA header (issue 9's namespaces), and a
 * `verifiedAccess` section names `policyDir` with the given mappings (indented YAML lines) and a signed header.
 */
export function avaConfigFrom(production: string, policyDir: string, mappings: string): string {
  const base = replaceOnce(
    replaceOnce(production, "    principal: {}", "    principal: { entityIdPrefix: corp }"),
    "binding: { deviceClaim: user_sub, userClaim: sub }",
    "binding: { deviceClaim: user_sub, userClaim: sub, issuers: [corp-idp, verified-access] }",
  );
  return (
    `${base}\nverifiedAccess:\n  policyDir: ${policyDir}\n${mappings}` +
    "  signedHeader:\n    instanceArns: [arn:aws:ec2:us-east-1:123456789012:verified-access-instance/vai-0123456789abcdef0]\n" +
    "    issuers: [https://idp.example.com/oauth2/default]\n    principal: { entityIdPrefix: ava }\n"
  );
}

/** An edit of the example that no longer applies fails the test here, not as a puzzling config error later. */
function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`config/examples/production.yaml no longer contains \`${from}\``);
  return text.replace(from, to);
}
