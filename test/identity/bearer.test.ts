import { describe, expect, it } from "vitest";
import { parseAuthorizationHeader } from "../../src/identity/bearer.js";

const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";

describe("parseAuthorizationHeader", () => {
  it.each(["Bearer", "bearer", "BEARER", "bEaReR"])("accepts the %s scheme in any case", (scheme) => {
    expect(parseAuthorizationHeader([`${scheme} ${jwt}`])).toEqual({ ok: true, token: jwt });
  });

  it.each([
    ["no header", undefined, "token_missing"],
    ["an empty list", [], "token_missing"],
    ["an empty value", [""], "token_missing"],
    ["duplicate headers", [`Bearer ${jwt}`, `Bearer ${jwt}`], "token_malformed"],
    ["duplicate headers, one empty", [`Bearer ${jwt}`, ""], "token_malformed"],
    ["Basic", ["Basic YWxpY2U6c2VjcmV0"], "token_malformed"],
    ["missing scheme", [jwt], "token_malformed"],
    ["scheme only", ["Bearer"], "token_malformed"],
    ["scheme and space", ["Bearer "], "token_malformed"],
    ["two spaces", [`Bearer  ${jwt}`], "token_malformed"],
    ["leading space", [` Bearer ${jwt}`], "token_malformed"],
    ["trailing space", [`Bearer ${jwt} `], "token_malformed"],
    ["two tokens", [`Bearer ${jwt} ${jwt}`], "token_malformed"],
    ["a tab", [`Bearer\t${jwt}`], "token_malformed"],
    ["CR LF injection", [`Bearer ${jwt}\r\nX-Groups: admin`], "token_malformed"],
    ["NUL", [`Bearer ${jwt}\u0000`], "token_malformed"],
    ["non-ASCII", [`Bearer ${jwt}é`], "token_malformed"],
    ["characters outside b64token", [`Bearer ${jwt},x`], "token_malformed"],
    ["whitespace only", ["   "], "token_malformed"],
  ])("refuses %s", (_name, values, code) => {
    const r = parseAuthorizationHeader(values as string[] | undefined);
    expect(r).toMatchObject({ ok: false, code });
  });
});
