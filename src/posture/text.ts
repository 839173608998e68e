/**
 * Makes a value safe to put inside an error message that ends up in logs and audit records: control,
 * line-break and bidi characters are escaped (log injection, CR/LF forging, visual spoofing), and the
 * result is capped so a huge claim or YAML value cannot blow up a log line.
 */
export function safeText(value: unknown, max = 64): string {
  const raw = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  // C0/C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates, BOM.
  const escaped = raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/gu, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}
