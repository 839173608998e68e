import fc from "fast-check";

/**
 * Inputs an attacker controls, for the three authorizer bundles: tokens (pristine, byte-flipped,
 * truncated, re-signed with odd JSON, garbage), header maps (name case, duplicates, headers and
 * multiValueHeaders that disagree, huge and non-ASCII values), method ARNs and routes (colons, percent
 * encoding, unicode, nonsense), and whole events of the wrong shape.
 */

export interface TokenSet {
  /** Valid, untouched tokens, by role. */
  pristine: { alice: string; bob: string; service: string };
  /** Valid device tokens bound to alice. */
  device: { patched: string; unpatched: string };
  /** Signs a user-token payload given as raw JSON text with the real IdP key (for odd JSON). */
  signUserPayload(rawJson: string): string;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Printable junk, unicode (lone surrogates included), control and bidi characters, or a large blob. */
export const junkString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom("", " ", "\u0000", "\r\n", "\u202e", "\u2028", "%2e%2e%2f", "..", "é", "😀", "\ud800", "Bearer", "null") },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => "A".repeat(n)) },
);

/**
 * Claims that make a signed user token invalid (each breaks one rule the PDP enforces), spliced into
 * alice's payload: what "odd JSON" may do with a valid signature. Never one that leaves the token valid.
 */
const INVALIDATING_CLAIMS: readonly string[] = [
  '"exp":1e308',
  '"exp":1e400',
  '"exp":-1',
  '"exp":"9999999999"',
  '"exp":null',
  '"exp":9223372036854775808',
  '"iat":99999999999999',
  '"iat":-9223372036854775808',
  '"sub":42',
  '"sub":""',
  '"sub":null',
  '"sub":{"__entity":{"type":"User","id":"alice"}}',
  '"groups":"Employees"',
  '"groups":{"0":"Employees"}',
  '"groups":[1]',
  '"groups":[{"__entity":{"type":"Group","id":"Employees"}}]',
  '"iss":"https://idp.attacker.example"',
  '"iss":7',
  '"aud":"another-api"',
  '"aud":[]',
  '"aud":5',
];

export function tokenArbitrary(tokens: TokenSet, aliceClaims: Record<string, unknown>): fc.Arbitrary<string> {
  const pristine = fc.constantFrom(tokens.pristine.alice, tokens.pristine.bob, tokens.pristine.service);
  const flipped = fc
    .tuple(pristine, fc.nat(), fc.oneof(fc.constantFrom(...B64URL.split("")), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })))
    .map(([t, i, c]) => {
      const at = i % t.length;
      return t.slice(0, at) + (t[at] === c ? (c === "A" ? "B" : "A") : c) + t.slice(at + 1);
    });
  const truncated = fc.tuple(pristine, fc.nat()).map(([t, n]) => t.slice(0, n % t.length));
  const body = JSON.stringify(aliceClaims).slice(1, -1);
  /** alice's claims with one claim's value replaced by raw JSON text (numbers beyond doubles included). */
  const replaced = (claim: string) => {
    const key = JSON.parse(`{${claim}}`) as Record<string, unknown>;
    const rest = Object.fromEntries(Object.entries(aliceClaims).filter(([k]) => !Object.hasOwn(key, k)));
    return `{${JSON.stringify(rest).slice(1, -1)},${claim}}`;
  };
  const odd = fc.oneof(
    fc.constantFrom(...INVALIDATING_CLAIMS).map(replaced),
    // Not an object; a duplicate member (refused, never last-one-wins); a `__proto__` member.
    fc.constantFrom("[]", '"x"', "1", "null", `{${body},"__proto__":{"groups":["HR"]}}`, `{${body},"sub":"alice"}`),
  ).map((raw) => tokens.signUserPayload(raw));
  return fc.oneof(
    { weight: 3, arbitrary: pristine },
    { weight: 3, arbitrary: flipped },
    { weight: 2, arbitrary: truncated },
    { weight: 2, arbitrary: odd },
    { weight: 2, arbitrary: junkString },
  );
}

export function deviceTokenArbitrary(tokens: TokenSet): fc.Arbitrary<string> {
  const pristine = fc.constantFrom(tokens.device.patched, tokens.device.unpatched);
  return fc.oneof(
    { weight: 4, arbitrary: pristine },
    { weight: 2, arbitrary: fc.tuple(pristine, fc.nat(), fc.constantFrom(...B64URL.split(""))).map(([t, i, c]) => t.slice(0, i % t.length) + c + t.slice((i % t.length) + 1)) },
    { weight: 1, arbitrary: fc.tuple(pristine, fc.nat()).map(([t, n]) => t.slice(0, n % t.length)) },
    { weight: 1, arbitrary: fc.constantFrom(tokens.pristine.alice) }, // a user token as the device token
    { weight: 1, arbitrary: junkString },
  );
}

/** `Authorization` values: the scheme in any case, odd spacing, no scheme, other schemes. */
export function authorizationArbitrary(token: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: token.map((t) => `Bearer ${t}`) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom("bearer", "BEARER", "Bearer  ", "Bearer\t", " Bearer", "Basic", "Token", "Bearer"), token).map(([s, t]) => `${s} ${t}`) },
    { weight: 1, arbitrary: token },
  );
}

/** A header name in a random case: API Gateway passes the client's case in REST events. */
export function anyCase(name: string): fc.Arbitrary<string> {
  return fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(""));
}

export const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"] as const;
export const methodArbitrary = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.constantFrom("get", "TRACE", "CONNECT", "") }, { weight: 1, arbitrary: junkString });

/** A path segment: plain, with colons, percent-encoded, unicode, dot segments, or junk. */
export const segmentArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("home", "wiki", "status", "hr", "records", "e-42", "payments", "charges", "admin") },
  { weight: 2, arbitrary: fc.constantFrom("2021-08-01T00:00:00Z", "db:primary", "a:b:c:d:e:f", "caf%C3%A9", "..%2Fhr", "%2e%2e", "café", "😀", ".", "..", "", "*", "?") },
  { weight: 1, arbitrary: junkString },
);

export const pathArbitrary = fc.array(segmentArbitrary, { minLength: 0, maxLength: 5 }).map((s) => `/${s.join("/")}`);

/** Route templates: the catalog's, near misses, and junk. */
export function routeTemplateArbitrary(catalog: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...catalog) },
    { weight: 1, arbitrary: fc.constantFrom("/wiki/{page}/", "/WIKI", "/wiki/{proxy+}", "/status/", "", "/") },
    { weight: 1, arbitrary: junkString },
  );
}

export const ARN_PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod";

export function methodArnArbitrary(method: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(method, pathArbitrary).map(([m, p]) => `${ARN_PREFIX}/${m}${p}`) },
    { weight: 1, arbitrary: fc.constantFrom("arn:aws:execute-api:eu-west-1:123456789012", "arn:aws:s3:::bucket/x", "", "arn:aws:execute-api::::/", `${ARN_PREFIX}`) },
    { weight: 1, arbitrary: junkString },
  );
}

export const ipArbitrary = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom("10.1.2.3", "::ffff:10.1.2.3", "0.0.0.0", "fe80::1%eth0", "not-an-ip", "", "10.0.0.1, 203.0.113.7"),
  junkString,
);

/** Occasionally replace a whole event with something of the wrong shape. */
export const wrongShape = fc.oneof(
  fc.constantFrom(null, undefined, 0, "", [], {}, { type: "REQUEST" }, { type: "TOKEN" }, { version: "2.0" }),
  fc.anything({ maxDepth: 3 }),
);
