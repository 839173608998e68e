/**
 * Entity ids of principals and groups, one namespace per trusted issuer.
 *
 * Like a Verified Permissions identity source, an issuer with an `entityIdPrefix` gets ids
 * `<prefix>|<claim value>` (https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/identity-sources.html).
 * That is only a namespace if no claim value of one issuer can spell another issuer's id, so:
 *
 * - a prefix never contains the separator `|`: the issuer part of an id ends at its first `|`, and a `|`
 *   inside a `sub` or group name (`corp|alice` from the partner IdP) stays inside the value part;
 * - with more than one issuer, every issuer has a prefix, and no two share one: an unprefixed issuer's
 *   ids are raw claim values, which could be anything, including another issuer's prefixed ids.
 */

export const ENTITY_ID_SEPARATOR = "|";

/** The Cedar entity id of a claim value (user, group or service) from an issuer with this prefix. */
export function namespacedEntityId(prefix: string | undefined, value: string): string {
  return prefix === undefined ? value : `${prefix}${ENTITY_ID_SEPARATOR}${value}`;
}

interface NamespacedIssuer {
  name: string;
  principal: { entityIdPrefix?: string | undefined };
}

/** Why these issuers' entity ids could collide (empty when they cannot); `where(i)` names issuer i in messages. */
export function namespaceProblems(issuers: readonly NamespacedIssuer[], where: (i: number) => string = (i) => `issuers.${i}`): string[] {
  const problems: string[] = [];
  const byPrefix = new Map<string, number>();
  issuers.forEach((issuer, i) => {
    const prefix = issuer.principal.entityIdPrefix;
    const at = `${where(i)}.principal.entityIdPrefix`;
    if (prefix === undefined) {
      if (issuers.length > 1) {
        problems.push(`${at}: required when more than one issuer is trusted, so one issuer's ids can never be another's (e.g. \`${issuer.name}\`)`);
      }
      return;
    }
    if (prefix.includes(ENTITY_ID_SEPARATOR)) problems.push(`${at}: \`${prefix}\` contains \`${ENTITY_ID_SEPARATOR}\`, the separator between prefix and id`);
    const other = byPrefix.get(prefix);
    if (other !== undefined) problems.push(`${at}: \`${prefix}\` is already the prefix of ${where(other)}; each issuer needs its own`);
    else byPrefix.set(prefix, i);
  });
  return problems;
}
