/**
 * Header lookup that survives both event formats: REST (v1) keeps the client's header case and lists
 * duplicates in `multiValueHeaders`; HTTP API (v2) lowercases names and comma-joins duplicates.
 * Returns every value seen for the name, so callers can refuse duplicates instead of picking one.
 */
export function headerValues(
  headers: Record<string, string> | null | undefined,
  multiValueHeaders: Record<string, string[]> | null | undefined,
  name: string,
): string[] {
  const wanted = name.toLowerCase();
  const fromMulti: string[] = [];
  for (const [key, values] of Object.entries(multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted) fromMulti.push(...values);
  }
  if (fromMulti.length > 0) return fromMulti;
  const single: string[] = [];
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === wanted) single.push(value);
  }
  return single;
}

/** At most one value; duplicates (e.g. two device tokens) count as none, since neither can be trusted. */
export function singleHeader(values: string[]): string | undefined {
  return values.length === 1 ? values[0] : undefined;
}
