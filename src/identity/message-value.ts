/**
 * Render an untrusted value for a human-readable failure message: short, printable, in backticks.
 * Messages end up in logs and audit records; the audit layer escapes again, but a message must never carry
 * a raw token fragment of unbounded size or a line break of its own.
 */
export function shown(value: unknown, max = 64): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // eslint-disable-next-line no-control-regex
  const printable = cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069`]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `\`${printable}\``;
}
