import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compilePolicySources, loadPolicyDir, type PolicySource } from "../../src/policy/loader.js";
import { canonicalJson, computeRevision } from "../../src/policy/revision.js";
import { REFERENCE_DIR, REFERENCE_SCHEMA } from "./helpers.js";

const schema: PolicySource = { file: "schema.cedarschema", text: readFileSync(REFERENCE_SCHEMA, "utf8") };
const referenceFiles: PolicySource[] = readdirSync(REFERENCE_DIR)
  .filter((n) => n.endsWith(".cedar"))
  .sort()
  .map((n) => ({ file: n, text: readFileSync(join(REFERENCE_DIR, n), "utf8") }));

function revisionOf(files: PolicySource[], schemaSource = schema): string {
  const result = compilePolicySources(schemaSource, files);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.policySet.revision;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("policy-set revision", () => {
  const base = revisionOf(referenceFiles);

  it("is sha256: plus 16 hex digits, and the same on every load", () => {
    expect(base).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(loadPolicyDir(REFERENCE_DIR).revision).toBe(base);
    expect(revisionOf(referenceFiles)).toBe(base);
  });

  it("does not depend on file order or on the names of files whose policies carry @id", () => {
    expect(revisionOf([...referenceFiles].reverse())).toBe(base);
    const dir = mkdtempSync(join(tmpdir(), "ztpdp-rev-"));
    dirs.push(dir);
    cpSync(REFERENCE_DIR, dir, { recursive: true });
    renameSync(join(dir, "wiki.cedar"), join(dir, "zz-knowledge-base.cedar"));
    expect(loadPolicyDir(dir).revision).toBe(base);
  });

  it("does not change with whitespace or comments", () => {
    const reformatted = referenceFiles.map((f) => ({
      ...f,
      text: "// reformatted\n" + f.text.replace(/\n\s*/g, "\n      ").replace(/\(/g, "( ").replace(/^\/\/.*$/gm, "// other words"),
    }));
    expect(reformatted.map((f) => f.text)).not.toEqual(referenceFiles.map((f) => f.text));
    expect(revisionOf(reformatted)).toBe(base);
    expect(revisionOf(referenceFiles, { ...schema, text: `// a comment\n${schema.text}\n\n` })).toBe(base);
  });

  it("changes when a policy, an id, an annotation or the schema changes", () => {
    const edit = (file: string, from: string, to: string) =>
      referenceFiles.map((f) => (f.file === file ? { ...f, text: f.text.replace(from, to) } : f));
    const changed = [
      revisionOf(edit("status.cedar", '"public"', '"internal"')),
      revisionOf(edit("status.cedar", '@id("status-read")', '@id("status-read-2")')),
      revisionOf(edit("status.cedar", '@id("status-read")', '@id("status-read")\n@owner("sre")')),
      revisionOf(edit("data-perimeter.cedar", "10.0.0.0/8", "10.0.0.0/9")),
      revisionOf(referenceFiles.filter((f) => f.file !== "hr.cedar")),
      revisionOf(referenceFiles, { ...schema, text: schema.text.replace("entity Application;", "entity Application;\nentity Extra;") }),
    ];
    expect(new Set([base, ...changed]).size).toBe(changed.length + 1);
  });

  it("changes when a policy without @id moves to another index (its id changes)", () => {
    const a = revisionOf([{ file: "x.cedar", text: 'permit (principal, action in Action::"read", resource);\nforbid (principal, action in Action::"write", resource);' }]);
    const b = revisionOf([{ file: "x.cedar", text: 'forbid (principal, action in Action::"write", resource);\npermit (principal, action in Action::"read", resource);' }]);
    expect(a).not.toBe(b);
  });

  it("is defined for the empty policy set", () => {
    expect(revisionOf([])).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(revisionOf([])).not.toBe(base);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and keeps array order", () => {
    expect(canonicalJson({ b: [{ z: 1, a: null }], a: "x", u: undefined })).toBe('{"a":"x","b":[{"a":null,"z":1}]}');
  });

  it("makes computeRevision independent of input order", () => {
    const p = [{ id: "b", json: { x: 1 } }, { id: "a", json: { y: 2 } }];
    expect(computeRevision({}, p)).toBe(computeRevision({}, [...p].reverse()));
  });
});
